"""Consultation rounds of a unit: open, change, close, hold for the leadership group, resume after its review."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from retrofit.formflow import posted, saved, submit
from units.permissions import get_rw_unit_for_user, require_editor

from .. import forms
from ..services import rounds
from .scope import roster_form, roster_post, round_for, unit_form_page

FORM = "consultations/round_form.html"


@roster_form
def round_open(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    today = timezone.localdate()
    form = forms.RoundForm(
        posted(request), initial={"deadline": today + timedelta(days=30), "channels": ["notice", "door_to_door"]}
    )

    def save(data):
        rounds.round_open(
            unit=unit, deadline=data["deadline"], channels=data["channels"], hotline=data["hotline"], by=request.user
        )

    page = unit_form_page(request, FORM, unit, title=_("Open a consultation round"))
    return submit(request, form, save, done=saved(request, _("Consultation round opened."), "unit_detail", pk=unit.pk), page=page)


@roster_form
def round_edit(request, pk):
    consultation_round = round_for(request.user, pk)
    require_editor(request.user)
    unit = consultation_round.unit
    initial = {
        "deadline": consultation_round.deadline,
        "channels": consultation_round.channels,
        "hotline": consultation_round.hotline,
    }
    form = forms.RoundForm(posted(request), initial=initial)

    def save(data):
        rounds.round_update(
            consultation_round=consultation_round,
            deadline=data["deadline"],
            channels=data["channels"],
            hotline=data["hotline"],
            by=request.user,
        )

    page = unit_form_page(request, FORM, unit, title=_("Change the round"))
    return submit(request, form, save, done=saved(request, _("Round updated."), "unit_detail", pk=unit.pk), page=page)


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
    unit = consultation_round.unit
    form = forms.HoldForm(posted(request))

    def save(data):
        rounds.round_hold(consultation_round=consultation_round, note=data["note"], by=request.user)

    page = unit_form_page(request, FORM, unit, title=_("Hold for the leadership group"))
    done = saved(request, _("The unit is on hold for the leadership group's review."), "unit_detail", pk=unit.pk)
    return submit(request, form, save, done=done, page=page)


@roster_form
def round_resume(request, pk):
    consultation_round = round_for(request.user, pk)
    require_editor(request.user)
    unit = consultation_round.unit
    form = forms.ResumeForm(posted(request), initial={"deadline": consultation_round.deadline})

    def save(data):
        rounds.round_resume(
            consultation_round=consultation_round, decision=data["decision"], deadline=data["deadline"], by=request.user
        )

    page = unit_form_page(
        request, FORM, unit, title=_("Record the leadership group's review"), consultation_round=consultation_round
    )
    done = saved(request, _("Review recorded; the round is open again."), "unit_detail", pk=unit.pk)
    return submit(request, form, save, done=done, page=page)
