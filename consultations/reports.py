"""The per-unit consent status as plain data, shared by ``unit_status`` and the exports."""

from __future__ import annotations

from decimal import Decimal

from retrofit.ordering import by_floor_then_room
from units.models import Unit
from units.selectors import current_plans, shares_of

from .models import UnitTally
from .selectors import co_owned_counts, consent_by_unit, open_same_owner_counts

# The unit's current plan (units app): money as strings with two decimals, null without a plan. The
# per-flat ``shares`` list goes to JSON only (a spreadsheet cell cannot hold a list).
PLAN_KEYS = ("total_cost", "subsidy", "net_cost")
# possible_same_owner: the pairs of flats still to decide as one owner or two; co_owned_flats: the flats
# whose ledger names several co-owners (共有) (docs/rules.md). README lists every key.
STATUS_KEYS = (
    "street", "community", "estate", "building", "unit", "stage", *UnitTally.FIGURES, "category", *PLAN_KEYS,
    "possible_same_owner", "co_owned_flats",
)


def _plan_figures(plan, shares) -> dict:
    if plan is None:
        return {"total_cost": None, "subsidy": None, "net_cost": None, "shares": []}
    return {
        "total_cost": f"{plan.total_cost:.2f}",
        "subsidy": f"{plan.subsidy:.2f}",
        "net_cost": f"{plan.net_cost:.2f}",
        "shares": [
            {"room": s.room, "floor": s.floor, "amount": f"{s.amount:.2f}"}
            for s in sorted(shares, key=by_floor_then_room)
        ],
    }


def unit_status_rows(units) -> list[dict]:
    """One dict per unit. Queries: stored tallies (1, more for a missing one), current plans (1), their
    shares (1), households with votes and same-owner decisions (2), co-owned flats (1)."""
    units = list(units)
    consents = consent_by_unit(units)
    open_pairs = open_same_owner_counts(units)
    co_owned = co_owned_counts(units)
    plans = current_plans(units)
    shares = shares_of(plans.values())
    rows = []
    for unit in units:
        building = unit.building
        estate = building.estate
        result = consents[unit.pk]
        row = {
            "street": estate.community.street.name,
            "community": estate.community.name,
            "estate": estate.name,
            "building": building.number,
            "unit": unit.number,
            "stage": unit.stage,
        }
        c = result.consent
        if c is None:
            row.update(dict.fromkeys(STATUS_KEYS[6:], None))
            row["error"] = str(result.conflict)
        else:
            # Areas as strings with two decimals, like the money.
            row.update({name: f"{v:.2f}" if isinstance(v, Decimal) else v for name, v in c.figures().items()})
            row["category"] = c.situation or None
        plan = plans[unit.pk]
        row.update(_plan_figures(plan, shares.get(plan.pk, []) if plan else []))
        row["possible_same_owner"] = open_pairs[unit.pk]
        row["co_owned_flats"] = co_owned.get(unit.pk, 0)
        rows.append(row)
    return rows


def units_for_status(estate: str | None = None):
    units = Unit.objects.for_listing().order_by(
        "building__estate__community__street__name",
        "building__estate__community__name",
        "building__estate__name",
        "building__number",
        "number",
    )
    if estate:
        units = units.filter(building__estate__name=estate)
    return units
