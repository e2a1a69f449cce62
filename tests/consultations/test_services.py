from decimal import Decimal

import pytest

from consultations.models import Vote, VoteChange, VoteSource
from consultations.services import StaleVote, vote_record
from units.models import Household


def test_a_vote_change_is_recorded_with_who_when_before_and_after(world):
    staff = world.users["staff"]
    flat = world.flats[9]  # undecided
    vote_record(household=flat, value="agree", reason="子女劝说后同意", by=staff, expected_version=1)
    flat.vote.refresh_from_db()
    assert (flat.vote.value, flat.vote.reason, flat.vote.recorded_by, flat.vote.version) == (
        "agree",
        "子女劝说后同意",
        staff,
        2,
    )
    change = VoteChange.objects.get(household=flat)
    assert (change.before, change.after, change.changed_by, change.source) == ("undecided", "agree", staff, VoteSource.PAGE)
    assert change.changed_at is not None


def test_saving_the_same_vote_again_records_nothing(world):
    flat = world.flats[0]
    vote_record(household=flat, value="agree", reason="", by=world.users["staff"])
    assert not VoteChange.objects.filter(household=flat).exists()


def test_an_owner_of_two_flats_votes_once_for_both(world):
    first, second = world.flats[2], world.flats[10]
    Household.objects.filter(pk=second.pk).update(owner_name=first.owner_name, phone=first.phone)
    Vote.objects.filter(household=second).update(value=first.vote.value)
    vote_record(household=first, value="oppose", reason="", by=world.users["staff"])
    values = dict(Vote.objects.filter(household__in=[first, second]).values_list("household_id", "value"))
    assert values == {first.pk: "oppose", second.pk: "oppose"}
    assert VoteChange.objects.filter(household__in=[first, second]).count() == 2


def test_same_name_without_phone_is_a_different_owner(world):
    first, second = world.flats[2], world.flats[10]
    Household.objects.filter(pk__in=[first.pk, second.pk]).update(owner_name="张三", phone="")
    vote_record(household=Household.objects.get(pk=first.pk), value="oppose", by=world.users["staff"])
    assert Vote.objects.get(household=second).value == "undecided"


def test_a_stale_version_is_refused_and_nothing_is_written(world):
    flat = world.flats[9]
    vote_record(household=flat, value="agree", by=world.users["staff"], expected_version=1)
    with pytest.raises(StaleVote):
        vote_record(household=flat, value="oppose", by=world.users["leader"], expected_version=1)
    assert Vote.objects.get(household=flat).value == "agree"
    assert VoteChange.objects.filter(household=flat).count() == 1


def test_a_household_without_a_vote_row_counts_as_undecided(world):
    from consultations.selectors import consent_by_unit

    new = Household.objects.create(unit=world.unit, room="603", floor=6, area=Decimal("80.00"), owner_name="新户")
    consent = consent_by_unit([world.unit])[world.unit.pk].consent
    assert consent.undecided == 3
    vote_record(household=new, value="agree", by=world.users["staff"])
    assert Vote.objects.get(household=new).version == 1
    assert VoteChange.objects.get(household=new).before == "undecided"


def test_a_new_value_without_a_reason_leaves_no_reason_and_the_history_keeps_the_old_one(world):
    flat = world.flats[8]  # opposes
    staff = world.users["staff"]
    vote_record(household=flat, value="oppose", reason="担心噪音", by=staff)
    vote_record(household=flat, value="agree", reason="", by=staff)
    vote = Vote.objects.get(household=flat)
    assert (vote.value, vote.reason) == ("agree", "")
    reasons = list(VoteChange.objects.filter(household=flat).order_by("id").values_list("after", "reason"))
    assert reasons == [("oppose", "担心噪音"), ("agree", "")]


def test_the_old_votes_reason_is_not_carried_over_to_a_new_value(world):
    """A form drawn with the old vote's reason and sent with another value: the reason stays with the old vote."""
    flat = world.flats[8]
    staff = world.users["staff"]
    vote_record(household=flat, value="oppose", reason="担心噪音", by=staff)
    vote_record(household=flat, value="agree", reason="担心噪音", by=staff)
    vote = Vote.objects.get(household=flat)
    assert (vote.value, vote.reason) == ("agree", "")
    assert VoteChange.objects.filter(household=flat).order_by("id").last().reason == ""
    # Its own reason, typed for the new value, is kept.
    vote_record(household=flat, value="abstain", reason="再看看", by=staff)
    assert Vote.objects.get(household=flat).reason == "再看看"
