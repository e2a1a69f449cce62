"""Running costs after handover: a period's electricity and maintenance split among the flats of the plan.

Split the same way as the cost share unless the unit decides otherwise (docs/rules.md, "Cost share").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.ordering import top_floor_first
from retrofit.refusals import Refused

from . import costshare
from .models import Plan, RunningCost, Unit
from .plan_tables import ShareProblem, coefficients_json, explain

PERIOD_TAKEN = _("Running costs for %(period)s are already saved.")


class PeriodTaken(Refused):
    """A unit has one running-cost split per period; the refusal is on the form's ``period`` field."""


@dataclass
class RunningRow:
    room: str
    floor: int
    area: Decimal
    coefficient: Decimal
    electricity: Decimal
    maintenance: Decimal

    @property
    def amount(self) -> Decimal:
        return self.electricity + self.maintenance


@dataclass
class RunningTable:
    electricity: Decimal
    maintenance: Decimal
    method: str
    rows: list[RunningRow]

    @property
    def total(self) -> Decimal:
        return self.electricity + self.maintenance

    @property
    def shares_total(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal("0.00"))

    @property
    def balanced(self) -> bool:
        return self.shares_total == self.total


def running_split(
    plan: Plan, *, electricity: Decimal, maintenance: Decimal, method: str, coefficients: dict[int, Decimal]
) -> RunningTable:
    """Split a period's electricity and maintenance among the flats of ``plan`` (no relief).

    Each bill is split on its own, so each column adds up to its bill to the fen, and the totals add up
    to their sum. The flats are the plan's frozen rows, so the same inputs always give the same fen.
    """
    shares = sorted(plan.shares.all(), key=top_floor_first)
    flats = [costshare.Flat(room=s.room, floor=s.floor, area=s.area) for s in shares]
    try:
        power = costshare.split(electricity, flats, coefficients, method)
        upkeep = costshare.split(maintenance, flats, coefficients, method)
    except costshare.CostShareError as error:
        where, message = explain(error)
        raise ShareProblem(where, message) from None
    rows = [
        RunningRow(room=s.room, floor=s.floor, area=s.area, coefficient=p.coefficient, electricity=p.amount, maintenance=m.amount)
        for s, p, m in zip(shares, power, upkeep, strict=True)
    ]
    return RunningTable(electricity=electricity, maintenance=maintenance, method=method, rows=rows)


def running_cost_save(
    *, unit: Unit, plan: Plan, period: str, electricity: Decimal, maintenance: Decimal, method: str,
    coefficients: dict[int, Decimal], by, when=None,
) -> RunningCost:
    """Record a period's bill and how it is split; the split itself is recomputed from these inputs."""
    running_split(plan, electricity=electricity, maintenance=maintenance, method=method, coefficients=coefficients)
    with transaction.atomic():
        if RunningCost.objects.filter(unit=unit, period=period).exists():
            raise PeriodTaken({"period": ValidationError(PERIOD_TAKEN, params={"period": period})})
        record = RunningCost(
            unit=unit, plan=plan, period=period, electricity=electricity, maintenance=maintenance, method=method,
            coefficients=coefficients_json(coefficients), created_by=by, created_at=when or timezone.now(),
        )
        record.full_clean(exclude=["unit", "plan", "created_by"])
        record.save()
    return record
