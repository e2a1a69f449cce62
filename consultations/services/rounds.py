"""Writes to consultation rounds: open, change, close, hold for the leadership group, resume."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retrofit.checks import required_text
from units.lifecycle import unit_move
from units.locks import lock_unit
from units.models import Stage, Unit

from ..models import Channel, ConsultationRound, RoundStatus

# --- consultation rounds --------------------------------------------------------------------------

ROUND_WRONG_STAGE = _("A consultation round can be opened only for a unit in survey or consultation.")
ROUND_NOT_ELIGIBLE = _("This unit is not physically eligible for an elevator; the survey says so.")
ROUND_ALREADY_CURRENT = _("This unit already has a round that is open or on hold.")
ROUND_DEADLINE_BEFORE_OPEN = _("The feedback deadline cannot be before the day the round opens.")
ROUND_NO_CHANNEL = _("Choose at least one channel.")
ROUND_NOT_OPEN = _("Only an open round can be put on hold.")
ROUND_NOT_HELD = _("Only a round on hold can be resumed.")
ROUND_CLOSED = _("This round is closed.")
HOLD_NOTE_REQUIRED = _("Say why the unit is put on hold.")
DECISION_REQUIRED = _("Write down the leadership group's decision.")


def _round_channel_flags(channels) -> dict[str, bool]:
    channels = set(channels or ())
    unknown = channels - set(Channel.values)
    if unknown:
        raise ValidationError(ROUND_NO_CHANNEL)
    if not channels:
        raise ValidationError(ROUND_NO_CHANNEL)
    return {name: channel in channels for channel, name in ConsultationRound.CHANNEL_FIELDS.items()}


def round_open(*, unit: Unit, deadline: date, channels, hotline: str = "", opened_on: date | None = None, by):
    """Open a consultation round; a unit still in survey moves to consultation (recorded by the lifecycle)."""
    opened_on = opened_on or timezone.localdate()
    if unit.stage not in Stage.CONSULTING:
        raise ValidationError(ROUND_WRONG_STAGE)
    if not unit.eligible:
        raise ValidationError(ROUND_NOT_ELIGIBLE)
    if deadline < opened_on:
        raise ValidationError(ROUND_DEADLINE_BEFORE_OPEN)
    flags = _round_channel_flags(channels)
    with transaction.atomic():
        lock_unit(unit)
        if ConsultationRound.objects.current().filter(unit=unit).exists():
            raise ValidationError(ROUND_ALREADY_CURRENT)
        number = (ConsultationRound.objects.filter(unit=unit).aggregate(n=Max("number"))["n"] or 0) + 1
        consultation_round = ConsultationRound(
            unit=unit, number=number, opened_on=opened_on, deadline=deadline, hotline=hotline.strip(),
            opened_by=by, **flags,
        )
        consultation_round.full_clean()
        consultation_round.save()
        if unit.stage == Stage.SURVEY:
            unit_move(
                unit=unit,
                after=Stage.CONSULTATION,
                by=by,
                reason=gettext("Consultation round %(n)d opened, feedback by %(deadline)s")
                % {"n": number, "deadline": f"{deadline:%Y-%m-%d}"},
            )
    return consultation_round


def round_update(*, consultation_round: ConsultationRound, deadline: date, channels, hotline: str = "", by):
    """Change a current round's deadline (usually to extend it) or its channels."""
    if consultation_round.status == RoundStatus.CLOSED:
        raise ValidationError(ROUND_CLOSED)
    if deadline < consultation_round.opened_on:
        raise ValidationError(ROUND_DEADLINE_BEFORE_OPEN)
    for name, value in _round_channel_flags(channels).items():
        setattr(consultation_round, name, value)
    consultation_round.deadline = deadline
    consultation_round.hotline = hotline.strip()
    consultation_round.full_clean()
    consultation_round.save()
    return consultation_round


def round_close(*, consultation_round: ConsultationRound, by, on: date | None = None):
    if consultation_round.status == RoundStatus.CLOSED:
        raise ValidationError(ROUND_CLOSED)
    consultation_round.status = RoundStatus.CLOSED
    consultation_round.closed_on = on or timezone.localdate()
    consultation_round.save(update_fields=["status", "closed_on"])
    return consultation_round


def round_hold(*, consultation_round: ConsultationRound, note: str, by):
    """The "unlikely" action: stop visiting and hand the unit to the street leadership group."""
    if consultation_round.status != RoundStatus.OPEN:
        raise ValidationError(ROUND_NOT_OPEN)
    note = required_text(note, HOLD_NOTE_REQUIRED)
    consultation_round.status = RoundStatus.ON_HOLD
    consultation_round.hold_note = note
    consultation_round.held_at = timezone.now()
    consultation_round.held_by = by
    consultation_round.review_decision, consultation_round.reviewed_at, consultation_round.reviewed_by = "", None, None
    consultation_round.save()
    return consultation_round


def round_resume(*, consultation_round: ConsultationRound, decision: str, deadline: date | None = None, by):
    """The leadership group has reviewed the unit: record its decision and reopen the round."""
    if consultation_round.status != RoundStatus.ON_HOLD:
        raise ValidationError(ROUND_NOT_HELD)
    decision = required_text(decision, DECISION_REQUIRED)
    if deadline is not None:
        if deadline < consultation_round.opened_on:
            raise ValidationError(ROUND_DEADLINE_BEFORE_OPEN)
        consultation_round.deadline = deadline
    consultation_round.status = RoundStatus.OPEN
    consultation_round.review_decision = decision
    consultation_round.reviewed_at = timezone.now()
    consultation_round.reviewed_by = by
    consultation_round.save()
    return consultation_round
