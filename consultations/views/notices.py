"""The public notice 公示 of a unit: draft-sign and start it, change it, print it; written objections."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from retrofit.formflow import posted
from units.models import Household
from units.permissions import get_rw_unit_for_user, require_editor
from units.selectors import shares_by_household

from .. import forms
from ..models import ConsultationRound, Notice, Objection
from ..selectors import current_vote, evaluate_unit, street_policy
from ..services import notices
from .scope import notice_for, roster_form, roster_page, unit_form, units_of, values_of

FORM = "consultations/notice_form.html"
SIMPLE_FORM = "consultations/simple_form.html"


@roster_form
def notice_start(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    today = timezone.localdate()
    current = ConsultationRound.objects.current().filter(unit=unit).first()
    initial = {
        "draft_signed_on": today,
        "starts_on": today,
        "days": unit.street.notice_days,
        "contact_phone": current.hotline if current else "",
    }
    form = forms.NoticeStartForm(posted(request), initial=initial)
    return unit_form(
        request, form, lambda data: notices.notice_start(unit=unit, by=request.user, **data),
        unit=unit, template=FORM, title=_("Draft-sign the agreement and start the public notice"),
        done=_("Agreement draft-signed and public notice started."), policy_days=unit.street.notice_days,
    )


@roster_form
def notice_edit(request, pk):
    notice = notice_for(request.user, pk)
    require_editor(request.user)
    form = forms.NoticeEditForm(posted(request), initial=values_of(notice, "days", "plan_summary", "contact_phone"))
    return unit_form(
        request, form, lambda data: notices.notice_update(notice=notice, by=request.user, **data),
        unit=notice.unit, template=FORM, title=_("Change the public notice"), done=_("Notice updated."),
        notice=notice, policy_days=notice.unit.street.notice_days,
    )


def notice_shares(notice: Notice) -> dict:
    """Each household's cost share once a plan fixes it: household id → Decimal yuan.

    Empty while the unit has no plan; the printout shows the share column only when there are shares.
    """
    return shares_by_household([notice.unit])


NOTICE_ONE_COLUMN_MAX = 16


def _halves(items: list) -> list[list]:
    middle = (len(items) + 1) // 2
    return [items[:middle], items[middle:]]


@roster_page
@require_safe
def notice_print(request, pk):
    """The notice for the stairwell and the estate board: plan, period, each flat's vote, names masked."""
    notice = notice_for(request.user, pk)
    unit = notice.unit
    households = list(Household.objects.filter(unit=unit).select_related("vote").order_by("floor", "room"))
    result = evaluate_unit(unit, households)
    for household in households:
        household.current_vote = current_vote(household)
    return render(
        request,
        "consultations/notice_print.html",
        {
            "notice": notice,
            "unit": unit,
            "estate": unit.building.estate,
            "community": unit.building.estate.community,
            "households": households,
            # A tall unit's list goes in two columns so that the notice stays on one A4 sheet.
            "flat_columns": _halves(households) if len(households) > NOTICE_ONE_COLUMN_MAX else [households],
            "result": result,
            "policy": street_policy(unit.street),
            "shares": notice_shares(notice),
        },
    )


@roster_form
def objection_new(request, pk):
    notice = notice_for(request.user, pk)
    require_editor(request.user)
    unit = notice.unit
    households = Household.objects.filter(unit=unit).order_by("floor", "room")
    form = forms.ObjectionForm(posted(request), initial={"received_on": timezone.localdate()}, households=households)
    return unit_form(
        request, form, lambda data: notices.objection_log(notice=notice, by=request.user, **data),
        unit=unit, template=SIMPLE_FORM, title=_("Log a written objection"), done=_("Objection logged."),
    )


@roster_form
def objection_settle(request, pk):
    objection = get_object_or_404(
        Objection.objects.filter(notice__unit__in=units_of(request.user)).select_related(
            "notice__unit__building__estate__community__street"
        ),
        pk=pk,
    )
    require_editor(request.user)
    return unit_form(
        request, forms.SettleForm(posted(request)),
        lambda data: notices.objection_settle(objection=objection, by=request.user, **data),
        unit=objection.notice.unit, template=SIMPLE_FORM, title=_("Settle the objection"), done=_("Objection settled."),
        objection=objection,
    )
