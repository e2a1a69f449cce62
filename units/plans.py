"""A unit's installation plan and cost share: draft it, try what-ifs, save a version.

The arithmetic is ``units.costshare`` (pure, exact to the fen); this module turns households and form
input into its ``Flat`` list and writes versions. The share tables it returns, and the engine's errors
in words, are ``units.plan_tables``; running costs after handover are ``units.running_costs``. A version is never edited: saving makes the next one, so the
history of a cost share is the sequence of versions, each with who saved it, when, and what it says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retrofit.ordering import natural_key
from retrofit.refusals import Refused, Stale

from . import costshare
from .locks import lock_unit
from .models import EntryType, Household, Plan, PlanShare, SplitMethod, Unit
from .plan_tables import (
    ShareProblem,
    Table,
    coefficients_json,
    explain,
    plain_number,
    previous_amounts,
    share_row,
)

PLAN_FROZEN = _("Version %(version)d of this plan is signed and frozen: no new version can be saved.")
STALE_PLAN = _("Someone saved version %(version)d meanwhile. Reload the page to see it before you save.")
NO_HOUSEHOLDS = _("The unit has no households on its roster yet.")
NOTHING_CHANGED = _("Nothing changed since version %(version)d, so no new version was saved.")
SUBSIDY_ABOVE_TOTAL = _("The subsidy cannot be more than the total cost.")
RELIEF_UNKNOWN_FLAT = _("Relief was given to a flat that is not in this unit.")
COEFFICIENT_TOO_PRECISE = _("The coefficient of floor %(floor)s has more than 4 decimals or 8 digits before the point.")
FLOORS_WITHOUT_COEFFICIENT = _("No coefficient for floor(s) %(floors)s, where flats are.")
COEFFICIENT_LIMIT = Decimal("100000000")  # PlanShare.coefficient holds 12 digits, 4 after the point


class PlanFrozen(Refused):
    """The unit's plan is signed; nothing may follow it."""


class StalePlan(Stale):
    """The form was based on an older version than the latest one."""

    default_message = STALE_PLAN


class NothingChanged(Refused):
    """The new version would say exactly what the current one says."""


@dataclass
class PlanDraft:
    """Everything a plan version says, before it is saved: the form's and the import's common language."""

    total_cost: Decimal
    coefficients: dict[int, Decimal]
    method: str = SplitMethod.FLOOR
    subsidy: Decimal | None = None  # None: the street's rule decides
    entry_type: str = EntryType.FLAT
    stops: int = 1
    shaft_position: str = ""
    floor_height: Decimal | None = None
    spacing: Decimal | None = None
    reliefs: dict[int, Decimal] = field(default_factory=dict)  # household pk → yuan
    note: str = ""


# What a draft says and a saved version keeps as it is (the shaft position without surrounding spaces).
AS_DRAFTED = ("method", "entry_type", "stops", "shaft_position", "floor_height", "spacing")


# --- drafts and computing --------------------------------------------------------------------------


def floors_of(unit: Unit, households: Iterable[Household] = ()) -> list[int]:
    """Floors that need a coefficient: every floor of the building and any floor a flat is on."""
    top = max([unit.building.floors, *(h.floor for h in households)])
    return list(range(1, top + 1))


def policy_subsidy(unit: Unit, total_cost: Decimal) -> Decimal:
    return costshare.subsidy_for(total_cost, unit.street.subsidy_rule)


def draft_for(unit: Unit, households: Sequence[Household], plan: Plan | None = None) -> PlanDraft:
    """The starting point of the form: the plan's own values, or the building's and the street's."""
    floors = floors_of(unit, households)
    if plan is not None:
        table = plan.coefficient_table
        reliefs = {share.household_id: share.relief for share in plan.shares.all() if share.relief}
        default = unit.street.coefficients_for(len(floors))
        return PlanDraft(
            total_cost=plan.total_cost,
            subsidy=None if plan.subsidy_from_policy else plan.subsidy,
            coefficients={floor: table.get(floor, default[floor]) for floor in floors},
            reliefs=reliefs,
            **{name: getattr(plan, name) for name in AS_DRAFTED},
        )
    building = unit.building
    return PlanDraft(
        total_cost=Decimal("0.00"),
        coefficients=unit.street.coefficients_for(len(floors)),
        stops=building.floors,
        floor_height=building.floor_height,
        spacing=building.spacing,
    )


def compute(unit: Unit, households: Sequence[Household], draft: PlanDraft, *, compare: Plan | None = None) -> Table:
    """The share table for ``draft`` over these households, nothing saved. Raises ShareProblem."""
    if not households:
        raise ShareProblem("__all__", str(NO_HOUSEHOLDS))
    by_pk = {h.pk: h for h in households}
    unknown = set(draft.reliefs) - set(by_pk)
    if unknown:
        raise ShareProblem("relief", str(RELIEF_UNKNOWN_FLAT))
    missing = sorted({h.floor for h in households} - set(draft.coefficients))
    if missing:
        raise ShareProblem("coefficients", str(FLOORS_WITHOUT_COEFFICIENT) % {"floors": "、".join(map(str, missing))})
    for floor, value in draft.coefficients.items():
        if value.is_finite() and (value >= COEFFICIENT_LIMIT or value != value.quantize(Decimal("0.0001"))):
            raise ShareProblem(f"coef_{floor}", str(COEFFICIENT_TOO_PRECISE) % {"floor": floor})
    try:
        if draft.subsidy is None:
            subsidy = policy_subsidy(unit, draft.total_cost)
        else:
            if draft.subsidy > draft.total_cost:
                raise ShareProblem("subsidy", str(SUBSIDY_ABOVE_TOTAL))
            subsidy = draft.subsidy
        net_cost = draft.total_cost - subsidy
        flats = [
            costshare.Flat(room=h.room, floor=h.floor, area=h.area, relief=draft.reliefs.get(h.pk, Decimal("0")))
            for h in households
        ]
        shares = costshare.split(net_cost, flats, draft.coefficients, draft.method)
    except costshare.CostShareError as error:
        where, message = explain(error)
        if where == "relief":
            where = _relief_field(message, households, draft)
        raise ShareProblem(where, message) from None
    previous = previous_amounts(compare)
    rows = [
        share_row(share, h, h.area, previous.get(h.pk) if compare is not None else None)
        for h, share in zip(households, shares, strict=True)
    ]
    return Table(
        total_cost=draft.total_cost, subsidy=subsidy, net_cost=net_cost, method=draft.method, rows=rows,
        subsidy_from_policy=draft.subsidy is None,
    )


def _relief_field(message: str, households: Sequence[Household], draft: PlanDraft) -> str:
    """Point a relief error at the flat's own input when the message names it."""
    for household in households:
        if household.pk in draft.reliefs and household.room in message:
            return f"relief_{household.pk}"
    return "relief"


def roster_changed(plan: Plan, households: Sequence[Household]) -> bool:
    """True when the flats (rooms, floors, areas) differ from those the version was computed with."""
    saved = {(s.household_id, s.room, s.floor, s.area) for s in plan.shares.all()}
    return saved != {(h.pk, h.room, h.floor, h.area) for h in households}


# --- saving ----------------------------------------------------------------------------------------


def plan_save(
    *,
    unit: Unit,
    draft: PlanDraft,
    by,
    base_version: int | None = None,
    households: Sequence[Household] | None = None,
    when=None,
    check_stale: bool = True,
) -> Plan:
    """Save ``draft`` as the unit's next plan version and store every flat's share.

    Refuses (PlanFrozen) once a version is signed, (StalePlan) when ``check_stale`` and the latest
    version is not ``base_version`` (None: the form was a first draft), and (NothingChanged) when the
    new version would say exactly what the latest says. Raises ShareProblem for a share that cannot be
    computed. The unit row is locked so that two savers get consecutive versions, not a clash.
    """
    when = when or timezone.now()
    with transaction.atomic():
        lock_unit(unit)
        latest = unit.plans.order_by("-version").prefetch_related("shares").first()
        if latest is not None and latest.is_signed:
            raise PlanFrozen(PLAN_FROZEN, params={"version": latest.version})
        if check_stale and (latest.version if latest else None) != base_version:
            raise StalePlan(STALE_PLAN, params={"version": latest.version if latest else 0})
        if households is None:
            households = list(unit.households.order_by("-floor", "room"))
        table = compute(unit, households, draft)
        coefficients = {floor: draft.coefficients[floor] for floor in sorted(draft.coefficients)}
        values = {
            **{name: getattr(draft, name) for name in AS_DRAFTED},
            "shaft_position": draft.shaft_position.strip(),
            "total_cost": draft.total_cost,
            "subsidy": table.subsidy,
            "subsidy_from_policy": draft.subsidy is None,
            "coefficients": coefficients_json(coefficients),
        }
        if latest is not None and _same(latest, values, table):
            raise NothingChanged(NOTHING_CHANGED, params={"version": latest.version})
        plan = Plan(
            unit=unit,
            version=(latest.version + 1) if latest else 1,
            note=draft.note.strip()[:300],
            created_by=by,
            created_at=when,
            **values,
        )
        plan.full_clean(exclude=["unit", "created_by"])
        plan.save()
        PlanShare.objects.bulk_create(row.share(plan) for row in table.rows)
    return plan


def _same(plan: Plan, values: dict, table: Table) -> bool:
    for name, value in values.items():
        stored = getattr(plan, name)
        if name == "coefficients":
            if {int(k): Decimal(v) for k, v in stored.items()} != {int(k): Decimal(v) for k, v in value.items()}:
                return False
        elif stored != value:
            return False
    stored_rows = {(s.household_id, s.floor, s.area, s.relief, s.amount) for s in plan.shares.all()}
    return stored_rows == {(r.household.pk, r.floor, r.area, r.relief, r.amount) for r in table.rows}


# --- history ---------------------------------------------------------------------------------------

_COMPARED = ("entry_type", "stops", "shaft_position", "floor_height", "spacing", "total_cost", "subsidy", "method")


@dataclass
class VersionChange:
    plan: Plan
    fields: list[tuple[str, str, str]]  # (label, before, after)
    shares: list[tuple[str, Decimal | None, Decimal | None]]  # (room, before, after)


def history(plans: Sequence[Plan]) -> list[VersionChange]:
    """Each version against the one before it (newest first); ``plans`` carry prefetched shares."""
    ordered = sorted(plans, key=lambda p: p.version)
    result = []
    previous = None
    for plan in ordered:
        fields: list[tuple[str, str, str]] = []
        shares: list[tuple[str, Decimal | None, Decimal | None]] = []
        if previous is not None:
            for name in _COMPARED:
                before, after = getattr(previous, name), getattr(plan, name)
                if before != after:
                    fields.append((str(Plan._meta.get_field(name).verbose_name), _display(previous, name), _display(plan, name)))
            if previous.coefficient_table != plan.coefficient_table:
                fields.append(
                    (
                        str(Plan._meta.get_field("coefficients").verbose_name),
                        costshare.format_coefficients(previous.coefficient_table),
                        costshare.format_coefficients(plan.coefficient_table),
                    )
                )
            before_amounts = {s.room: s.amount for s in previous.shares.all()}
            after_amounts = {s.room: s.amount for s in plan.shares.all()}
            for room in sorted(set(before_amounts) | set(after_amounts), key=natural_key):
                if before_amounts.get(room) != after_amounts.get(room):
                    shares.append((room, before_amounts.get(room), after_amounts.get(room)))
        result.append(VersionChange(plan=plan, fields=fields, shares=shares))
        previous = plan
    return list(reversed(result))


def _display(plan: Plan, name: str) -> str:
    value = getattr(plan, name)
    if name in ("entry_type", "method"):
        return str(getattr(plan, f"get_{name}_display")())
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal) and name in ("total_cost", "subsidy"):
        return f"{value:,.2f}"
    return str(value)


def describe_subsidy_rule(unit: Unit) -> str:
    """The street's subsidy rule in words, for the hint next to the subsidy field."""
    street = unit.street
    if street.subsidy_kind == costshare.FIXED:
        return gettext("%(amount)s yuan per elevator") % {"amount": f"{street.subsidy_amount:,.2f}"}
    if street.subsidy_cap is None:
        return gettext("%(percent)s%% of the total cost") % {"percent": plain_number(street.subsidy_percent)}
    return gettext("%(percent)s%% of the total cost, at most %(cap)s yuan") % {
        "percent": plain_number(street.subsidy_percent),
        "cap": f"{street.subsidy_cap:,.2f}",
    }


