"""Every write to a works record goes through here: keyword-only, atomic, validated, with who and when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import documents, uploads
from units import lifecycle
from units.models import Stage, StageChange, Unit

from . import guards, rules
from .models import (
    AcceptanceCheck,
    AcceptanceLevel,
    Approval,
    Company,
    Construction,
    ConstructionLogEntry,
    Inspection,
    MaintenanceVisit,
    Registration,
    Result,
    SitePhotoVersion,
    Subsidy,
    UtilityCharge,
    refuse_future_dates,
)

FAIL_NEEDS_DEFECTS = _("List the defects found: the construction team needs them to fix the unit.")
FAILED_REASON = _("%(level)s failed on %(date)s (%(inspector)s). Defects: %(defects)s")
SUBSIDY_BEFORE_ACCEPTANCE = _(
    "The subsidy is paid after acceptance: all three levels must have passed first."
)
LEADER_NOT_OF_UNIT = _("The building leader must be one of this unit's leaders.")
HOUSEHOLD_NOT_OF_UNIT = _("That household is not in this unit.")
ALREADY_PAID = _("This charge is already paid.")


def _record(record, by):
    """Stamp ``record`` with who and when, validate it and save it."""
    record.recorded_by = by
    record.recorded_at = timezone.now()
    record.full_clean()
    record.save()
    return record


def _locked(model, unit: Unit):
    """The unit's one record of ``model``, locked until the transaction ends; a new one before its first save."""
    return model.objects.select_for_update().filter(unit=unit).first() or model(unit=unit)


@transaction.atomic
def approval_save(
    *,
    unit: Unit,
    by,
    permit_number: str,
    permit_date: date | None,
    market_notice_date: date | None,
    notes: str = "",
) -> Approval:
    approval = _locked(Approval, unit)
    approval.permit_number = permit_number.strip()
    approval.permit_date = permit_date
    approval.market_notice_date = market_notice_date
    approval.notes = notes.strip()
    return _record(approval, by)


@transaction.atomic
def construction_save(
    *,
    unit: Unit,
    by,
    started_on: date | None,
    completed_on: date | None,
    meter_boxes: bool,
    pipes: bool,
    drainage_ditch: bool,
    others: str = "",
) -> Construction:
    construction = _locked(Construction, unit)
    construction.started_on = started_on
    construction.completed_on = completed_on
    construction.meter_boxes = meter_boxes
    construction.pipes = pipes
    construction.drainage_ditch = drainage_ditch
    construction.others = others.strip()
    return _record(construction, by)


@transaction.atomic
def log_entry_add(*, unit: Unit, by, date: date, text: str, photo=None) -> ConstructionLogEntry:
    """A log entry, with a photo the upload spec allows as a site photo (retrofit/uploads.py)."""
    entry = ConstructionLogEntry(unit=unit, by=by, date=date, text=text.strip(), created_at=timezone.now())
    # Checked by the form too; checked again here, by the same spec, for callers without one.
    photo_type = uploads.check(uploads.SITE_PHOTO, photo, field="photo") if photo else None
    entry.full_clean()
    entry.save()
    if photo:
        # Version 1 of the entry's photo: kept with who, when, size and hash, named by its sniffed type.
        entry.photo_version = documents.version_add(
            model=SitePhotoVersion, owner=entry, upload=photo, content_type=photo_type, by=by, when=entry.created_at
        )
        entry.save(update_fields=["photo_version"])
    return entry


def _move_back(*, unit: Unit, by, reason: str, when=None) -> StageChange:
    """Acceptance → construction, the consequence of a recorded failure. The lifecycle lets the
    company that records the failure make this move, so it is recorded as theirs."""
    return lifecycle.unit_move(unit=unit, after=Stage.CONSTRUCTION, by=by, reason=reason, when=when)


@transaction.atomic
def acceptance_record(
    *, unit: Unit, by, level: str, result: str, date: date, inspector: str, remarks: str = "", when=None
) -> AcceptanceCheck:
    """Record one acceptance check. A failure while the unit is in acceptance sends it back to
    construction, with the defects as the reason of the move (dated ``when``, default now)."""
    remarks = remarks.strip()
    if result == Result.FAIL and not remarks:
        raise ValidationError({"remarks": FAIL_NEEDS_DEFECTS})
    construction = Construction.objects.filter(unit=unit).first()
    if construction is not None and construction.completed_on is not None and date < construction.completed_on:
        raise ValidationError({"date": guards.date_messages([("completed_on", construction.completed_on), (level, date)])})
    check = AcceptanceCheck(
        unit=unit, level=level, result=result, date=date, inspector=inspector.strip(), remarks=remarks
    )
    _record(check, by)
    if result == Result.FAIL and unit.stage == Stage.ACCEPTANCE:
        reason = FAILED_REASON % {
            "level": AcceptanceLevel(level).label,
            "date": date.isoformat(),
            "inspector": check.inspector,
            "defects": remarks,
        }
        _move_back(unit=unit, by=by, reason=str(reason), when=when)
    return check


@transaction.atomic
def subsidy_record(*, unit: Unit, by, paid_on: date, amount: Decimal | None = None) -> Subsidy:
    attempts = [check.attempt for check in AcceptanceCheck.objects.filter(unit=unit)]
    if rules.acceptance_blockers(attempts):
        raise ValidationError(SUBSIDY_BEFORE_ACCEPTANCE)
    subsidy = _locked(Subsidy, unit)
    subsidy.paid_on = paid_on
    subsidy.amount = amount
    return _record(subsidy, by)


APPROVAL_WITHOUT_APPLICATION = _("Record the application before its approval.")
APPROVED_BEFORE_APPLIED = _("The approval cannot be dated before the application.")


@transaction.atomic
def subsidy_application_save(
    *,
    unit: Unit,
    by,
    applied_on: date,
    amount_applied: Decimal,
    approved_on: date | None = None,
    amount_approved: Decimal | None = None,
) -> Subsidy:
    """Record the subsidy application and, once it comes, its approval. The payment stays as it is:
    it is recorded after acceptance by ``subsidy_record``. Dates in the future are refused by the record
    itself (``Subsidy.PAST_DATES``)."""
    if (approved_on is None) != (amount_approved is None):
        raise ValidationError(APPROVAL_WITHOUT_APPLICATION)
    if approved_on is not None and approved_on < applied_on:
        raise ValidationError({"approved_on": APPROVED_BEFORE_APPLIED})
    subsidy = _locked(Subsidy, unit)
    subsidy.applied_on = applied_on
    subsidy.amount_applied = amount_applied
    subsidy.approved_on = approved_on
    subsidy.amount_approved = amount_approved
    return _record(subsidy, by)


@transaction.atomic
def registration_save(
    *,
    unit: Unit,
    by,
    number: str,
    registered_on: date,
    user_unit: str = "",
    leader=None,
    maintenance_company: Company | None = None,
) -> Registration:
    if leader is not None and not unit.leaders.filter(pk=leader.pk).exists():
        raise ValidationError({"leader": LEADER_NOT_OF_UNIT})
    registration = _locked(Registration, unit)
    registration.number = number.strip()
    registration.registered_on = registered_on
    registration.user_unit = user_unit.strip()
    registration.leader = leader
    registration.maintenance_company = maintenance_company
    return _record(registration, by)


@transaction.atomic
def visit_add(
    *, unit: Unit, by, date: date, company: Company | None = None, notes: str = ""
) -> MaintenanceVisit:
    return _record(MaintenanceVisit(unit=unit, date=date, company=company, notes=notes.strip()), by)


@transaction.atomic
def inspection_add(
    *, unit: Unit, by, date: date, result: str, next_due: date, remarks: str = ""
) -> Inspection:
    return _record(Inspection(unit=unit, date=date, result=result, next_due=next_due, remarks=remarks.strip()), by)


@transaction.atomic
def charges_add(
    *, unit: Unit, by, period: str, kind: str, amount: Decimal, household=None
) -> tuple[list[UtilityCharge], int]:
    """Charge one household, or every household of the unit, ``amount`` for ``period``.

    Households already charged for that period and kind are left as they are; returns the new
    charges and how many were skipped.
    """
    if household is not None and household.unit_id != unit.pk:
        raise ValidationError({"household": HOUSEHOLD_NOT_OF_UNIT})
    households = [household] if household is not None else list(unit.households.all())
    charged = set(
        UtilityCharge.objects.filter(unit=unit, period=period, kind=kind).values_list(
            "household_id", flat=True
        )
    )
    now = timezone.now()
    new = [
        UtilityCharge(
            unit=unit, household=h, period=period, kind=kind, amount=amount, recorded_by=by, recorded_at=now
        )
        for h in households
        if h.pk not in charged
    ]
    if new:
        new[0].full_clean(exclude=["unit", "household"], validate_unique=False)
    return UtilityCharge.objects.bulk_create(new), len(households) - len(new)


@transaction.atomic
def charge_mark_paid(*, charge: UtilityCharge, by, paid_on: date) -> UtilityCharge:
    locked = UtilityCharge.objects.select_for_update().get(pk=charge.pk)
    if locked.paid_on is not None:
        raise ValidationError(ALREADY_PAID)
    locked.paid_on = paid_on
    refuse_future_dates(locked, ("paid_on",))
    locked.paid_recorded_by = by
    locked.save(update_fields=["paid_on", "paid_recorded_by"])
    return locked
