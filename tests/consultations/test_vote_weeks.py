"""The vote history, counted as it is written: each unit's changes into and out of agree week by week
(VoteWeek) and in all (UnitTally.agree_net), what the consent trend sums instead of the history."""

from datetime import datetime, timedelta

from django.utils import timezone

from consultations.models import UnitTally, VoteChange, VoteWeek, week_of
from consultations.selectors import consent_by_unit, store_owners_to_visit
from consultations.services.votes import vote_record
from tests.factories import add_flats, make_unit
from tests.histories import nets, stored_weeks, weeks_from_history
from units.models import Stage, Unit


def net_of(unit):
    consent_by_unit([unit])  # stores the tally if it is missing
    return UnitTally.objects.get(unit=unit).agree_net


def test_a_vote_recorded_counts_in_its_units_week_and_in_its_tally(world):
    flat = world.flats[9]  # undecided, and (a fixture) without history: nothing counted yet
    assert net_of(world.unit) == 0 and not VoteWeek.objects.exists()
    vote_record(household=flat, value="agree", by=world.users["staff"])
    week = week_of(timezone.now())
    assert VoteWeek.objects.get(unit=world.unit, week=week).net == 1
    assert net_of(world.unit) == 1
    vote_record(household=flat, value="agree", reason="电梯方便老人", by=world.users["staff"])  # a reason: no step
    vote_record(household=flat, value="oppose", by=world.users["staff"])
    assert VoteWeek.objects.get(unit=world.unit, week=week).net == 0
    latest = VoteChange.objects.filter(household=flat).order_by("-changed_at").first().changed_at
    assert VoteWeek.objects.get(unit=world.unit, week=week).last_at == latest  # the stalled units' clock
    assert net_of(world.unit) == 0
    assert stored_weeks() == weeks_from_history()


def test_a_change_written_directly_drops_the_tally_and_counts_in_its_own_week(world):
    assert net_of(world.unit) == 0
    long_ago = datetime(2025, 3, 2, 23, 30, tzinfo=timezone.get_current_timezone())  # a Sunday night in Shanghai
    VoteChange.objects.create(household=world.flats[10], before="undecided", after="agree", changed_at=long_ago)
    assert not UnitTally.objects.filter(unit=world.unit).exists()
    assert VoteWeek.objects.get(unit=world.unit).week.isoformat() == "2025-02-24"  # that Sunday's Monday
    assert net_of(world.unit) == 1
    assert stored_weeks() == weeks_from_history()


def test_a_re_dated_change_and_changes_written_in_bulk_are_counted_from_the_history(world):
    now = timezone.now()
    change = VoteChange.objects.create(household=world.flats[9], before="undecided", after="agree", changed_at=now)
    change.changed_at = now - timedelta(days=30)
    change.save()
    assert stored_weeks() == weeks_from_history() == {(world.unit.pk, week_of(change.changed_at)): (1, change.changed_at)}
    rows = [
        VoteChange(household=world.flats[0], before="agree", after="oppose", changed_at=now - timedelta(days=3)),
        VoteChange(household=world.flats[1], before="", after="agree", changed_at=now - timedelta(days=300)),
    ]
    VoteChange.objects.bulk_create(rows)  # no signal: the writer counts them
    assert stored_weeks() != weeks_from_history()
    VoteWeek.add((world.unit.pk, row.changed_at, row.before, row.after) for row in rows)
    assert stored_weeks() == weeks_from_history()
    VoteWeek.objects.all().delete()
    VoteWeek.store([world.unit.pk])
    assert stored_weeks() == weeks_from_history()


def test_a_household_deleted_takes_its_history_out_of_its_units_weeks(world):
    flat = world.flats[11]
    VoteChange.objects.create(household=flat, before="abstain", after="agree", changed_at=timezone.now())
    VoteChange.objects.create(household=world.flats[10], before="undecided", after="agree", changed_at=timezone.now())
    assert nets(stored_weeks()) == {(world.unit.pk, week_of(timezone.now())): 2}
    flat.delete()
    assert stored_weeks() == weeks_from_history()
    assert nets(stored_weeks()) == {(world.unit.pk, week_of(timezone.now())): 1}
    assert net_of(world.unit) == 1


def test_a_tally_first_stored_by_the_visit_list_carries_the_history_too(world):
    """The visit list stores a missing tally with its owners to visit: the same figures, history's net
    included, as any other reader storing it."""
    unit = make_unit(world.community, estate=world.estate.name, building="2")
    flats = add_flats(unit, ["oppose"] * 6 + ["undecided"] * 6, owner_prefix="甲")  # short of consent
    Unit.objects.filter(pk=unit.pk).update(stage=Stage.CONSULTATION)
    vote_record(household=flats[0], value="agree", by=world.users["staff"])
    UnitTally.objects.filter(unit=unit).delete()
    store_owners_to_visit(list(Unit.objects.filter(pk=unit.pk).for_listing()))
    assert UnitTally.objects.get(unit=unit).owners_to_visit == 11
    assert UnitTally.objects.get(unit=unit).agree_net == 1 == sum(
        net for (unit_id, _week), net in nets(weeks_from_history()).items() if unit_id == unit.pk
    )

