"""What every consultation page reaches through: the user's scope (404 outside it) and the "next" link."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme

from units.models import Unit

from ..models import ConsultationRound, Meeting, Notice


def units_of(user):
    return Unit.objects.visible_to(user)


def round_for(user, pk) -> ConsultationRound:
    return get_object_or_404(
        ConsultationRound.objects.filter(unit__in=units_of(user)).select_related(
            "unit__building__estate__community__street"
        ),
        pk=pk,
    )


def notice_for(user, pk) -> Notice:
    return get_object_or_404(
        Notice.objects.filter(unit__in=units_of(user)).select_related("unit__building__estate__community__street"),
        pk=pk,
    )


def meeting_for(user, pk) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(user).select_related("street", "community"), pk=pk)


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    # A path on this site ("/meetings/3/"); a bare word would be taken for a URL name by redirect().
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def unit_form_page(request, template: str, unit, **context):
    """A form page about one unit (``page`` for retrofit.formflow.submit): the unit and its estate around it."""

    def page(form, status):
        return render(request, template, {"form": form, "unit": unit, "estate": unit.building.estate, **context}, status=status)

    return page
