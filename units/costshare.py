"""Split an elevator's net cost among the flats of a unit, exactly to the fen.

Why the rules are what they are (docs/rules.md, "Cost share"):

* Each flat weighs its floor's coefficient 楼层系数 (``FLOOR``) or coefficient × registered area
  (``FLOOR_AREA``).  Its exact share is ``net_cost × weight / Σweights``, computed with
  ``Fraction`` so that nothing is lost before the final rounding.  Coefficient 0 means exempt: the
  flat pays exactly 0.
* Hardship relief lowers one flat's share by a sum in yuan; the sum of all reliefs is spread over
  the other paying flats (weight > 0, no relief) in proportion to their shares before relief, so the
  total stays the net cost.
* Money is exact: amounts have two decimals, add up to the net cost to the fen, and each lies
  strictly within 0.01 of its exact value.  We use the largest-remainder method: floor every exact
  share to the fen, then hand the leftover fens, one each, to the flats with the largest remainders.
  Tie rule for equal remainders: the higher floor first (it gains most from the elevator), then the
  room in natural sort order ("302" before "1101", "3-9" before "3-10").  Room names are unique, so
  the result does not depend on the order of the input.  A flat whose exact share is a whole number
  of fen (in particular an exempt flat) never receives a fen.

Standard library only: no Django here, the views and forms translate ``CostShareError`` messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from retrofit.ordering import top_floor_first

FLOOR, FLOOR_AREA = "floor", "floor_area"
METHODS = (FLOOR, FLOOR_AREA)
FIXED, PERCENT = "fixed", "percent"

#: The example table of docs/rules.md, "Cost share" (per household, one city's rule) for a six-floor unit.
EXAMPLE_COEFFICIENTS: dict[int, Decimal] = {
    1: Decimal("0"),
    2: Decimal("1.5"),
    3: Decimal("4"),
    4: Decimal("9"),
    5: Decimal("15"),
    6: Decimal("20.5"),
}
_EXTRA_FLOOR_STEP = Decimal("5.5")  # the example's last step (5F → 6F), reused above 6F

_FEN = Decimal("0.01")
_HUNDRED = 100


class CostShareError(ValueError):
    """Invalid input for a cost share or subsidy; the message is an English sentence."""


# --------------------------------------------------------------------------- validation helpers


def _check_decimal(value: object, what: str) -> Decimal:
    """Return ``value`` as a finite Decimal; ints are accepted, floats (inexact) are not."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}.")
    value = Decimal(value)
    if not value.is_finite():
        raise CostShareError(f"{what} must be a finite number.")
    return value


def _check_money(value: object, what: str) -> Decimal:
    """A non-negative amount in yuan with at most two decimals."""
    value = _check_decimal(value, what)
    if value < 0:
        raise CostShareError(f"{what} must not be negative.")
    if (Fraction(value) * _HUNDRED).denominator != 1:
        raise CostShareError(f"{what} must have at most two decimals (whole fen).")
    return value


def _fen_to_decimal(fen: int) -> Decimal:
    """A whole, non-negative number of fen as yuan with exactly two decimals."""
    return Decimal(f"{fen // _HUNDRED}.{fen % _HUNDRED:02d}")


# --------------------------------------------------------------------------- subsidy


@dataclass(frozen=True)
class SubsidyRule:
    """Government subsidy for one elevator: a fixed sum, or a percentage with an optional cap."""

    kind: str  # FIXED or PERCENT
    amount: Decimal = Decimal("0")  # FIXED: the sum in yuan
    percent: Decimal = Decimal("0")  # PERCENT: e.g. Decimal("40") for 40 %
    cap: Decimal | None = None  # PERCENT: at most this many yuan

    def __post_init__(self) -> None:
        if self.kind not in (FIXED, PERCENT):
            raise CostShareError(f"Unknown subsidy kind {self.kind!r}; use {FIXED!r} or {PERCENT!r}.")
        _check_money(self.amount, "The fixed subsidy")
        percent = _check_decimal(self.percent, "The subsidy percentage")
        if not 0 <= percent <= 100:
            raise CostShareError("The subsidy percentage must be between 0 and 100.")
        if self.cap is not None:
            _check_money(self.cap, "The subsidy cap")


def subsidy_for(total_cost: Decimal, rule: SubsidyRule) -> Decimal:
    """The subsidy in yuan (two decimals) for an elevator costing ``total_cost``.

    PERCENT rounds half up to the fen, then applies the cap.  The result is never negative and never
    more than ``total_cost``.
    """
    total = _check_money(total_cost, "The total cost")
    if rule.kind == FIXED:
        fen = Fraction(rule.amount) * _HUNDRED
    else:
        fen = Fraction(math.floor(Fraction(total) * Fraction(rule.percent) + Fraction(1, 2)))
        if rule.cap is not None:
            fen = min(fen, Fraction(rule.cap) * _HUNDRED)
    fen = min(fen, Fraction(total) * _HUNDRED)
    return _fen_to_decimal(int(fen))


def net_of_subsidy(total_cost: Decimal, rule: SubsidyRule) -> Decimal:
    """Net cost = total cost − subsidy (two decimals, never negative)."""
    total = _check_money(total_cost, "The total cost")
    return _fen_to_decimal(
        int(Fraction(total) * _HUNDRED) - int(Fraction(subsidy_for(total, rule)) * _HUNDRED)
    )


# --------------------------------------------------------------------------- coefficient tables

_ENTRY = re.compile(r"^(?P<floor>[+-]?\d+):(?P<value>[^:]+?)%?$")


def parse_coefficients(text: str) -> dict[int, Decimal]:
    """Parse a table such as ``"1:0, 2:0.3, 3:0.6"`` into ``{floor: coefficient}``.

    Entries are ``floor:coefficient``; the colon may be full-width (：), entries are separated by
    commas (, ， 、), semicolons or whitespace/newlines, and a trailing ``%`` on a value is ignored
    (only the ratios between coefficients matter).  Floors are whole numbers >= 1, coefficients are
    >= 0.  Raises CostShareError for bad syntax, duplicate floors, negative values or an empty table.
    """
    normalized = text.replace("：", ":").replace("％", "%")
    normalized = re.sub(r"\s*:\s*", ":", normalized)
    normalized = re.sub(r"\s*%", "%", normalized)
    tokens = [t for t in re.split(r"[,，、;；\s]+", normalized) if t]
    if not tokens:
        raise CostShareError("The coefficient table is empty.")
    table: dict[int, Decimal] = {}
    for token in tokens:
        match = _ENTRY.match(token)
        if match is None:
            raise CostShareError(f"Cannot read {token!r}; write each entry as floor:coefficient, e.g. 2:0.3.")
        floor = int(match["floor"])
        try:
            value = Decimal(match["value"])
        except ArithmeticError:
            raise CostShareError(
                f"The coefficient of floor {floor} ({match['value']!r}) is not a number."
            ) from None
        if not value.is_finite():
            raise CostShareError(f"The coefficient of floor {floor} must be a finite number.")
        if floor < 1:
            raise CostShareError(f"Floor {floor} is not valid; floors start at 1.")
        if value < 0:
            raise CostShareError(f"The coefficient of floor {floor} must not be negative.")
        if floor in table:
            raise CostShareError(f"Floor {floor} appears more than once in the coefficient table.")
        table[floor] = value
    return table


def format_coefficients(table: Mapping[int, Decimal]) -> str:
    """Inverse of :func:`parse_coefficients`: ``"1:0, 2:0.3, 3:0.6"``, sorted by floor."""
    return ", ".join(
        f"{floor}:{_format_number(value)}" for floor, value in sorted(_check_table(table).items())
    )


def _format_number(value: Decimal) -> str:
    """Plain notation without trailing zeros: 20.50 → "20.5", 1E+1 → "10"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def default_coefficients(floors: int) -> dict[int, Decimal]:
    """A default rising table for a unit of ``floors`` floors, ground floor exempt.

    Up to six floors: the first ``floors`` rows of the example in docs/rules.md ("Cost share") (1F 0, 2F 1.5, 3F 4, 4F 9,
    5F 15, 6F 20.5).  Above six floors each floor adds the example's last step, 5.5 (7F 26, 8F 31.5,
    …).  Strictly increasing from 1F, so a higher floor never pays less.
    """
    if isinstance(floors, bool) or not isinstance(floors, int):
        raise TypeError(f"floors must be an int, not {type(floors).__name__}.")
    if floors < 1:
        raise CostShareError("A unit has at least one floor.")
    table = {floor: value for floor, value in EXAMPLE_COEFFICIENTS.items() if floor <= floors}
    for floor in range(len(EXAMPLE_COEFFICIENTS) + 1, floors + 1):
        table[floor] = table[floor - 1] + _EXTRA_FLOOR_STEP
    return table


# --------------------------------------------------------------------------- the split


@dataclass(frozen=True)
class Flat:
    """One flat of the unit, as far as the cost share is concerned."""

    room: str
    floor: int
    area: Decimal  # registered area in m², > 0
    relief: Decimal = Decimal("0")  # hardship relief in yuan, >= 0, 2 decimals

    def __post_init__(self) -> None:
        if not isinstance(self.room, str) or not self.room.strip():
            raise CostShareError("Every flat needs a room number.")
        if isinstance(self.floor, bool) or not isinstance(self.floor, int):
            raise TypeError(f"The floor of room {self.room} must be an int, not {type(self.floor).__name__}.")
        if _check_decimal(self.area, f"The area of room {self.room}") <= 0:
            raise CostShareError(f"The area of room {self.room} must be greater than 0.")
        _check_money(self.relief, f"The relief of room {self.room}")


@dataclass(frozen=True)
class Share:
    """One flat's part of the net cost."""

    room: str
    floor: int
    coefficient: Decimal
    weight: Fraction  # coefficient (FLOOR) or coefficient × area (FLOOR_AREA)
    exact: Fraction  # exact amount in yuan, after relief redistribution, before rounding
    amount: Decimal  # rounded to the fen (two decimals)
    relief: Decimal  # relief given to this flat (0.00 for the others)


def split(
    net_cost: Decimal,
    flats: Sequence[Flat],
    coefficients: Mapping[int, Decimal],
    method: str = FLOOR,
) -> list[Share]:
    """Split ``net_cost`` among ``flats``; the shares come back in the order of ``flats``.

    See the module docstring for the rule, the relief redistribution and the rounding tie rule.
    """
    net = _check_money(net_cost, "The net cost")
    if method not in METHODS:
        raise CostShareError(f"Unknown split method {method!r}; use {FLOOR!r} or {FLOOR_AREA!r}.")
    table = _check_table(coefficients)
    rooms: set[str] = set()
    for flat in flats:
        if not isinstance(flat, Flat):
            raise TypeError(f"Expected a Flat, not {type(flat).__name__}.")
        if flat.room in rooms:
            raise CostShareError(f"Room {flat.room} appears more than once.")
        rooms.add(flat.room)
        if flat.floor not in table:
            raise CostShareError(f"Floor {flat.floor} (room {flat.room}) has no coefficient.")

    weights = [_weight(flat, table[flat.floor], method) for flat in flats]
    total_weight = sum(weights, Fraction(0))
    if total_weight == 0:
        if net > 0:
            raise CostShareError("Every flat is exempt (coefficient 0), so nobody can pay the cost.")
        pre = [Fraction(0)] * len(flats)
    else:
        per_weight = Fraction(net) / total_weight
        pre = [per_weight * w for w in weights]

    exact = _apply_relief(flats, weights, pre)
    amounts = _round_to_fen(net, flats, exact)
    return [
        Share(
            room=flat.room,
            floor=flat.floor,
            coefficient=table[flat.floor],
            weight=weight,
            exact=value,
            amount=amount,
            relief=flat.relief.quantize(_FEN),
        )
        for flat, weight, value, amount in zip(flats, weights, exact, amounts, strict=True)
    ]


def _check_table(coefficients: Mapping[int, Decimal]) -> dict[int, Decimal]:
    table: dict[int, Decimal] = {}
    for floor, value in coefficients.items():
        if isinstance(floor, bool) or not isinstance(floor, int):
            raise TypeError(f"Floors in the coefficient table must be ints, not {type(floor).__name__}.")
        value = _check_decimal(value, f"The coefficient of floor {floor}")
        if value < 0:
            raise CostShareError(f"The coefficient of floor {floor} must not be negative.")
        table[floor] = value
    return table


def _weight(flat: Flat, coefficient: Decimal, method: str) -> Fraction:
    weight = Fraction(coefficient)
    return weight * Fraction(flat.area) if method == FLOOR_AREA else weight


def _apply_relief(flats: Sequence[Flat], weights: list[Fraction], pre: list[Fraction]) -> list[Fraction]:
    """Lower each relieved flat's share; spread the total over the other paying flats by share."""
    total_relief = Fraction(0)
    for flat, weight, share in zip(flats, weights, pre, strict=True):
        if flat.relief == 0:
            continue
        if weight == 0:
            raise CostShareError(f"Room {flat.room} is exempt and pays nothing, so it cannot get relief.")
        if Fraction(flat.relief) > share:
            raise CostShareError(f"The relief of room {flat.room} is larger than its share.")
        total_relief += Fraction(flat.relief)
    if total_relief == 0:
        return list(pre)

    receivers = [i for i, flat in enumerate(flats) if weights[i] > 0 and flat.relief == 0]
    receivers_total = sum((pre[i] for i in receivers), Fraction(0))
    if receivers_total == 0:
        raise CostShareError("Relief needs at least one other paying flat to take over the amount.")
    exact = [share - Fraction(flat.relief) for flat, share in zip(flats, pre, strict=True)]
    for i in receivers:
        exact[i] += total_relief * pre[i] / receivers_total
    return exact


def _round_to_fen(net: Decimal, flats: Sequence[Flat], exact: list[Fraction]) -> list[Decimal]:
    """Largest-remainder rounding; ties go to the higher floor, then the room in natural order."""
    fen: list[int] = []
    remainders: list[Fraction] = []
    for value in exact:
        whole, rest = divmod(value.numerator * _HUNDRED, value.denominator)
        fen.append(whole)
        remainders.append(Fraction(rest, value.denominator))
    leftover = int(Fraction(net) * _HUNDRED) - sum(fen)
    candidates = sorted(
        (i for i, remainder in enumerate(remainders) if remainder),
        key=lambda i: (-remainders[i], top_floor_first(flats[i]), flats[i].room),
    )
    # The leftover is the sum of the remainders, each < 1 fen: there are always enough candidates.
    for i in candidates[:leftover]:
        fen[i] += 1
    return [_fen_to_decimal(value) for value in fen]
