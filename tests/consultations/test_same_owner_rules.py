"""Possible same owner (docs/rules.md, "Possible same owner"): the pairs a person must decide, and how a
decision to link two flats changes the count. Pure Python, no Django."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.rules import (
    AGREE,
    OPPOSE,
    SAME_NAME,
    SHARED_PHONE,
    SPACING,
    UNDECIDED,
    VOTES,
    Flat,
    OwnerConflict,
    SameOwnerCandidate,
    evaluate,
    owner_key,
    owner_keys_may_repeat,
    owners_of,
    same_owner_candidates,
)

D = Decimal


def flat(room, name="", phone="", vote=AGREE, area="80.00"):
    return Flat(room, D(area), vote, name, phone)


# --- the candidates -------------------------------------------------------------------------------


def test_same_name_where_a_phone_is_missing_is_a_candidate():
    flats = [flat("101", "王芳"), flat("102", "王芳"), flat("201", "王芳", "13900000001"), flat("202", "李伟")]
    assert same_owner_candidates(flats) == [
        SameOwnerCandidate(("101", "102"), SAME_NAME),
        SameOwnerCandidate(("101", "201"), SAME_NAME),
        SameOwnerCandidate(("102", "201"), SAME_NAME),
    ]


def test_one_phone_under_two_names_is_a_candidate_whatever_its_spelling():
    flats = [flat("301", "张伟", "139-0000-0001"), flat("302", "张丽", "+86 139 0000 0001"), flat("401", "", "13900000001")]
    assert same_owner_candidates(flats) == [
        SameOwnerCandidate(("301", "302"), SHARED_PHONE),
        SameOwnerCandidate(("301", "401"), SHARED_PHONE),
        SameOwnerCandidate(("302", "401"), SHARED_PHONE),
    ]


def test_names_differing_only_in_spacing_are_a_candidate():
    flats = [flat("101", "王 芳", "13900000001"), flat("102", "王芳", "13900000001"), flat("201", "李　伟"), flat("202", "李伟")]
    assert same_owner_candidates(flats) == [
        SameOwnerCandidate(("101", "102"), SPACING),
        SameOwnerCandidate(("201", "202"), SPACING),
    ]


def test_no_candidate_where_the_ledger_already_decides():
    flats = [
        flat("101", "王芳", "13900000001"), flat("102", "王芳", "139 0000 0001"),  # one owner already
        flat("201", "李伟", "13900000002"), flat("202", "李伟", "13900000003"),  # two numbers: two people
        flat("301"), flat("302"),  # no name, no phone: nothing to compare
        flat("401", "张敏"), flat("402", "赵强"),
    ]
    assert same_owner_candidates(flats) == []


def test_decided_and_linked_pairs_are_no_longer_open():
    flats = [flat("101", "王芳"), flat("102", "王芳"), flat("103", "王芳")]
    assert same_owner_candidates(flats, decided=[("102", "101")]) == [
        SameOwnerCandidate(("101", "103"), SAME_NAME),
        SameOwnerCandidate(("102", "103"), SAME_NAME),
    ]
    # 101 = 102 and 102 = 103 make 101 and 103 one owner: nothing left to ask.
    assert same_owner_candidates(flats, links=[("101", "102"), ("102", "103")], decided=[("101", "102"), ("102", "103")]) == []


# --- links in the count ---------------------------------------------------------------------------


def _family_unit():
    """Four agreeing flats of 120 m², three undecided of 80 m²; 301 and 302 share a phone under two names."""
    return [
        flat("101", "甲", "13900000011", AGREE, "120.00"),
        flat("102", "乙", "13900000012", AGREE, "120.00"),
        flat("201", "丙", "13900000013", AGREE, "120.00"),
        flat("202", "丁", "13900000014", AGREE, "120.00"),
        flat("301", "张伟", "13900000001", UNDECIDED),
        flat("302", "张丽", "13900000001", UNDECIDED),
        flat("303", "赵强", "13900000002", UNDECIDED),
    ]


def test_linking_two_flats_changes_the_headcount_and_the_result():
    flats = _family_unit()
    before = evaluate(flats)
    # 7 owners, 4 take part: 4/7 < 2/3; the area taking part is 480/720 = 2/3 exactly.
    assert (before.owners, before.participants, before.participation_met, before.threshold_met) == (7, 4, False, False)
    assert before.agrees_needed == 1
    after = evaluate(flats, links=[("302", "301")])
    # 张伟 and 张丽 are one owner (decided by staff): 6 owners, 4/6 = 2/3 take part, 4/4 agree.
    assert (after.households, after.owners, after.participants, after.agree) == (7, 6, 4, 4)
    assert after.area_total == D("720.00") and after.participant_area == D("480.00")
    assert (after.participation_met, after.agreement_met, after.threshold_met, after.agrees_needed) == (True, True, True, 0)
    linked = [o for o in owners_of(flats, links=[("301", "302")]) if len(o.rooms) > 1]
    assert [(o.rooms, o.area, o.vote) for o in linked] == [(("301", "302"), D("160.00"), UNDECIDED)]


def test_links_join_whole_owners_and_unknown_rooms_are_ignored():
    flats = [flat("101", "王芳", "13900000001"), flat("102", "王芳", "13900000001"), flat("201", "王 芳"), flat("202", "李伟")]
    owners = owners_of(flats, links=[("201", "102"), ("999", "202")])
    assert [o.rooms for o in owners] == [("101", "102", "201"), ("202",)]
    assert owners[0].key == ("phone", "王芳", "13900000001")


def test_a_link_across_different_votes_is_an_owner_conflict():
    flats = [flat("301", "张伟", "13900000001", AGREE), flat("302", "张丽", "13900000001", OPPOSE)]
    assert len(owners_of(flats)) == 2
    with pytest.raises(OwnerConflict) as caught:
        owners_of(flats, links=[("301", "302")])
    assert caught.value.rooms == ("301", "302")


# --- property: a link never adds an owner ---------------------------------------------------------

NAMES = ("王芳", "王 芳", "李伟", "")


@st.composite
def linked_units(draw):
    vote = draw(st.sampled_from(VOTES))  # one vote for all: a link across votes is a conflict, not a count
    total = draw(st.integers(1, 9))
    flats = [
        Flat(
            f"{n + 1}01",
            D(draw(st.integers(2000, 15000))) / 100,
            vote,
            draw(st.sampled_from(NAMES)),
            draw(st.sampled_from(("", "13900000001", "139-0000-0002"))),
        )
        for n in range(total)
    ]
    rooms = [f.room for f in flats]
    links = draw(st.lists(st.tuples(st.sampled_from(rooms), st.sampled_from(rooms)), max_size=5))
    return flats, links


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_units())
def test_linking_owners_never_increases_the_headcount(unit):
    flats, links = unit
    unlinked = owners_of(flats)
    for count in range(len(links) + 1):
        owners = owners_of(flats, links=links[:count])
        assert len(owners) <= len(unlinked)
        assert sum((o.area for o in owners), D(0)) == sum((f.area for f in flats), D(0))
        assert sorted(r for o in owners for r in o.rooms) == sorted(f.room for f in flats)
        if count:
            assert len(owners) <= len(owners_of(flats, links=links[: count - 1]))
    # Linking every open candidate as one owner leaves no candidate open.
    everything = [c.rooms for c in same_owner_candidates(flats)]
    assert same_owner_candidates(flats, links=everything) == []
    assert evaluate(flats, links=links).owners <= evaluate(flats).owners


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["王芳", " 王芳", "王 芳", "李强", "", " "]),
            st.sampled_from(["", "13900000001", "139-0000-0001", "13900000002"]),
            st.sampled_from(["", "h1", " h1", "h2"]),
            st.sampled_from(["", " ", "房管所", "房 管所", "街道办"]),
        ),
        max_size=6,
    )
)
def test_owner_keys_repeat_only_where_the_quick_test_says_they_may(flats):
    """owner_keys_may_repeat never misses two flats of one owner key: the import skips the keys of a unit
    whose flats it says are each their own owner."""
    keys = [owner_key(f"{n}01", name, phone, id_hash, institution) for n, (name, phone, id_hash, institution) in enumerate(flats)]
    if len(set(keys)) < len(keys):
        assert owner_keys_may_repeat([f[0] for f in flats], [f[2] for f in flats], [f[3] for f in flats])
