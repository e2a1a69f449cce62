"""Warnings for a unit in service: maintenance visits too far apart, periodic inspection due, arrears.

Plain Python with no Django import; callers pass ``today`` (``timezone.localdate()``, Asia/Shanghai)
so that the rules can be tested at their boundaries.

* Maintenance: at least one visit every 15 days (TSG T5002). A gap of exactly 15 days is fine; 16 is
  flagged. Gaps are measured between consecutive visits, from the start of use (registration date)
  to the first visit, and from the last visit to today.
* Inspection: the next periodic inspection is "due soon" within 30 days (inclusive) and "overdue" the
  day after its due date.
* Arrears: every unpaid charge.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

MAX_MAINTENANCE_GAP_DAYS = 15
INSPECTION_WARNING_DAYS = 30

INSPECTION_NONE = "none"
INSPECTION_OK = "ok"
INSPECTION_DUE_SOON = "due_soon"
INSPECTION_OVERDUE = "overdue"


@dataclass(frozen=True)
class Gap:
    start: date
    end: date
    open: bool = False  # True: from the last visit to today, no visit yet

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def maintenance_gaps(
    visits: Iterable[date],
    *,
    today: date,
    since: date | None = None,
    max_days: int = MAX_MAINTENANCE_GAP_DAYS,
) -> list[Gap]:
    """Every stretch longer than ``max_days`` without a maintenance visit, oldest first.

    ``since`` is when the elevator went into use; without it and without visits there is nothing to
    measure. Visits dated after ``today`` are ignored (they have not happened yet).
    """
    points = sorted({day for day in visits if day <= today})
    if since is not None and since <= today and (not points or since < points[0]):
        points.insert(0, since)
    gaps = [Gap(a, b) for a, b in pairwise(points) if (b - a).days > max_days]
    if points and (today - points[-1]).days > max_days:
        gaps.append(Gap(points[-1], today, open=True))
    return gaps


def next_visit_due(last_visit: date | None, *, max_days: int = MAX_MAINTENANCE_GAP_DAYS) -> date | None:
    return None if last_visit is None else last_visit + timedelta(days=max_days)


def inspection_status(next_due: date | None, *, today: date, warn_days: int = INSPECTION_WARNING_DAYS) -> str:
    if next_due is None:
        return INSPECTION_NONE
    if next_due < today:
        return INSPECTION_OVERDUE
    if (next_due - today).days <= warn_days:
        return INSPECTION_DUE_SOON
    return INSPECTION_OK


@dataclass(frozen=True)
class Charge:
    household: Hashable
    amount: Decimal
    paid_on: date | None = None


@dataclass(frozen=True)
class Arrear:
    household: Hashable
    count: int
    total: Decimal


def arrears(charges: Iterable[Charge]) -> list[Arrear]:
    """Unpaid charges summed per household, in the order households first appear."""
    totals: dict[Hashable, tuple[int, Decimal]] = {}
    for charge in charges:
        if charge.paid_on is not None:
            continue
        count, total = totals.get(charge.household, (0, Decimal("0.00")))
        totals[charge.household] = (count + 1, total + charge.amount)
    return [Arrear(household, count, total) for household, (count, total) in totals.items()]
