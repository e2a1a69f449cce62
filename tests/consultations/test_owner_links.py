"""Same-owner links count everywhere flats are grouped into owners (docs/rules.md, "Possible same owner"):
the vote, the import's one-owner-one-vote check, the consent on a given day and the unit panel all go
through one function (selectors.owner_groups), so there is one way to say who is one owner."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations import rules
from consultations.models import SameOwnerDecision, Vote, VoteChange
from consultations.roster_import import ImportFailed, columns, import_roster
from consultations.selectors import consent_by_unit, consent_on, flats_for_rules, unit_panel
from consultations.services import owner_flats_lock, vote_record
from consultations.services.same_owner import same_owner_decide
from tests.consultations.roster_import import workbooks
from tests.factories import add_flats, make_unit
from units.models import Household, Unit


def _link(world, first, second):
    same_owner_decide(unit=first.unit, first=first, second=second, same=True, by=world.users["staff"])


def _votes(*households):
    return [Vote.objects.get(household=h).value for h in households]


# --- 1. the vote ----------------------------------------------------------------------------------


def test_a_vote_on_one_linked_flat_is_the_vote_of_both_with_history_on_each(world):
    first, second = world.flats[9], world.flats[10]  # 502 and 601, both undecided, two names, two phones
    _link(world, first, second)
    staff = world.users["staff"]
    result = vote_record(household=first, value="agree", reason="同意加装", by=staff)
    assert {h.pk for h in result.changed} == {first.pk, second.pk}
    assert _votes(first, second) == ["agree", "agree"]
    for flat in (first, second):
        entry = VoteChange.objects.filter(household=flat).latest("pk")
        assert (entry.before, entry.after, entry.reason, entry.changed_by) == ("undecided", "agree", "同意加装", staff)
    consent = consent_by_unit([world.unit], live=True)[world.unit.pk]
    assert consent.ok and consent.consent.owners == 11


def test_links_chain_and_a_flat_decided_apart_is_left_alone(world):
    first, second, third = world.flats[9], world.flats[10], world.flats[11]
    Vote.objects.filter(household=third).update(value="undecided")
    _link(world, first, second)
    _link(world, second, third)  # A = B and B = C: one owner of three flats
    same_owner_decide(unit=world.unit, first=first, second=world.flats[8], same=False, by=world.users["staff"])
    vote_record(household=third, value="oppose", by=world.users["staff"])
    assert _votes(first, second, third) == ["oppose", "oppose", "oppose"]
    assert Vote.objects.get(household=world.flats[8]).value == "oppose"  # was already; not written
    assert not VoteChange.objects.filter(household=world.flats[8]).exists()


# --- 2. the import --------------------------------------------------------------------------------


@pytest.fixture
def ledger(tmp_path):
    return lambda rows: workbooks.write_xlsx(tmp_path / "ledger.xlsx", rows)


def test_the_import_refuses_two_votes_for_linked_flats(world, ledger):
    rows = workbooks.flats(4)
    import_roster(ledger(rows), by=world.users["staff"])
    stored = {h.room: h for h in Household.objects.filter(unit__building__estate__name="新华小区")}
    _link(world, stored["101"], stored["102"])
    rows[0][columns.VOTE], rows[1][columns.VOTE] = "同意", "反对"
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    assert [e.row for e in failed.value.errors] == [2, 3]
    # Only one of the two in the file, against the other's stored vote: that row is refused too.
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger([rows[1]]), by=world.users["staff"])
    assert [e.row for e in failed.value.errors] == [2]
    # Both linked flats with one vote: the import goes through.
    rows[0][columns.VOTE] = rows[1][columns.VOTE] = "反对"
    import_roster(ledger(rows), by=world.users["staff"])
    assert _votes(stored["101"], stored["102"]) == ["oppose", "oppose"]


# --- 3. consent on a given day --------------------------------------------------------------------


def test_consent_on_today_is_the_live_count_links_certificates_and_institutions_included(world):
    first, second = world.flats[9], world.flats[10]
    _link(world, first, second)
    a, b = world.flats[0], world.flats[1]  # two agreeing flats held by one institution
    Household.objects.filter(pk__in=[a.pk, b.pk]).update(institution="绵纺厂")
    c, d = world.flats[2], world.flats[3]  # two agreeing flats with one certificate number
    Household.objects.filter(pk__in=[c.pk, d.pk]).update(id_hash="h" * 16, id_last4="1234")
    unit = Unit.objects.get(pk=world.unit.pk)
    live = consent_by_unit([unit], live=True)[unit.pk].consent
    assert live.owners == 9
    on_today = consent_on(unit, timezone.localdate()).consent
    assert on_today == live


def test_consent_on_a_day_before_a_link_across_two_votes_is_a_conflict_as_today(world):
    first, second = world.flats[8], world.flats[9]  # oppose and undecided
    _link(world, first, second)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert not consent_on(world.unit, yesterday).ok
    assert consent_on(world.unit, yesterday).conflict.rooms == (first.room, second.room)


# --- 4. the unit panel ----------------------------------------------------------------------------


def test_the_unit_panel_marks_every_flat_of_a_linked_owner_in_the_minimal_set(world):
    unit = make_unit(world.community, estate="链接小区")
    flats = add_flats(unit, ["agree"] * 3 + ["undecided"] * 3)
    _link(world, flats[3], flats[4])  # 202 and 301: one owner of 160 m², the largest to win over
    unit = Unit.objects.get(pk=unit.pk)
    panel = unit_panel(unit)
    assert panel.result.consent.to_convert == (rules.owner_key("202", "业主3", "13900000003"),)
    marked = {line.household.room: line.in_minimal_set for line in panel.holdouts}
    assert marked == {"202": True, "301": True, "302": False}


# --- the property: the vote locks exactly the engine's owners ---------------------------------------

NAMES = ("王芳", "李强", "王 芳")
PHONES = ("", "13900000001", "139-0000-0001", "13900000002")


@st.composite
def units_and_links(draw):
    size = draw(st.integers(1, 8))
    flats = [
        (
            draw(st.sampled_from(NAMES)),
            draw(st.sampled_from(PHONES)),
            draw(st.sampled_from(("", "", "hash1", "hash2"))),
            draw(st.sampled_from(("", "", "", "房管所"))),
        )
        for _ in range(size)
    ]
    pairs = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)).filter(lambda p: p[0] != p[1])
    links = draw(st.lists(pairs, max_size=4))
    return flats, links


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(units_and_links())
def test_the_vote_locks_together_exactly_the_owners_the_engine_counts(world, case):
    flats, links = case
    with transaction.atomic():
        unit = make_unit(world.community, estate="随机小区")
        households = add_flats(unit, ["undecided"] * len(flats))
        for household, (name, phone, id_hash, institution) in zip(households, flats, strict=True):
            household.owner_name, household.phone, household.id_hash, household.institution = name, phone, id_hash, institution
            household.save()
        now = timezone.now()
        for i, j in links:
            first, second = sorted((households[i], households[j]), key=lambda h: h.pk)
            SameOwnerDecision.objects.get_or_create(
                household_a=first, household_b=second,
                defaults={"unit": unit, "same": True, "decided_by": world.users["staff"], "decided_at": now},
            )
        fresh = list(Household.objects.filter(unit=unit).select_related("vote").order_by("pk"))
        rooms = [(households[i].room, households[j].room) for i, j in links]
        expected = {frozenset(owner.rooms) for owner in rules.owners_of(flats_for_rules(fresh), rooms)}
        locked = {frozenset(h.room for h in owner_flats_lock(household)) for household in fresh}
        assert locked == expected
        transaction.set_rollback(True)


def test_the_import_preview_asks_about_a_pair_as_the_unit_page_does_certificates_included(world, ledger):
    """Two flats of one name without a phone are listed, unless their certificate numbers already tell the
    two owners apart (docs/rules.md, "Possible same owner"): the same owner key as the unit page."""
    rows = workbooks.flats(2, **{columns.OWNER: "王芳"})
    assert [(line.first, line.second) for line in import_roster(ledger(rows), dry_run=True).same_owner] == [("101", "102")]
    rows[0][columns.ID_NUMBER], rows[1][columns.ID_NUMBER] = "11010519900101123X", "110105198512120024"
    assert import_roster(ledger(rows), dry_run=True).same_owner == []
