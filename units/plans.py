"""A unit's installation plan and cost share: draft it, try what-ifs, save a version.

The arithmetic is ``units.costshare`` (pure, exact to the fen); this module turns households and form
input into its ``Flat`` list, turns its English errors into translated messages tied to a form field,
and writes versions. A version is never edited: saving makes the next one, so the history of a cost
share is the sequence of versions, each with who saved it, when, and what it says.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retrofit.refusals import Refused, Stale

from . import costshare
from .models import EntryType, Household, Plan, PlanShare, RunningCost, SplitMethod, Unit

PLAN_FROZEN = _("Version %(version)d of this plan is signed and frozen: no new version can be saved.")
STALE_PLAN = _("Someone saved version %(version)d meanwhile. Reload the page to see it before you save.")
NO_HOUSEHOLDS = _("The unit has no households on its roster yet.")
NOTHING_CHANGED = _("Nothing changed since version %(version)d, so no new version was saved.")
SUBSIDY_ABOVE_TOTAL = _("The subsidy cannot be more than the total cost.")
RELIEF_UNKNOWN_FLAT = _("Relief was given to a flat that is not in this unit.")
COEFFICIENT_TOO_PRECISE = _("The coefficient of floor %(floor)s has more than 4 decimals or 8 digits before the point.")
FLOORS_WITHOUT_COEFFICIENT = _("No coefficient for floor(s) %(floors)s, where flats are.")
COEFFICIENT_LIMIT = Decimal("100000000")  # PlanShare.coefficient holds 12 digits, 4 after the point


def natural_key(room: str) -> tuple:
    """Rooms in the order people count them: "302" before "1101", "3-9" before "3-10"."""
    return tuple((0, int(p)) if p.isdecimal() else (1, p.casefold()) for p in re.findall(r"\d+|\D+", room))


def plain_number(value: Decimal) -> str:
    """20.50 → "20.5", 1E+1 → "10": how people write a coefficient."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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


@dataclass
class Row:
    """One flat in a share table, computed now or read from a saved version."""

    household: Household | None
    room: str
    floor: int
    area: Decimal
    coefficient: Decimal
    relief: Decimal
    amount: Decimal
    previous: Decimal | None = None  # the same flat's share in the version it is compared with

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous


@dataclass
class Table:
    """A share table: what the plan page, the printout and the what-if preview show."""

    total_cost: Decimal
    subsidy: Decimal
    net_cost: Decimal
    method: str
    rows: list[Row]
    subsidy_from_policy: bool = True

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal("0.00"))

    @property
    def compared(self) -> bool:
        return any(row.previous is not None for row in self.rows)

    @property
    def by_area(self) -> bool:
        return self.method == SplitMethod.FLOOR_AREA

    @property
    def lead_columns(self) -> int:
        """Columns before the share on a phone (room, [area], coefficient); owner and relief show from sm up."""
        return 2 + self.by_area

    @property
    def wide_lead_columns(self) -> int:
        return self.lead_columns + 1 + bool(self.relief_total)

    @property
    def floor_totals(self) -> dict[int, Decimal]:
        return {floor: total for floor, _rows, total in self.floors}

    @property
    def balanced(self) -> bool:
        return self.total == self.net_cost

    @property
    def relief_total(self) -> Decimal:
        return sum((row.relief for row in self.rows), Decimal("0.00"))

    @property
    def floors(self) -> list[tuple[int, list[Row], Decimal]]:
        """Rows grouped by floor, top floor first, each group with its total."""
        grouped: dict[int, list[Row]] = defaultdict(list)
        for row in self.rows:
            grouped[row.floor].append(row)
        return [
            (floor, grouped[floor], sum((r.amount for r in grouped[floor]), Decimal("0.00")))
            for floor in sorted(grouped, reverse=True)
        ]

    @property
    def payers(self) -> int:
        return sum(1 for row in self.rows if row.amount > 0)


class ShareProblem(Exception):
    """A cost share that cannot be computed, with a translated message and the form field it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- translating the engine's errors -------------------------------------------------------------

# The engine speaks English sentences with values inside (it has no Django); each pattern maps one of
# them to a translatable sentence and to the field where the form shows it.
_ENGINE_MESSAGES = [
    (r"Every flat is exempt", "coefficients", _("Every flat has coefficient 0, so nobody would pay the cost.")),
    (
        r"Room (?P<room>.+) is exempt and pays nothing, so it cannot get relief\.",
        "relief",
        _("Room %(room)s pays nothing (coefficient 0), so it cannot get relief."),
    ),
    (
        r"The relief of room (?P<room>.+) is larger than its share\.",
        "relief",
        _("The relief of room %(room)s is larger than its share."),
    ),
    (
        r"Relief needs at least one other paying flat",
        "relief",
        _("Relief needs at least one other paying flat to take over the amount."),
    ),
    (
        r"Floor (?P<floor>\d+) \(room (?P<room>.+)\) has no coefficient\.",
        "coefficients",
        _("Floor %(floor)s (room %(room)s) has no coefficient."),
    ),
    (r"The coefficient table is empty\.", "coefficients", _("The coefficient table is empty.")),
    (
        r"Cannot read (?P<token>.+); write each entry as floor:coefficient",
        "coefficients",
        _("Cannot read %(token)s; write each entry as floor:coefficient, e.g. 2:0.3."),
    ),
    (
        r"The coefficient of floor (?P<floor>-?\d+) \((?P<value>.+)\) is not a number\.",
        "coefficients",
        _("The coefficient of floor %(floor)s (%(value)s) is not a number."),
    ),
    (
        r"The coefficient of floor (?P<floor>-?\d+) must (not be negative|be a finite number)\.",
        "coefficients",
        _("The coefficient of floor %(floor)s must be a number of at least 0."),
    ),
    (r"Floor (?P<floor>-?\d+) is not valid; floors start at 1\.", "coefficients", _("Floor %(floor)s is not valid; floors start at 1.")),
    (
        r"Floor (?P<floor>\d+) appears more than once",
        "coefficients",
        _("Floor %(floor)s appears more than once in the coefficient table."),
    ),
    (r".*must have at most two decimals", "total_cost", _("Amounts in yuan have at most two decimals.")),
    (r".*must not be negative", "total_cost", _("Amounts in yuan must not be negative.")),
]
_COMPILED = [(re.compile(pattern), where, message) for pattern, where, message in _ENGINE_MESSAGES]


def explain(error: costshare.CostShareError) -> tuple[str, str]:
    """(field, translated message) for an engine error; unknown ones keep their English text."""
    text = str(error)
    for pattern, where, message in _COMPILED:
        match = pattern.match(text)
        if match:
            return where, str(message) % match.groupdict()
    return "__all__", text


def parse_coefficient_text(text: str) -> dict[int, Decimal]:
    """``costshare.parse_coefficients`` with a translated error (ShareProblem on field "coefficients")."""
    try:
        return costshare.parse_coefficients(text)
    except costshare.CostShareError as error:
        where, message = explain(error)
        raise ShareProblem("coefficients", message) from None


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
            method=plan.method,
            entry_type=plan.entry_type,
            stops=plan.stops,
            shaft_position=plan.shaft_position,
            floor_height=plan.floor_height,
            spacing=plan.spacing,
            reliefs=reliefs,
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
    previous = _previous_amounts(compare)
    rows = [
        Row(
            household=h,
            room=share.room,
            floor=share.floor,
            area=h.area,
            coefficient=share.coefficient,
            relief=share.relief,
            amount=share.amount,
            previous=previous.get(h.pk) if compare is not None else None,
        )
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


def _previous_amounts(plan: Plan | None) -> dict[int, Decimal]:
    if plan is None:
        return {}
    return {share.household_id: share.amount for share in plan.shares.all()}


def table_of(plan: Plan, households_by_pk: dict[int, Household] | None = None, *, compare: Plan | None = None) -> Table:
    """The stored share table of a saved version (reads its rows, never recomputes)."""
    households_by_pk = households_by_pk or {}
    previous = _previous_amounts(compare)
    rows = [
        Row(
            household=households_by_pk.get(share.household_id),
            room=share.room,
            floor=share.floor,
            area=share.area,
            coefficient=share.coefficient,
            relief=share.relief,
            amount=share.amount,
            previous=previous.get(share.household_id) if compare is not None else None,
        )
        for share in sorted(plan.shares.all(), key=lambda s: (-s.floor, natural_key(s.room)))
    ]
    return Table(
        total_cost=plan.total_cost, subsidy=plan.subsidy, net_cost=plan.net_cost, method=plan.method, rows=rows,
        subsidy_from_policy=plan.subsidy_from_policy,
    )


def roster_changed(plan: Plan, households: Sequence[Household]) -> bool:
    """True when the flats (rooms, floors, areas) differ from those the version was computed with."""
    saved = {(s.household_id, s.room, s.floor, s.area) for s in plan.shares.all()}
    return saved != {(h.pk, h.room, h.floor, h.area) for h in households}


# --- saving ----------------------------------------------------------------------------------------


def _coefficients_json(table: dict[int, Decimal]) -> dict[str, str]:
    return {str(floor): plain_number(value) for floor, value in sorted(table.items())}


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
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
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
            "entry_type": draft.entry_type,
            "stops": draft.stops,
            "shaft_position": draft.shaft_position.strip(),
            "floor_height": draft.floor_height,
            "spacing": draft.spacing,
            "total_cost": draft.total_cost,
            "subsidy": table.subsidy,
            "subsidy_from_policy": draft.subsidy is None,
            "method": draft.method,
            "coefficients": _coefficients_json(coefficients),
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
        PlanShare.objects.bulk_create(
            PlanShare(
                plan=plan,
                household=row.household,
                room=row.room,
                floor=row.floor,
                area=row.area,
                coefficient=row.coefficient,
                relief=row.relief,
                amount=row.amount,
            )
            for row in table.rows
        )
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


# --- running costs after handover ------------------------------------------------------------------

PERIOD_TAKEN = _("Running costs for %(period)s are already saved.")


class PeriodTaken(Refused):
    """A unit has one running-cost split per period."""


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
    shares = sorted(plan.shares.all(), key=lambda s: (-s.floor, natural_key(s.room)))
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
            raise PeriodTaken(PERIOD_TAKEN, params={"period": period})
        record = RunningCost(
            unit=unit, plan=plan, period=period, electricity=electricity, maintenance=maintenance, method=method,
            coefficients=_coefficients_json(coefficients), created_by=by, created_at=when or timezone.now(),
        )
        record.full_clean(exclude=["unit", "plan", "created_by"])
        record.save()
    return record
