"""Tests for units.costshare: hand-worked cases, then properties (hypothesis). No Django needed."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from units.costshare import (
    FIXED,
    FLOOR,
    FLOOR_AREA,
    METHODS,
    PERCENT,
    CostShareError,
    Flat,
    Share,
    SubsidyRule,
    default_coefficients,
    format_coefficients,
    net_of_subsidy,
    parse_coefficients,
    split,
    subsidy_for,
)

D = Decimal
FEN = Fraction(1, 100)

# The example of docs/rules.md, "Cost share": per household 1F 0 %, 2F 1.5 %, 3F 4 %, 4F 9 %, 5F 15 %, 6F 20.5 %.
EXAMPLE = {1: D("0"), 2: D("1.5"), 3: D("4"), 4: D("9"), 5: D("15"), 6: D("20.5")}


def six_floor_unit(**reliefs: str) -> list[Flat]:
    """Rooms 101, 102, …, 601, 602, all 80 m²; ``reliefs`` maps "r302" to a sum in yuan."""
    return [
        Flat(room=f"{floor}0{n}", floor=floor, area=D("80"), relief=D(reliefs.get(f"r{floor}0{n}", "0")))
        for floor in range(1, 7)
        for n in (1, 2)
    ]


def amounts(shares: list[Share]) -> dict[str, Decimal]:
    return {s.room: s.amount for s in shares}


def assert_exact_to_the_fen(net: Decimal, shares: list[Share]) -> None:
    assert sum((s.amount for s in shares), D("0")) == net
    for s in shares:
        assert s.amount.as_tuple().exponent == -2
        assert s.amount >= 0
        assert abs(Fraction(s.amount) - s.exact) < FEN


# --------------------------------------------------------------------------- hand-worked splits


def test_six_floor_example_350k() -> None:
    # Two flats a floor: Σweights = 2 × (0 + 1.5 + 4 + 9 + 15 + 20.5) = 2 × 50 = 100,
    # so each flat pays coefficient % of 350,000:
    #   1F 0 → 0 (exempt)           2F 1.5 % → 5,250     3F 4 % → 14,000
    #   4F 9 % → 31,500             5F 15 % → 52,500     6F 20.5 % → 71,750
    # Check: 2 × (5,250 + 14,000 + 31,500 + 52,500 + 71,750) = 2 × 175,000 = 350,000.
    shares = split(D("350000.00"), six_floor_unit(), EXAMPLE)
    expected = {
        "1": "0.00",
        "2": "5250.00",
        "3": "14000.00",
        "4": "31500.00",
        "5": "52500.00",
        "6": "71750.00",
    }
    assert amounts(shares) == {f"{f}0{n}": D(v) for f, v in expected.items() for n in (1, 2)}
    assert [s.room for s in shares] == [f.room for f in six_floor_unit()]  # input order
    assert shares[3].coefficient == D("1.5") and shares[3].weight == Fraction(3, 2)
    assert_exact_to_the_fen(D("350000.00"), shares)


def test_leftover_fen_goes_to_higher_floor_on_tie() -> None:
    # 100.00 over three equal weights: 33.333… each, floored 33.33 × 3 = 99.99, one fen left.
    # All remainders equal (⅓ fen) → the higher floor (4F) gets it.
    flats = [Flat("201", 2, D("60")), Flat("401", 4, D("60")), Flat("301", 3, D("60"))]
    shares = split(D("100.00"), flats, {2: D("1"), 3: D("1"), 4: D("1")})
    assert amounts(shares) == {"201": D("33.33"), "301": D("33.33"), "401": D("33.34")}


def test_leftover_fen_tie_on_same_floor_uses_natural_room_order() -> None:
    # 0.01 over two equal flats on one floor: 0.005 each, one fen left, equal remainders and floors.
    # Natural order puts "302" before "1101" and "3-9" before "3-10" (plain string order would not).
    shares = split(D("0.01"), [Flat("1101", 3, D("50")), Flat("302", 3, D("50"))], {3: D("1")})
    assert amounts(shares) == {"1101": D("0.00"), "302": D("0.01")}
    shares = split(D("0.01"), [Flat("3-10", 3, D("50")), Flat("3-9", 3, D("50"))], {3: D("1")})
    assert amounts(shares) == {"3-10": D("0.00"), "3-9": D("0.01")}


def test_floor_area_with_unequal_areas() -> None:
    # Coefficients 2F 1, 3F 2. Weights = coefficient × area:
    #   301: 2 × 90 = 180   302: 2 × 60 = 120   201: 1 × 60 = 60   Σ = 360
    # 1,000.00 × 180/360 = 500.00;  × 120/360 = 333.333…;  × 60/360 = 166.666…
    # Floors: 500.00 + 333.33 + 166.66 = 999.99, one fen left. Remainders: 0, ⅓, ⅔ fen →
    # the largest remainder (201) gets it even though it is on a lower floor.
    flats = [Flat("301", 3, D("90")), Flat("302", 3, D("60")), Flat("201", 2, D("60"))]
    shares = split(D("1000.00"), flats, {2: D("1"), 3: D("2")}, method=FLOOR_AREA)
    assert amounts(shares) == {"301": D("500.00"), "302": D("333.33"), "201": D("166.67")}
    assert [s.weight for s in shares] == [180, 120, 60]
    # The same flats under FLOOR ignore the area: 2 : 2 : 1.
    shares = split(D("1000.00"), flats, {2: D("1"), 3: D("2")}, method=FLOOR)
    assert amounts(shares) == {"301": D("400.00"), "302": D("400.00"), "201": D("200.00")}


def test_relief_on_302_spread_in_proportion() -> None:
    # Before relief (see the 350k case) 302 pays 14,000. Relief 3,000 → 302 pays 11,000.
    # Receivers: every paying flat except 302; their shares total 350,000 − 14,000 = 336,000,
    # so each takes 3,000 × share / 336,000 = share / 112 extra:
    #   2F 5,250 + 46.875 = 5,296.875      3F (301) 14,000 + 125 = 14,125
    #   4F 31,500 + 281.25 = 31,781.25     5F 52,500 + 468.75 = 52,968.75
    #   6F 71,750 + 640.625 = 72,390.625
    # Flooring loses ½ fen on each of 201, 202, 601, 602 → two fens left, four equal remainders:
    # the higher floor first → 601 and 602 get one each (72,390.63); 201 and 202 stay at 5,296.87.
    shares = split(D("350000.00"), six_floor_unit(r302="3000"), EXAMPLE)
    assert amounts(shares) == {
        "101": D("0.00"), "102": D("0.00"),
        "201": D("5296.87"), "202": D("5296.87"),
        "301": D("14125.00"), "302": D("11000.00"),
        "401": D("31781.25"), "402": D("31781.25"),
        "501": D("52968.75"), "502": D("52968.75"),
        "601": D("72390.63"), "602": D("72390.63"),
    }  # fmt: skip
    by_room = {s.room: s for s in shares}
    assert by_room["302"].relief == D("3000.00") and by_room["301"].relief == D("0.00")
    assert by_room["601"].exact == Fraction("72390.625")
    assert_exact_to_the_fen(D("350000.00"), shares)


def test_exempt_ground_floor_pays_zero_even_with_leftover_fens() -> None:
    # 0.03 over 201 and 202 (weight 1 each): 0.015 each → 0.01 + 0.01, one fen left to 201 by room order;
    # 101 and 102 (coefficient 0) get exactly 0 and no fen.
    flats = [
        Flat("101", 1, D("70")),
        Flat("102", 1, D("70")),
        Flat("202", 2, D("70")),
        Flat("201", 2, D("70")),
    ]
    shares = split(D("0.03"), flats, {1: D("0"), 2: D("1")})
    assert amounts(shares) == {"101": D("0.00"), "102": D("0.00"), "201": D("0.02"), "202": D("0.01")}
    assert shares[0].exact == 0 and shares[0].weight == 0


def test_zero_net_cost_and_no_flats() -> None:
    assert amounts(split(D("0"), six_floor_unit(), EXAMPLE)) == {f.room: D("0.00") for f in six_floor_unit()}
    assert split(D("0.00"), [], EXAMPLE) == []
    # Nobody pays, but nothing to pay: fine.
    assert amounts(split(D("0"), [Flat("101", 1, D("50"))], {1: D("0")})) == {"101": D("0.00")}


# --------------------------------------------------------------------------- split errors


@pytest.mark.parametrize(
    ("net", "flats", "table", "message"),
    [
        (D("100"), [Flat("701", 7, D("80"))], EXAMPLE, "Floor 7"),
        (D("100"), [Flat("101", 1, D("80")), Flat("102", 1, D("80"))], EXAMPLE, "exempt"),
        (D("100"), [Flat("101", 1, D("80"), relief=D("1")), Flat("201", 2, D("80"))], EXAMPLE, "101"),
        (
            D("100"),
            [Flat("201", 2, D("80"), relief=D("50.01")), Flat("301", 3, D("80"))],
            {2: 1, 3: 1},
            "201",
        ),
        (
            D("100"),
            [Flat("201", 2, D("80"), relief=D("10")), Flat("101", 1, D("80"))],
            EXAMPLE,
            "other paying",
        ),
        (D("0"), [Flat("201", 2, D("80"), relief=D("0.01")), Flat("301", 3, D("80"))], EXAMPLE, "201"),
        (D("100"), [Flat("201", 2, D("80")), Flat("201", 3, D("80"))], EXAMPLE, "201"),
        (D("-1"), [Flat("201", 2, D("80"))], EXAMPLE, "negative"),
        (D("1.005"), [Flat("201", 2, D("80"))], EXAMPLE, "two decimals"),
        (D("NaN"), [Flat("201", 2, D("80"))], EXAMPLE, "finite"),
        (D("100"), [Flat("201", 2, D("80"))], {2: D("-1")}, "negative"),
    ],
)
def test_split_errors(net: Decimal, flats: list[Flat], table: dict[int, Decimal], message: str) -> None:
    with pytest.raises(CostShareError, match=message):
        split(net, flats, table)


def test_relief_equal_to_share_is_allowed() -> None:
    flats = [Flat("201", 2, D("80"), relief=D("50")), Flat("301", 3, D("80"))]
    assert amounts(split(D("100"), flats, {2: D("1"), 3: D("1")})) == {"201": D("0.00"), "301": D("100.00")}


def test_unknown_method_and_floats_are_rejected() -> None:
    flats = [Flat("201", 2, D("80"))]
    with pytest.raises(CostShareError, match="method"):
        split(D("100"), flats, EXAMPLE, method="area")
    with pytest.raises(TypeError):
        split(100.0, flats, EXAMPLE)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        split(D("100"), flats, {2: 1.5})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        split(D("100"), flats, {"2": D("1")})  # type: ignore[dict-item]  # e.g. keys from a JSONField
    with pytest.raises(TypeError):
        Flat("201", 2, 80.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Flat("201", 2, D("80"), relief=10.0)  # type: ignore[arg-type]
    with pytest.raises(CostShareError, match="201"):
        Flat("201", 2, D("0"))
    with pytest.raises(CostShareError, match="201"):
        Flat("201", 2, D("80"), relief=D("-5"))


# --------------------------------------------------------------------------- subsidy


@pytest.mark.parametrize(
    ("total", "rule", "expected"),
    [
        (D("500000"), SubsidyRule(FIXED, amount=D("200000")), D("200000.00")),
        (D("150000.00"), SubsidyRule(FIXED, amount=D("200000")), D("150000.00")),  # never above the cost
        (D("600000"), SubsidyRule(PERCENT, percent=D("40"), cap=D("280000")), D("240000.00")),  # under cap
        (D("700000"), SubsidyRule(PERCENT, percent=D("40"), cap=D("280000")), D("280000.00")),  # at cap
        (D("800000"), SubsidyRule(PERCENT, percent=D("40"), cap=D("280000")), D("280000.00")),  # over cap
        (D("800000"), SubsidyRule(PERCENT, percent=D("40")), D("320000.00")),  # no cap
        (D("0.10"), SubsidyRule(PERCENT, percent=D("5")), D("0.01")),  # 0.005 rounds half up
        (D("0.10"), SubsidyRule(PERCENT, percent=D("4.9")), D("0.00")),  # 0.0049 rounds down
        (D("0"), SubsidyRule(FIXED, amount=D("200000")), D("0.00")),
    ],
)
def test_subsidy_for(total: Decimal, rule: SubsidyRule, expected: Decimal) -> None:
    result = subsidy_for(total, rule)
    assert result == expected and result.as_tuple().exponent == -2


def test_net_of_subsidy() -> None:
    rule = SubsidyRule(PERCENT, percent=D("40"), cap=D("280000"))
    assert net_of_subsidy(D("700000"), rule) == D("420000.00")
    assert net_of_subsidy(D("100000"), SubsidyRule(FIXED, amount=D("200000"))) == D("0.00")


def test_subsidy_errors() -> None:
    with pytest.raises(CostShareError, match="kind"):
        SubsidyRule("lump")
    with pytest.raises(CostShareError, match="percentage"):
        SubsidyRule(PERCENT, percent=D("140"))
    with pytest.raises(CostShareError, match="negative"):
        SubsidyRule(PERCENT, percent=D("40"), cap=D("-1"))
    with pytest.raises(CostShareError, match="two decimals"):
        SubsidyRule(FIXED, amount=D("1.001"))
    with pytest.raises(TypeError):
        subsidy_for(700000.0, SubsidyRule(FIXED, amount=D("1")))  # type: ignore[arg-type]
    with pytest.raises(CostShareError, match="negative"):
        subsidy_for(D("-1"), SubsidyRule(FIXED, amount=D("1")))


# --------------------------------------------------------------------------- coefficient tables


def test_parse_and_format_coefficients() -> None:
    table = parse_coefficients("1:0, 2:0.3, 3:0.6")
    assert table == {1: D("0"), 2: D("0.3"), 3: D("0.6")}
    assert format_coefficients(table) == "1:0, 2:0.3, 3:0.6"
    # Chinese punctuation, whitespace, newlines, spaces around the colon, any order, trailing %.
    assert parse_coefficients("3：0.6，1：0\n 2 : 0.30 ;4:9%") == {1: 0, 2: D("0.3"), 3: D("0.6"), 4: 9}
    assert (
        format_coefficients({6: D("20.50"), 1: D("0E-3"), 10: D("1E+1"), 2: 3}) == "1:0, 2:3, 6:20.5, 10:10"
    )
    assert parse_coefficients(format_coefficients(EXAMPLE)) == EXAMPLE
    assert format_coefficients(EXAMPLE) == "1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (" ,\n ", "empty"),
        ("1:0, 2", "floor:coefficient"),
        ("1=0", "floor:coefficient"),
        ("a:1", "floor:coefficient"),
        ("1:0:2", "floor:coefficient"),
        ("1:0, 2:abc", "floor 2"),
        ("1:0, 2:0.3, 2:0.4", "Floor 2 appears more than once"),
        ("1:0, 2:-0.3", "floor 2 must not be negative"),
        ("0:1", "Floor 0"),
        ("1:0, 2:Infinity", "finite"),
    ],
)
def test_parse_coefficients_errors(text: str, message: str) -> None:
    with pytest.raises(CostShareError, match=message):
        parse_coefficients(text)


def test_default_coefficients() -> None:
    assert default_coefficients(6) == EXAMPLE
    assert default_coefficients(1) == {1: 0}
    assert default_coefficients(4) == {1: 0, 2: D("1.5"), 3: 4, 4: 9}
    tall = default_coefficients(9)
    assert tall[7] == 26 and tall[9] == 37
    for floors in range(1, 34):
        table = default_coefficients(floors)
        assert sorted(table) == list(range(1, floors + 1)) and table[1] == 0
        assert all(table[f] < table[f + 1] for f in range(1, floors))
    with pytest.raises(CostShareError):
        default_coefficients(0)


# --------------------------------------------------------------------------- properties

PROPS = settings(max_examples=200, deadline=None, database=None)
QUICK = settings(PROPS, max_examples=100)  # for the small, cheap properties

money = st.integers(0, 100_000_000).map(lambda fen: D(fen).scaleb(-2))  # 0 … 1,000,000.00
coefficient = st.integers(0, 3000).map(lambda n: D(n).scaleb(-2))
area = st.integers(2000, 15000).map(lambda n: D(n).scaleb(-2))
coefficient_or_zero = st.one_of(st.just(D("0")), coefficient)
percent_of_share = st.integers(0, 100)


@st.composite
def units(draw: st.DrawFn) -> tuple[list[Flat], dict[int, Decimal]]:
    """A unit of 1–7 floors (old walk-ups), 1–3 flats a floor; the top floor always pays."""
    floors = draw(st.integers(1, 7))
    per_floor = draw(st.integers(1, 3))
    table = {floor: draw(coefficient_or_zero) for floor in range(1, floors + 1)}
    table[floors] = max(table[floors], D("0.01"))
    flats = [
        Flat(room=f"{floor}{n:02d}", floor=floor, area=draw(area))
        for floor in range(1, floors + 1)
        for n in range(1, per_floor + 1)
    ]
    return flats, table


@st.composite
def relieved_units(draw: st.DrawFn) -> tuple[Decimal, list[Flat], dict[int, Decimal], str, list[Flat]]:
    """A unit and the same flats with relief on some paying flats; the top-floor paying flat keeps none."""
    flats, table = draw(units())
    net, method = draw(money), draw(st.sampled_from(METHODS))
    base = split(net, flats, table, method)
    paying = [i for i, s in enumerate(base) if s.weight > 0]
    with_relief = list(flats)
    for i in paying[:-1]:  # the last paying flat takes over the relief
        fen = math.floor(base[i].exact * draw(percent_of_share))  # exact × n/100 yuan = exact × n fen
        with_relief[i] = Flat(flats[i].room, flats[i].floor, flats[i].area, relief=D(fen).scaleb(-2))
    return net, flats, table, method, with_relief


@PROPS
@given(unit=units(), net=money, method=st.sampled_from(METHODS))
def test_split_properties(unit: tuple, net: Decimal, method: str) -> None:
    flats, table = unit
    shares = split(net, flats, table, method)
    # The sum is exactly the net cost; each amount is within a fen of its exact value.
    assert_exact_to_the_fen(net, shares)
    total_weight = sum(s.weight for s in shares)
    for s in shares:
        assert s.exact == Fraction(net) * s.weight / total_weight
        if s.coefficient == 0:  # exempt flats pay exactly 0
            assert s.amount == 0 and s.exact == 0 and s.weight == 0
    if method == FLOOR:  # a higher coefficient never pays less; equal ones differ by a fen at most
        for a in shares:
            for b in shares:
                if a.coefficient > b.coefficient:
                    assert a.amount >= b.amount
                elif a.coefficient == b.coefficient:
                    assert abs(a.amount - b.amount) <= D("0.01")


@PROPS
@given(case=relieved_units(), seed=st.integers(0, 2**32))
def test_relief_and_input_order_properties(case: tuple, seed: int) -> None:
    net, flats, table, method, with_relief = case
    before = split(net, flats, table, method)
    after = split(net, with_relief, table, method)
    assert_exact_to_the_fen(net, after)
    for flat, b, a in zip(with_relief, before, after, strict=True):
        assert a.relief == flat.relief
        if flat.relief > 0:
            assert a.exact == b.exact - Fraction(flat.relief)
            assert a.amount <= b.amount  # relief never raises the relieved flat's share
        else:
            assert a.exact >= b.exact  # the others take over, never give back
        if b.weight == 0:
            assert a.amount == 0
    # Input order only changes the output order: rooms are unique and the tie rule uses floor and room.
    shuffled = random.Random(seed).sample(with_relief, len(with_relief))
    reordered = split(net, shuffled, table, method)
    assert [s.room for s in reordered] == [f.room for f in shuffled]
    assert {s.room: s for s in reordered} == {s.room: s for s in after}


@QUICK
@given(total=money, percent=st.integers(0, 10000), cap=st.none() | money, fixed=money)
def test_subsidy_bounds(total: Decimal, percent: int, cap: Decimal | None, fixed: Decimal) -> None:
    rules = [SubsidyRule(FIXED, amount=fixed), SubsidyRule(PERCENT, percent=D(percent).scaleb(-2), cap=cap)]
    for rule in rules:
        result = subsidy_for(total, rule)
        assert D("0") <= result <= total and result.as_tuple().exponent == -2
        if rule.kind == PERCENT:
            assert abs(Fraction(result) - Fraction(total) * Fraction(rule.percent) / 100) <= FEN / 2 or (
                cap is not None and result == cap
            )
        assert net_of_subsidy(total, rule) == total - result


@QUICK
@given(table=st.dictionaries(st.integers(1, 40), coefficient, min_size=1, max_size=10))
def test_coefficients_round_trip(table: dict[int, Decimal]) -> None:
    text = format_coefficients(table)
    assert parse_coefficients(text) == table
    assert format_coefficients(parse_coefficients(text)) == text
    assert parse_coefficients(text.replace(", ", "，").replace(":", "：")) == table
