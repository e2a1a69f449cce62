"""Reads for the works pages: one summary per unit, in a fixed number of queries for any number of units."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum

from units.models import Stage, Unit

from . import rules, upkeep
from .models import AcceptanceCheck, AcceptanceLevel, Assignment, Inspection, MaintenanceVisit, UtilityCharge

WORKS_STAGES = Stage.WORKS
SERVICE_STAGES = Stage.IN_SERVICE_OR_LATER
CENT = Decimal("0.01")


def with_works_records(units):
    """Units with their one-to-one records joined and the upkeep figures annotated (no extra queries)."""
    unpaid = UtilityCharge.objects.filter(unit=OuterRef("pk"), paid_on__isnull=True).values("unit")
    return units.select_related(
        "approval", "construction", "subsidy", "registration__maintenance_company", "registration__leader"
    ).annotate(
        last_visit=Subquery(
            MaintenanceVisit.objects.filter(unit=OuterRef("pk")).order_by("-date", "-id").values("date")[:1]
        ),
        next_inspection_due=Subquery(
            Inspection.objects.filter(unit=OuterRef("pk")).order_by("-date", "-id").values("next_due")[:1]
        ),
        arrears_count=Subquery(unpaid.annotate(n=Count("id")).values("n"), output_field=IntegerField()),
        arrears_total=Subquery(
            unpaid.annotate(total=Sum("amount")).values("total"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )


def with_assignments(units):
    return units.prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("company").order_by("kind", "company__name"),
        )
    )


def works_units_for(user):
    """The works list: a company user's assigned units; everyone else's units from approval onwards,
    or with a company assigned."""
    units = Unit.objects.visible_to(user)
    if not user.is_company:
        units = units.filter(Q(stage__in=WORKS_STAGES) | Q(pk__in=Assignment.objects.values("unit")))
    units = units.select_related("building__estate__community__street").order_by(
        "building__estate__community__name", "building__estate__name", "building__number", "number"
    )
    return with_assignments(with_works_records(units))


def one(unit: Unit, name: str):
    """A reverse one-to-one record or None (select_related caches a missing one as absent)."""
    try:
        return getattr(unit, name)
    except ObjectDoesNotExist:
        return None


@dataclass
class Summary:
    unit: Unit
    approval: object = None
    construction: object = None
    subsidy: object = None
    registration: object = None
    latest_checks: dict = field(default_factory=dict)
    in_service: bool = False
    last_visit: date | None = None
    next_visit_due: date | None = None
    maintenance_gap: upkeep.Gap | None = None
    inspection_status: str = upkeep.INSPECTION_NONE
    next_inspection_due: date | None = None
    arrears_count: int = 0
    arrears_total: Decimal = Decimal("0.00")

    @property
    def acceptance_rows(self):
        return [(level, label, self.latest_checks.get(level)) for level, label in AcceptanceLevel.choices]

    @property
    def approval_done(self) -> bool:
        return self.approval is not None and not self.approval.missing

    @property
    def construction_done(self) -> bool:
        return self.construction is not None and not self.construction.missing

    @property
    def acceptance_done(self) -> bool:
        attempts = [check.attempt for check in self.latest_checks.values()]
        return not rules.acceptance_blockers(attempts)

    @property
    def acceptance_failed(self) -> bool:
        return any(check.result == rules.FAIL for check in self.latest_checks.values())

    @property
    def warnings(self) -> int:
        inspection = self.inspection_status in (upkeep.INSPECTION_DUE_SOON, upkeep.INSPECTION_OVERDUE)
        return int(self.maintenance_gap is not None) + int(inspection)


def latest_checks_by_unit(unit_ids) -> dict[int, dict[str, AcceptanceCheck]]:
    latest: dict[int, dict[str, AcceptanceCheck]] = {pk: {} for pk in unit_ids}
    for check in AcceptanceCheck.objects.filter(unit_id__in=unit_ids).order_by("date", "id"):
        latest[check.unit_id][check.level] = check  # date order: the last one written wins
    return latest


def summarize(units, *, today: date, checks: list[AcceptanceCheck] | None = None) -> dict[int, Summary]:
    """A summary per unit of ``with_works_records`` units: one more query, for the acceptance checks,
    unless the caller already has them (``checks``, in date order)."""
    units = list(units)
    if checks is None:
        checks = latest_checks_by_unit([unit.pk for unit in units])
    else:
        latest = {unit.pk: {} for unit in units}
        for check in checks:
            latest[check.unit_id][check.level] = check
        checks = latest
    summaries = {}
    for unit in units:
        registration = one(unit, "registration")
        summary = Summary(
            unit=unit,
            approval=one(unit, "approval"),
            construction=one(unit, "construction"),
            subsidy=one(unit, "subsidy"),
            registration=registration,
            latest_checks=checks[unit.pk],
            in_service=unit.stage in SERVICE_STAGES,
            last_visit=unit.last_visit,
            next_visit_due=upkeep.next_visit_due(unit.last_visit),
            next_inspection_due=unit.next_inspection_due,
            arrears_count=unit.arrears_count or 0,
            arrears_total=Decimal(unit.arrears_total or 0).quantize(CENT),
        )
        if summary.in_service:
            since = registration.registered_on if registration else None
            visits = [unit.last_visit] if unit.last_visit else []
            open_gaps = [gap for gap in upkeep.maintenance_gaps(visits, today=today, since=since) if gap.open]
            summary.maintenance_gap = open_gaps[0] if open_gaps else None
            summary.inspection_status = upkeep.inspection_status(unit.next_inspection_due, today=today)
        summaries[unit.pk] = summary
    return summaries
