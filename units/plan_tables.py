"""Share tables: the rows a plan page, its printout and the what-if preview show, and the engine's errors in words.

A table is computed from a draft (``units.plans.compute``) or read from a saved version (``table_of``),
never recomputed from a saved one. The arithmetic is ``units.costshare``; its English errors become
translated messages tied to the form field they concern (``explain``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from retrofit.ordering import top_floor_first

from . import costshare
from .models import Household, Plan, PlanShare, SplitMethod


def plain_number(value: Decimal) -> str:
    """20.50 → "20.5", 1E+1 → "10": how people write a coefficient."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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

    def share(self, plan: Plan) -> PlanShare:
        """The row as a share of ``plan``, to be saved."""
        return PlanShare(
            plan=plan, household=self.household, room=self.room, floor=self.floor, area=self.area,
            coefficient=self.coefficient, relief=self.relief, amount=self.amount,
        )

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


# --- tables of saved versions ----------------------------------------------------------------------


def share_row(share, household: Household | None, area: Decimal, previous: Decimal | None) -> Row:
    """A table row from a share (computed by the engine, or a saved PlanShare) and its flat."""
    return Row(
        household=household, room=share.room, floor=share.floor, area=area, coefficient=share.coefficient,
        relief=share.relief, amount=share.amount, previous=previous,
    )


def previous_amounts(plan: Plan | None) -> dict[int, Decimal]:
    if plan is None:
        return {}
    return {share.household_id: share.amount for share in plan.shares.all()}


def table_of(plan: Plan, households_by_pk: dict[int, Household] | None = None, *, compare: Plan | None = None) -> Table:
    """The stored share table of a saved version (reads its rows, never recomputes)."""
    households_by_pk = households_by_pk or {}
    previous = previous_amounts(compare)
    rows = [
        share_row(
            share, households_by_pk.get(share.household_id), share.area,
            previous.get(share.household_id) if compare is not None else None,
        )
        for share in sorted(plan.shares.all(), key=top_floor_first)
    ]
    return Table(
        total_cost=plan.total_cost, subsidy=plan.subsidy, net_cost=plan.net_cost, method=plan.method, rows=rows,
        subsidy_from_policy=plan.subsidy_from_policy,
    )


def coefficients_json(table: dict[int, Decimal]) -> dict[str, str]:
    return {str(floor): plain_number(value) for floor, value in sorted(table.items())}
