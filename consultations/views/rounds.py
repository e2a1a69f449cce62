"""Consultation rounds of a unit: open, change, close, hold for the leadership group, resume after its review."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from retrofit.formflow import posted
from units.permissions import get_rw_unit_for_user, require_editor

from .. import forms
from ..services import rounds
from .scope import roster_form, roster_post, round_for, unit_form, values_of

FORM = "consultations/round_form.html"


@roster_form
def round_open(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    initial = {"deadline": timezone.localdate() + timedelta(days=30), "channels": ["notice", "door_to_door"]}
    form = forms.RoundForm(posted(request), initial=initial)
    return unit_form(
        request, form, lambda data: rounds.round_open(unit=unit, by=request.user, **data),
        unit=unit, template=FORM, title=_("Open a consultation round"), done=_("Consultation round opened."),
    )


@roster_form
def round_edit(request, pk):
    consultation_round = round_for(request.user, pk)
    require_editor(request.user)
    initial = values_of(consultation_round, "deadline", "channels", "hotline")
    form = forms.RoundForm(posted(request), initial=initial)
    return unit_form(
        request, form, lambda data: rounds.round_update(consultation_round=consultation_round, by=request.user, **data),
        unit=consultation_round.unit, template=FORM, title=_("Change the round"), done=_("Round updated."),
    )


@roster_post
def round_close(request, pk):
    consultation_round = round_for(request.user, pk)
    require_editor(request.user)
    try:
        rounds.round_close(consultation_round=consultation_round, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Round closed."))
    return redirect("unit_detail", pk=consultation_round.unit_id)


@roster_form
def round_hold(request, pk):
    consultation_round = round_for(request.user, pk)
    require_editor(request.user)
    return unit_form(
        request, forms.HoldForm(posted(request)),
        lambda data: rounds.round_hold(consultation_round=consultation_round, by=request.user, **data),
        unit=consultation_round.unit, template=FORM, title=_("Hold for the leadership group"),
        done=_("The unit is on hold for the leadership group's review."),
    )


@roster_form
def round_resume(request, pk):
    consultation_round = round_for(request.user, pk)
    require_editor(request.user)
    form = forms.ResumeForm(posted(request), initial=values_of(consultation_round, "deadline"))
    return unit_form(
        request, form, lambda data: rounds.round_resume(consultation_round=consultation_round, by=request.user, **data),
        unit=consultation_round.unit, template=FORM, title=_("Record the leadership group's review"),
        done=_("Review recorded; the round is open again."), consultation_round=consultation_round,
    )
