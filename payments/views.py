"""Staff pages for the money: a unit's payments flat by flat, and the arrears across the user's units.

Company users never see money (403, units.permissions.money_required); read-only roles see it;
street and community staff record payments, refunds and reversals.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from retrofit.formflow import submit
from retrofit.params import int_param
from units.models import Community, Unit
from units.permissions import get_unit_for_user, money_required, require_editor

from . import selectors, services
from .forms import PaymentForm, RefundForm, ReverseForm
from .models import LedgerEntry


def _page(request, unit: Unit, *, payment_form=None, refund_form=None, status=200):
    money = selectors.unit_money(unit)
    can_edit = request.user.can_edit
    context = {"unit": unit, "estate": unit.building.estate, "money": money, "can_edit": can_edit}
    if can_edit:
        households = unit.households.all()
        context["payment_form"] = payment_form or PaymentForm(households=households)
        if money.totals.refund_owed or refund_form is not None:
            context["refund_form"] = refund_form or RefundForm(households=households)
        context["reverse_form"] = ReverseForm()
    return render(request, "payments/unit_payments.html", context, status=status)


@login_required
@money_required
@require_safe
def unit_payments(request, pk):
    unit = get_unit_for_user(request.user, pk)
    return _page(request, unit)


# A payment and a refund are recorded alike: the form (as the page names it), the service, the words.
ENTRY_KINDS = {
    "payment_form": (
        PaymentForm, services.payment_record, gettext_lazy("Payment of %(amount)s yuan from %(room)s recorded.")
    ),
    "refund_form": (
        RefundForm, services.refund_record, gettext_lazy("Refund of %(amount)s yuan to %(room)s recorded.")
    ),
}


def _entry_add(request, pk, kind: str):
    """Record a payment or a refund (retrofit.formflow); saved, back to the ledger naming the flat and sum."""
    form_class, service, message = ENTRY_KINDS[kind]
    unit = get_unit_for_user(request.user, pk)
    require_editor(request.user)
    form = form_class(request.POST, households=unit.households.all())

    def save(data):
        service(**data, by=request.user)
        return data

    def done(data):
        messages.success(request, message % {"room": data["household"].room, "amount": f"{data['amount']:,.2f}"})
        return redirect(f"{reverse('unit_payments', args=[unit.pk])}#ledger")

    def page(form, status):
        return _page(request, unit, **{kind: form}, status=status)

    return submit(request, form, save, done=done, page=page)


@login_required
@require_POST
@money_required
def payment_add(request, pk):
    return _entry_add(request, pk, "payment_form")


@login_required
@require_POST
@money_required
def refund_add(request, pk):
    return _entry_add(request, pk, "refund_form")


@login_required
@require_POST
@money_required
def entry_reverse(request, pk):
    entry = get_object_or_404(
        LedgerEntry.objects.filter(unit__in=Unit.objects.visible_to(request.user)).select_related("household"), pk=pk
    )
    require_editor(request.user)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.entry_reverse(entry=entry, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The entry was reversed."))
    else:
        messages.error(request, _("Say why the entry is reversed."))
    return redirect(f"{reverse('unit_payments', args=[entry.unit_id])}#ledger")


@login_required
@money_required
@require_safe
def arrears_list(request):
    """Who still owes on a signed plan, and who is owed a refund, across the user's units."""
    units = Unit.objects.visible_to(request.user)
    communities = list(Community.objects.filter(estates__buildings__units__in=units).distinct().order_by("name"))
    community = None
    if int_param(request.GET, "community"):
        community = next((c for c in communities if c.pk == int_param(request.GET, "community")), None)
        if community is None:
            raise Http404
        units = units.filter(building__estate__community=community)
    return render(
        request,
        "payments/arrears.html",
        {"arrears": selectors.arrears(units), "communities": communities, "community": community},
    )
