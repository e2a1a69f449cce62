"""Reads of plans and cost shares for other screens, in a fixed number of queries however many units.

Other apps (the public notice, exports, reports) read the stored shares through these functions and
never recompute them: what was saved, and later signed, is what residents see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from .models import Plan, PlanShare, Unit


def _ids(units: Iterable[Unit | int]) -> list[int]:
    return [u if isinstance(u, int) else u.pk for u in units]


def current_plans(units: Iterable[Unit | int]) -> dict[int, Plan | None]:
    """Each unit's current plan (its latest version; the signed one once signed), or None. One query."""
    ids = _ids(units)
    plans = {plan.unit_id: plan for plan in Plan.objects.filter(unit_id__in=ids).current()}
    return {pk: plans.get(pk) for pk in ids}


def shares_of(plans: Iterable[Plan | None]) -> dict[int, list[PlanShare]]:
    """The stored share rows of these plans, top floor first, keyed by plan id. One query."""
    ids = [plan.pk for plan in plans if plan is not None]
    grouped: dict[int, list[PlanShare]] = defaultdict(list)
    if ids:
        for share in PlanShare.objects.filter(plan_id__in=ids).order_by("plan_id", "-floor", "room"):
            grouped[share.plan_id].append(share)
    return grouped


def shares_by_household(units: Iterable[Unit | int]) -> dict[int, Decimal]:
    """Each household's share (yuan, two decimals) in its unit's current plan. One query.

    Households of units without a plan are absent from the result.
    """
    ids = _ids(units)
    rows = PlanShare.objects.filter(plan__in=Plan.objects.filter(unit_id__in=ids).current()).values_list(
        "household_id", "amount"
    )
    return dict(rows)
