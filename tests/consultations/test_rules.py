"""Tests for the consent rules (pure Python, no Django).

Hand-worked cases sit at the exact legal bounds; the Hypothesis properties compare the fast
agrees-needed search with an independent brute force written in integer arithmetic (areas in fen of
a square metre, i.e. hundredths, fractions cross-multiplied).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.rules import (
    ABSTAIN,
    AGREE,
    CIVIL_CODE,
    FEW_HOLDOUTS,
    LOCAL_TWO_THIRDS,
    OPPOSE,
    PRESETS,
    READY,
    SITUATIONS,
    UNDECIDED,
    UNLIKELY,
    UNREACHABLE,
    VOTES,
    WAIT_AND_SEE,
    DuplicateRoom,
    Flat,
    Owner,
    OwnerConflict,
    Policy,
    custom_policy,
    evaluate,
    owners_of,
    passes,
)

D = Decimal


def unit(*votes: str, area: str = "80.00") -> list[Flat]:
    """Equal-area flats, one owner each, rooms 1, 2, 3, ..."""
    return [Flat(str(n), D(area), vote) for n, vote in enumerate(votes, start=1)]


def roster(*rows: tuple[str, str]) -> list[Flat]:
    """Flats with their own areas: rows of (area, vote), one owner each."""
    return [Flat(str(n), D(a), vote) for n, (a, vote) in enumerate(rows, start=1)]


# --- Civil Code bounds ----------------------------------------------------------------------------


def test_twelve_equal_flats_exactly_two_thirds_take_part_and_exactly_three_quarters_agree():
    flats = unit(*[AGREE] * 6, *[OPPOSE] * 2, *[UNDECIDED] * 4)
    result = evaluate(flats)
    assert (result.owners, result.participants, result.agree) == (12, 8, 6)
    assert result.participation_by_count == Fraction(2, 3)
    assert result.agreement_by_count == Fraction(3, 4)
    assert result.participation_met and result.agreement_met and result.threshold_met
    assert result.agrees_needed == 0
    assert result.situation == READY
    assert result.to_convert == ()


def test_seven_of_twelve_taking_part_fails_participation():
    flats = unit(*[AGREE] * 6, OPPOSE, *[UNDECIDED] * 5)
    result = evaluate(flats)
    assert not result.participation_met
    assert result.agreement_met  # 6 of 7 participants agree
    assert not result.threshold_met
    assert result.agrees_needed == 1  # one undecided agreeing: 8 take part, 7 agree


def test_area_exactly_two_thirds_but_headcount_below_fails():
    # 3 owners, total area 300: the 200 m² owner alone holds exactly 2/3 of the area, but is 1 of 3.
    flats = roster(("200.00", AGREE), ("50.00", UNDECIDED), ("50.00", UNDECIDED))
    result = evaluate(flats)
    assert result.participation_by_area == Fraction(2, 3)
    assert result.participation_by_count == Fraction(1, 3)
    assert not result.participation_met
    assert result.agreement_met
    assert result.agrees_needed == 1


def test_headcount_fine_but_area_short_by_one_hundredth_fails():
    # Total 300.00; participants hold 199.99, 0.01 m² short of 2/3. 2 of 3 owners take part.
    flats = roster(("100.00", AGREE), ("99.99", AGREE), ("100.01", UNREACHABLE))
    result = evaluate(flats)
    assert result.participation_by_count == Fraction(2, 3)
    assert result.participant_area == D("199.99")
    assert not result.participation_met
    # The same unit with the area moved by 0.01 m² sits exactly on the bound and passes.
    on_bound = roster(("100.00", AGREE), ("100.00", AGREE), ("100.00", UNREACHABLE))
    assert evaluate(on_bound).threshold_met


def test_agreement_exactly_three_quarters_by_area_with_unequal_areas():
    # Everyone takes part. 90 + 60 agree, 50 opposes: exactly 3/4 by area, but 2 of 3 by count.
    flats = roster(("90.00", AGREE), ("60.00", AGREE), ("50.00", OPPOSE))
    result = evaluate(flats)
    assert result.agreement_by_area == Fraction(3, 4)
    assert result.agreement_by_count == Fraction(2, 3)
    assert not result.agreement_met

    # 90 + 60 + 75 = 225 of 300 m² agree and 3 of 4 owners: exactly 3/4 on both, passes ("以上").
    flats = roster(("90.00", AGREE), ("60.00", AGREE), ("75.00", AGREE), ("75.00", OPPOSE))
    result = evaluate(flats)
    assert result.agreement_by_count == result.agreement_by_area == Fraction(3, 4)
    assert result.agreement_met and result.threshold_met
    # 0.01 m² more opposition tips the area test below the bound.
    flats[-1] = replace(flats[-1], area=D("75.01"))
    result = evaluate(flats)
    assert result.agreement_by_area < Fraction(3, 4)
    assert not result.agreement_met


def test_abstention_takes_part_but_does_not_agree():
    flats = unit(AGREE, AGREE, AGREE, ABSTAIN)
    result = evaluate(flats)
    assert result.participants == 4 and result.abstain == 1
    assert result.threshold_met  # 3 of 4 agree
    assert not evaluate(unit(AGREE, AGREE, ABSTAIN, ABSTAIN)).agreement_met


def test_nobody_taking_part_fails_agreement():
    result = evaluate(unit(UNDECIDED, UNREACHABLE))
    assert result.participants == 0
    assert not result.agreement_met
    assert result.agreement_by_count is None and result.agreement_by_area is None
    # Even without a participation test, zero participants cannot agree.
    assert passes(owners_of(unit(UNDECIDED)), custom_policy(None, Fraction(1, 2))) == (True, False)


# --- de-duplication -------------------------------------------------------------------------------


def test_one_owner_with_three_flats_counts_once_but_with_all_the_area():
    flats = [
        Flat("101", D("60.00"), OPPOSE, "王芳", "13800000001"),
        Flat("201", D("60.00"), OPPOSE, " 王芳 ", "13800000001 "),  # stray spaces are stripped
        Flat("301", D("60.00"), OPPOSE, "王芳", "13800000001"),
        Flat("401", D("60.00"), AGREE, "李伟", "13800000002"),
        Flat("501", D("60.00"), AGREE, "张敏", ""),
    ]
    owners = owners_of(flats)
    assert [o.key for o in owners] == [
        ("phone", "王芳", "13800000001"),
        ("phone", "李伟", "13800000002"),
        ("room", "501"),
    ]
    assert owners[0] == Owner(("phone", "王芳", "13800000001"), ("101", "201", "301"), D("180.00"), OPPOSE)

    result = evaluate(flats)
    assert (result.households, result.owners, result.area_total) == (5, 3, D("300.00"))
    assert (result.agree, result.agree_area, result.oppose) == (2, D("120.00"), 1)
    # 2 of 3 owners agree by headcount, but only 120 of 300 m² of area.
    assert result.agreement_by_count == Fraction(2, 3)
    assert result.agreement_by_area == Fraction(2, 5)


def test_same_name_without_phone_is_two_owners():
    flats = [Flat("101", D("60.00"), AGREE, "王芳"), Flat("102", D("60.00"), OPPOSE, "王芳", "  ")]
    assert [o.key for o in owners_of(flats)] == [("room", "101"), ("room", "102")]


def test_same_name_different_phone_is_two_owners():
    flats = [
        Flat("101", D("60.00"), AGREE, "王芳", "13800000001"),
        Flat("102", D("60.00"), OPPOSE, "王芳", "13800000002"),
    ]
    assert len(owners_of(flats)) == 2


def test_conflicting_votes_of_one_owner_are_an_error():
    flats = [
        Flat("101", D("60.00"), AGREE, "王芳", "13800000001"),
        Flat("102", D("60.00"), AGREE, "李伟", "13800000002"),
        Flat("301", D("60.00"), OPPOSE, "王芳", "13800000001"),
    ]
    with pytest.raises(OwnerConflict) as caught:
        evaluate(flats)
    conflict = caught.value
    assert (conflict.owner_name, conflict.phone, conflict.rooms) == ("王芳", "13800000001", ("101", "301"))
    assert isinstance(conflict, ValueError)
    assert "101, 301" in str(conflict)


def test_duplicate_room_is_an_error():
    with pytest.raises(DuplicateRoom):
        owners_of([Flat("101", D("60.00"), AGREE), Flat("101", D("60.00"), OPPOSE)])


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"area": 60.0}, TypeError),
        ({"area": D("0.00")}, ValueError),
        ({"area": D("-1.00")}, ValueError),
        ({"area": D("NaN")}, ValueError),
        ({"vote": "yes"}, ValueError),
    ],
)
def test_flat_rejects_bad_input(kwargs, error):
    fields = {"room": "101", "area": D("60.00"), "vote": AGREE} | kwargs
    with pytest.raises(error):
        Flat(**fields)


# --- other policies -------------------------------------------------------------------------------


def test_presets():
    assert PRESETS == {"civil_code": CIVIL_CODE, "local_two_thirds": LOCAL_TWO_THIRDS}
    assert CIVIL_CODE == Policy(Fraction(2, 3), Fraction(3, 4), "participants", 2)
    assert LOCAL_TWO_THIRDS == Policy(None, Fraction(2, 3), "all", 2)


def test_local_two_thirds_counts_agreement_against_all_owners():
    # 8 of 12 equal flats agree: exactly 2/3 of all -> passes, whoever else took part.
    flats = unit(*[AGREE] * 8, *[UNREACHABLE] * 4)
    result = evaluate(flats, LOCAL_TWO_THIRDS)
    assert result.participation_met  # no separate participation test
    assert result.agreement_by_count == Fraction(2, 3)
    assert result.threshold_met
    # Under the Civil Code the same roster passes too (8 of 12 take part, all agree) ...
    assert evaluate(flats, CIVIL_CODE).threshold_met
    # ... but 6 agree + 2 oppose passes the Civil Code and fails the local rule (6 of 12 < 2/3).
    flats = unit(*[AGREE] * 6, *[OPPOSE] * 2, *[UNREACHABLE] * 4)
    assert evaluate(flats, CIVIL_CODE).threshold_met
    result = evaluate(flats, LOCAL_TWO_THIRDS)
    assert not result.threshold_met
    assert result.agrees_needed == 2


def test_local_two_thirds_needs_area_too():
    # 2 of 3 owners agree, holding 199.99 of 300.00 m²: 0.01 m² short.
    flats = roster(("100.00", AGREE), ("99.99", AGREE), ("100.01", OPPOSE))
    assert not evaluate(flats, LOCAL_TWO_THIRDS).agreement_met
    flats = roster(("100.00", AGREE), ("100.00", AGREE), ("100.00", OPPOSE))
    assert evaluate(flats, LOCAL_TWO_THIRDS).agreement_met


def test_custom_policy():
    policy = custom_policy(Fraction(1, 2), Fraction(1, 2), few_holdouts_max=1)
    assert policy == Policy(Fraction(1, 2), Fraction(1, 2), "participants", 1)
    flats = unit(AGREE, OPPOSE, UNDECIDED, UNDECIDED)  # half take part, half of them agree
    assert evaluate(flats, policy).threshold_met
    assert not evaluate(flats, CIVIL_CODE).threshold_met
    # Unanimity is allowed; no participation test is allowed.
    assert evaluate(unit(AGREE, AGREE, UNDECIDED), custom_policy(None, Fraction(1))).threshold_met
    assert not evaluate(unit(AGREE, ABSTAIN), custom_policy(None, Fraction(1))).threshold_met
    # Exact inputs other than Fraction are accepted and normalised.
    assert custom_policy("2/3", D("0.75")) == custom_policy(Fraction(2, 3), Fraction(3, 4))


@pytest.mark.parametrize("bad", [Fraction(0), Fraction(-1, 3), Fraction(4, 3), "abc"])
def test_custom_policy_rejects_fractions_outside_zero_to_one(bad):
    with pytest.raises(ValueError):
        custom_policy(bad, Fraction(3, 4))
    with pytest.raises(ValueError):
        custom_policy(Fraction(2, 3), bad)


def test_custom_policy_rejects_floats_and_bad_settings():
    with pytest.raises(TypeError):
        custom_policy(0.5, Fraction(3, 4))
    with pytest.raises(ValueError):
        custom_policy(None, Fraction(3, 4), few_holdouts_max=-1)
    with pytest.raises(ValueError):
        Policy(None, Fraction(3, 4), "everyone")


# --- agrees needed and the four situations --------------------------------------------------------


def test_converting_an_opponent_beats_converting_an_undecided():
    # Participation is met (3 of 4, 300 of 340 m²), agreement is not (2 of 3).
    # One opponent switching gives 3 of 3. One undecided switching gives 3 of 4 by count, but only
    # 240 of 340 m² by area (< 3/4), so that does not pass.
    flats = roster(("100.00", AGREE), ("100.00", AGREE), ("100.00", OPPOSE), ("40.00", UNDECIDED))
    result = evaluate(flats)
    assert not result.threshold_met
    assert result.agrees_needed == 1
    assert result.to_convert == (("room", "3"),)


def test_converting_an_undecided_beats_converting_an_opponent():
    # 5 agree, 1 opposes, 6 undecided (equal areas): only 6 of 12 take part, short of 8.
    # Converting opponents cannot raise participation; two undecided agreeing gives 8 taking part,
    # 7 agreeing. So every minimal set is made of undecided owners only.
    flats = unit(*[AGREE] * 5, OPPOSE, *[UNDECIDED] * 6)
    result = evaluate(flats)
    assert not result.participation_met and result.agreement_met
    assert result.agrees_needed == 2
    undecided = {("room", str(n)) for n in range(7, 13)}
    assert set(result.to_convert) <= undecided


def test_largest_outsiders_are_chosen_first():
    # Participation by area is the binding test: the one big undecided flat is the one to visit.
    flats = roster(
        ("50.00", AGREE),
        ("50.00", AGREE),
        ("50.00", AGREE),
        ("50.00", UNDECIDED),
        ("150.00", UNDECIDED),
        ("50.00", UNDECIDED),
    )
    # Count: 3 of 6 take part; total area 400, participating 150.
    result = evaluate(flats)
    assert result.agrees_needed == 1
    assert result.to_convert == (("room", "5"),)


def test_ready():
    result = evaluate(unit(AGREE, AGREE, AGREE, OPPOSE, UNDECIDED))
    assert (result.situation, result.agrees_needed, result.to_convert) == (READY, 0, ())


def test_few_holdouts():
    # 12 flats, 5 agree, 3 oppose, 4 undecided: 8 take part, 5 agree (< 6).
    result = evaluate(unit(*[AGREE] * 5, *[OPPOSE] * 3, *[UNDECIDED] * 4))
    assert result.situation == FEW_HOLDOUTS
    assert result.agrees_needed == 1


def test_wait_and_see():
    # 12 flats: 2 agree, 1 opposes, 1 abstains, 4 undecided, 4 unreachable. Only 4 take part, so at
    # least 4 outsiders must be won over (8 take part, 6 agree): more than a few, but the soft
    # owners alone would carry it.
    flats = unit(AGREE, AGREE, OPPOSE, ABSTAIN, *[UNDECIDED] * 4, *[UNREACHABLE] * 4)
    result = evaluate(flats)
    assert result.agrees_needed == 4
    assert result.situation == WAIT_AND_SEE


def test_unlikely():
    # 3 agree, 5 oppose, 4 undecided. Even with every undecided agreeing only 7 of 12 agree (< 9);
    # the cheapest way is 3 opponents changing their minds (6 of 8 participants agree).
    flats = unit(*[AGREE] * 3, *[OPPOSE] * 5, *[UNDECIDED] * 4)
    result = evaluate(flats)
    assert result.agrees_needed == 3
    assert result.situation == UNLIKELY
    assert all(key in {("room", str(n)) for n in range(4, 9)} for key in result.to_convert)


def test_few_holdouts_max_is_a_policy_setting():
    flats = unit(*[AGREE] * 3, *[OPPOSE] * 5, *[UNDECIDED] * 4)  # 3 needed, as above
    strict = custom_policy(Fraction(2, 3), Fraction(3, 4), few_holdouts_max=0)
    lenient = custom_policy(Fraction(2, 3), Fraction(3, 4), few_holdouts_max=3)
    assert evaluate(flats, strict).situation == UNLIKELY
    assert evaluate(flats, lenient).situation == FEW_HOLDOUTS
    # With few_holdouts_max=0 a unit one vote short is no longer "few holdouts".
    one_short = unit(*[AGREE] * 5, *[OPPOSE] * 3, *[UNDECIDED] * 4)
    assert evaluate(one_short, strict).situation == WAIT_AND_SEE


def test_no_flats():
    result = evaluate([])
    assert (result.households, result.owners, result.area_total) == (0, 0, D(0))
    assert result.agrees_needed is None and result.situation is None and result.to_convert == ()
    assert not result.threshold_met
    assert result.participation_by_count is None and result.participation_by_area is None


# --- properties -----------------------------------------------------------------------------------

NAMES = ("王芳", "李伟", "张敏")


@st.composite
def flats_strategy(draw, max_flats: int = 10) -> list[Flat]:
    """1..max_flats flats; some owners hold 2-3 flats, some share a name, some have no phone.

    Kept to few draws per flat: Hypothesis' cost is per draw, and the file must stay fast.
    """
    total = draw(st.integers(1, max_flats))
    rows: list[tuple[str, str, str]] = []  # (vote, name, phone) per flat
    owner = 0
    while len(rows) < total:
        owner += 1
        vote = draw(st.sampled_from(VOTES))
        held = draw(st.integers(0, 3))  # 0: no phone, so a single flat; 1-3 flats under one phone
        name = NAMES[owner % len(NAMES)]  # names repeat across owners; phones never do
        phone = f"1380000{owner:04d}" if held else ""
        rows.extend([(vote, name, phone)] * min(max(held, 1), total - len(rows)))
    if draw(st.booleans()):
        rows = rows[::2] + rows[1::2]  # an owner's flats need not be next to each other
    return [
        Flat(f"{n + 1}01", D(draw(st.integers(2000, 15000))) / 100, vote, name, phone)
        for n, (vote, name, phone) in enumerate(rows)
    ]


def figures_of_both(flats, rewritten, policy):
    """The consent figures of the original roster and of the rewritten one, or None where the original has
    an owner conflict: the rewritten one must then have it too."""
    try:
        before = evaluate(flats, policy)
    except OwnerConflict:
        with pytest.raises(OwnerConflict):
            evaluate(rewritten, policy)
        return None
    return before, evaluate(rewritten, policy)


def assert_same_figures(flats, rewritten, policy) -> None:
    """The rewritten roster gives the same consent figures as the original, or the same owner conflict."""
    figures = figures_of_both(flats, rewritten, policy)
    if figures is not None:
        before, after = figures
        assert after == before


# One draw picks a whole policy: the presets plus a grid of custom ones (some with no participation
# test, some with unanimity), each with a different few-holdouts setting.
policies = st.sampled_from(
    [CIVIL_CODE, LOCAL_TWO_THIRDS]
    + [
        custom_policy(participation, agreement, few_holdouts_max=few)
        for participation in (None, Fraction(1, 2), Fraction(2, 3), Fraction(5, 6), Fraction(1))
        for agreement in (Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(1))
        for few in (0, 2, 3)
    ]
    + [Policy(Fraction(1, 2), Fraction(3, 4), "all", 1)]
)

FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# An independent oracle: integer arithmetic on hundredths of m², fractions cross-multiplied.
def oracle_passes(owners: list[Owner], policy: Policy) -> bool:
    cents = [(int(o.area * 100), o.vote) for o in owners]
    n, area = len(cents), sum(c for c, _ in cents)
    part = [(c, v) for c, v in cents if v in (AGREE, OPPOSE, ABSTAIN)]
    agree = [(c, v) for c, v in cents if v == AGREE]
    p_n, p_area = len(part), sum(c for c, _ in part)
    a_n, a_area = len(agree), sum(c for c, _ in agree)

    def at_least(value: int, share: Fraction, whole: int) -> bool:
        return value * share.denominator >= share.numerator * whole

    if policy.participation is not None:
        q = policy.participation
        if not (n and at_least(p_n, q, n) and at_least(p_area, q, area)):
            return False
    base_n, base_area = (p_n, p_area) if policy.agreement_of == "participants" else (n, area)
    q = policy.agreement
    return bool(base_n) and at_least(a_n, q, base_n) and at_least(a_area, q, base_area)


def converted(owners: list[Owner], keys) -> list[Owner]:
    keys = set(keys)
    return [replace(o, vote=AGREE) if o.key in keys else o for o in owners]


def brute_force_minimum(owners: list[Owner], policy: Policy) -> int:
    candidates = [o.key for o in owners if o.vote != AGREE]
    for size in range(len(candidates) + 1):
        if any(oracle_passes(converted(owners, c), policy) for c in itertools.combinations(candidates, size)):
            return size
    raise AssertionError("converting everyone must pass")


@FAST
@given(flats_strategy(), policies)
def test_agrees_needed_to_convert_and_situation_against_brute_force(flats, policy):
    owners = owners_of(flats)
    result = evaluate(flats, policy)
    passing = oracle_passes(owners, policy)
    assert result.threshold_met == passing
    assert (result.agrees_needed == 0) == passing == (result.to_convert == ())
    assert result.agrees_needed == brute_force_minimum(owners, policy)

    # The suggested owners are not yet agreeing, are distinct, and really carry the vote. (No smaller
    # set does: that is the brute-force minimum above.)
    not_agreeing = {o.key for o in owners if o.vote != AGREE}
    assert set(result.to_convert) <= not_agreeing
    assert len(set(result.to_convert)) == len(result.to_convert) == result.agrees_needed
    assert oracle_passes(converted(owners, result.to_convert), policy)

    # The situation follows its definition, tested in order.
    soft = [o.key for o in owners if o.vote in (ABSTAIN, UNDECIDED, UNREACHABLE)]
    if passing:
        expected = READY
    elif result.agrees_needed <= policy.few_holdouts_max:
        expected = FEW_HOLDOUTS
    elif oracle_passes(converted(owners, soft), policy):
        expected = WAIT_AND_SEE
    else:
        expected = UNLIKELY
    assert result.situation == expected
    assert result.situation in SITUATIONS

    # The tally adds up.
    assert result.households == len(flats)
    assert (
        result.owners
        == len(owners)
        == sum((result.agree, result.oppose, result.abstain, result.undecided, result.unreachable))
    )
    assert result.participants == result.agree + result.oppose + result.abstain
    assert result.area_total == sum(f.area for f in flats)
    assert result.agree_area <= result.participant_area <= result.area_total


@FAST
@given(flats_strategy(), policies, st.data())
def test_one_more_agree_never_hurts(flats, policy, data):
    owners = owners_of(flats)
    not_agreeing = [o.key for o in owners if o.vote != AGREE]
    if not not_agreeing:
        return
    key = data.draw(st.sampled_from(not_agreeing))
    switched = [replace(f, vote=AGREE) if _key_of(f, owners) == key else f for f in flats]
    before, after = evaluate(flats, policy), evaluate(switched, policy)
    if before.threshold_met:
        assert after.threshold_met
    # One fewer holdout can save at most one visit, and never costs one.
    assert before.agrees_needed - 1 <= after.agrees_needed <= before.agrees_needed


def _key_of(flat: Flat, owners: list[Owner]) -> tuple:
    return next(o.key for o in owners if flat.room in o.rooms)


@FAST
@given(flats_strategy(), policies, st.integers(0, 2**32))
def test_flat_order_does_not_matter(flats, policy, seed):
    shuffled = list(flats)
    random.Random(seed).shuffle(shuffled)
    assert evaluate(shuffled, policy) == evaluate(flats, policy)
