"""A household's holdout: why and how strongly it objects, and the plan its reason calls for."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from retrofit.formflow import posted, saved, submit
from units.permissions import get_household_for_user, require_editor

from .. import forms
from ..models import Holdout
from ..selectors import current_vote
from ..services import holdouts
from .scope import next_url, roster_form, unit_form_page


@roster_form
def holdout_edit(request, pk):
    household = get_household_for_user(request.user, pk)
    require_editor(request.user)
    unit = household.unit
    holdout = Holdout.objects.filter(household=household).first()
    initial = {}
    if holdout:
        initial = {
            "reason": holdout.reason,
            "degree": holdout.degree,
            "detail": holdout.detail,
            "relief_amount": holdout.relief_amount,
            "neighbour": holdout.neighbour_id,
            "cadre": holdout.cadre_id,
            "visit_planned_on": holdout.visit_planned_on,
        }
    form = forms.HoldoutForm(posted(request), initial=initial, household=household, user=request.user)
    page = unit_form_page(
        request, "consultations/holdout_form.html", unit,
        household=household, vote=current_vote(household), next=next_url(request, ""),
    )
    done = saved(
        request,
        _("Holdout recorded for %(room)s.") % {"room": household.room},
        next_url(request, reverse("unit_detail", args=[unit.pk])),
    )
    return submit(
        request, form, lambda data: holdouts.holdout_save(household=household, by=request.user, **data), done=done, page=page
    )
