"""Writes to the public notice 公示 and its objections, and the notice following the unit's moves."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retrofit.checks import required_text
from retrofit.models import Role
from units.lifecycle import unit_move
from units.models import Household, Stage, Unit

from ..guards import consent_ready
from ..models import ConsultationRound, Notice, NoticeStatus, Objection
from .rounds import round_close

# --- public notice 公示 ----------------------------------------------------------------------------

NOTICE_WRONG_STAGE = _("The notice can start only for a unit in consultation, or in notice with no notice on record.")
NOTICE_BEFORE_DRAFT = _("The notice cannot start before the agreement is draft-signed.")
NOTICE_DAYS_RANGE = _("The notice period cannot be shorter than %(min)d days (the street's policy) or longer than 366 days.")
NOTICE_IN_THE_PAST = _(
    "The notice cannot start before today (%(today)s). Only the street leader may record a paper notice "
    "posted earlier, with the reason."
)
NOTICE_BACKDATE_REASON = _(
    "The notice start date %(day)s is before today: give the reason the paper notice was posted before it was recorded."
)
NOTICE_SHORTENED = _("A notice already posted can be lengthened but not shortened.")
NOTICE_NOT_RUNNING = _("This notice is no longer running.")
NOTICE_PLAN_REQUIRED = _("Describe the plan that is being posted.")
OBJECTION_SETTLED = _("This objection is already settled.")
RESOLUTION_REQUIRED = _("Write down how the objection was settled.")
OBJECTION_HOUSEHOLD_ELSEWHERE = _("The objector's flat must be in this unit.")


def notice_start(
    *,
    unit: Unit,
    draft_signed_on: date,
    starts_on: date,
    plan_summary: str,
    by,
    days: int | None = None,
    contact_phone: str = "",
    posted_at_entrance: bool = True,
    posted_on_board: bool = True,
    backdate_reason: str = "",
    when=None,
) -> Notice:
    """Draft-sign the agreement and post it: the unit moves to notice (only if consent is reached),
    the current round closes, and the notice period starts.

    The period is at least the street's ``notice_days`` and starts today or later. A street leader may
    record a paper notice posted earlier, with ``backdate_reason`` (kept on the notice and in the move's
    reason). ``when`` is for seeding history only (the demo): the moment the notice counts as recorded,
    default now; no form passes it.

    A unit already moved to notice from the stage panel, with no notice on record, gets its notice here
    without a second move (consent is checked again all the same).
    """
    recorded_at = when or timezone.now()
    today = timezone.localdate(recorded_at)
    days = unit.street.notice_days if days is None else days
    backdate_reason = (backdate_reason or "").strip() if starts_on < today else ""
    already_moved = unit.stage == Stage.NOTICE and not Notice.objects.filter(unit=unit, status=NoticeStatus.RUNNING).exists()
    if unit.stage != Stage.CONSULTATION and not already_moved:
        raise ValidationError(NOTICE_WRONG_STAGE)
    problems = []
    if starts_on < draft_signed_on:
        problems.append(NOTICE_BEFORE_DRAFT)
    problems.extend(_notice_days_problems(unit.street, days))
    if starts_on < today:
        if getattr(by, "role", None) != Role.STREET_LEADER:
            problems.append(NOTICE_IN_THE_PAST % {"today": f"{today:%Y-%m-%d}"})
        elif not backdate_reason:
            problems.append(NOTICE_BACKDATE_REASON % {"day": f"{starts_on:%Y-%m-%d}"})
    if not plan_summary.strip():
        problems.append(NOTICE_PLAN_REQUIRED)
    if problems:
        raise ValidationError(problems)
    reason = gettext("Agreement draft-signed on %(signed)s; public notice of %(days)d days from %(start)s") % {
        "signed": f"{draft_signed_on:%Y-%m-%d}", "days": days, "start": f"{starts_on:%Y-%m-%d}"
    }
    if backdate_reason:
        reason += gettext("; posted before it was recorded: %(reason)s") % {"reason": backdate_reason}
    with transaction.atomic():
        current_round = ConsultationRound.objects.current().filter(unit=unit).first()
        if already_moved:
            problems = consent_ready(unit)
            if problems:
                raise ValidationError(problems)
        else:
            unit_move(unit=unit, after=Stage.NOTICE, by=by, reason=reason, when=when)
        if current_round is not None:
            round_close(consultation_round=current_round, by=by)
        notice = Notice(
            unit=unit,
            round=current_round,
            draft_signed_on=draft_signed_on,
            starts_on=starts_on,
            days=days,
            plan_summary=plan_summary.strip(),
            contact_phone=contact_phone.strip(),
            posted_at_entrance=posted_at_entrance,
            posted_on_board=posted_on_board,
            started_by=by,
            started_at=recorded_at,
            backdate_reason=backdate_reason,
        )
        notice.full_clean()
        notice.save()
    return notice


def _notice_days_problems(street, days: int) -> list[str]:
    minimum = max(street.notice_days, 1)
    if minimum <= days <= 366:
        return []
    return [NOTICE_DAYS_RANGE % {"min": minimum}]


def notice_update(
    *, notice: Notice, days: int, plan_summary: str, contact_phone: str = "", by, today: date | None = None
) -> Notice:
    """Edit a running notice. Once posted, its period may grow but never shrink: residents were told a date."""
    today = today or timezone.localdate()
    if notice.status != NoticeStatus.RUNNING:
        raise ValidationError(NOTICE_NOT_RUNNING)
    problems = _notice_days_problems(notice.unit.street, days)
    if days < notice.days and today >= notice.starts_on:
        problems.append(NOTICE_SHORTENED)
    if problems:
        raise ValidationError(problems)
    if not plan_summary.strip():
        raise ValidationError(NOTICE_PLAN_REQUIRED)
    notice.days, notice.plan_summary, notice.contact_phone = days, plan_summary.strip(), contact_phone.strip()
    notice.full_clean()
    notice.save()
    return notice


OBJECTION_IN_FUTURE = _("An objection cannot be received or settled on a day still to come.")
OBJECTION_SETTLED_BEFORE_RECEIVED = _("An objection cannot be settled before the day it was received (%(day)s).")


def objection_log(
    *, notice: Notice, objector: str, received_on: date, content: str, by, household: Household | None = None
) -> Objection:
    if notice.status != NoticeStatus.RUNNING:
        raise ValidationError(NOTICE_NOT_RUNNING)
    if received_on > timezone.localdate():
        raise ValidationError(OBJECTION_IN_FUTURE)
    if household is not None and household.unit_id != notice.unit_id:
        raise ValidationError(OBJECTION_HOUSEHOLD_ELSEWHERE)
    objection = Objection(
        notice=notice,
        household=household,
        objector=objector.strip(),
        received_on=received_on,
        content=content.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    objection.full_clean()
    objection.save()
    return objection


def objection_settle(*, objection: Objection, resolution: str, by, settled_on: date | None = None) -> Objection:
    if objection.settled_on is not None:
        raise ValidationError(OBJECTION_SETTLED)
    resolution = required_text(resolution, RESOLUTION_REQUIRED)
    settled_on = settled_on or timezone.localdate()
    if settled_on > timezone.localdate():
        raise ValidationError(OBJECTION_IN_FUTURE)
    if settled_on < objection.received_on:
        raise ValidationError(OBJECTION_SETTLED_BEFORE_RECEIVED % {"day": f"{objection.received_on:%Y-%m-%d}"})
    objection.resolution = resolution
    objection.settled_on = settled_on
    objection.settled_by = by
    objection.full_clean()
    objection.save()
    return objection


def notice_follows_stage(sender, instance, created, **kwargs) -> None:
    """The receiver of every saved StageChange (connected in apps.py)."""
    if created:
        notice_follow_stage(instance)


def notice_follow_stage(change) -> None:
    """Keep the running notice in step with the unit's moves (called for every new StageChange).

    Signing completes it; going back to consultation, or withdrawing the unit, withdraws it. A pause
    leaves it running: a unit resumes where it was.
    """
    if change.after == Stage.SIGNING and change.before == Stage.NOTICE:
        status = NoticeStatus.COMPLETED
    elif change.after == Stage.WITHDRAWN or (change.before == Stage.NOTICE and change.after == Stage.CONSULTATION):
        status = NoticeStatus.WITHDRAWN
    else:
        return
    Notice.objects.filter(unit_id=change.unit_id, status=NoticeStatus.RUNNING).update(status=status)
