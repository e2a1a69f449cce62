"""The consent trend, progress over time and the stalled units read stored figures (the tallies' net of
the vote history, its weeks, the units' first arrivals in each stage), not the history: their figures
are still exactly those counted from the whole history, at the street and at the district level."""

import random
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consultations import attention
from consultations.attention import LAST_CHANGE
from consultations.models import VoteChange, VoteWeek
from retrofit.models import Role
from tests.factories import make_user
from tests.histories import (
    progress_from_history,
    reached_from_history,
    stalled_from_history,
    stored_reached,
    stored_weeks,
    trend_from_history,
    weeks_from_history,
)
from units.models import District, Stage, StageChange, Street, Unit

from .test_dashboard import street_url

VOTES = ("", "undecided", "agree", "agree", "oppose", "abstain")


def scatter_history(world, seed):
    """Changes of vote and moves at random times, from a year and a half ago to ten days ahead (a phone's
    save dated ahead), some into agree, some out, some neither, on both units of the street and beyond it."""
    rng, now = random.Random(seed), timezone.now()
    flats = [*world.flats, *world.sibling_unit.households.all(), *world.far_unit.households.all()]
    for _ in range(120):
        VoteChange.objects.create(
            household=rng.choice(flats), before=rng.choice(VOTES), after=rng.choice(VOTES[1:]),
            changed_at=now - timedelta(days=rng.randint(-10, 540), minutes=rng.randint(0, 1440)),
        )
    for _ in range(30):
        StageChange.objects.create(
            unit=rng.choice([world.unit, world.sibling_unit, world.far_unit]), before=Stage.SIGNING,
            after=rng.choice([Stage.APPROVAL, Stage.ACCEPTANCE, Stage.IN_SERVICE, Stage.CONSTRUCTION]),
            changed_at=now - timedelta(days=rng.randint(0, 540), minutes=rng.randint(0, 1440)),
        )
    assert stored_weeks() == weeks_from_history() and stored_reached() == reached_from_history()


def test_the_street_dashboard_s_trend_and_progress_are_the_whole_history_s(client, world):
    client.force_login(world.users["leader"])
    for seed in (1, 2):
        scatter_history(world, seed)
        board = client.get(street_url(world)).context["board"]
        units = Unit.objects.filter(building__estate__community__street=world.street)
        assert board.trend == trend_from_history(units, timezone.localdate())
        assert board.progress == progress_from_history(units)
        assert any(board.trend["agreed"]) and board.progress["months"]


def test_the_stalled_units_are_those_the_whole_history_says(world):
    """The attention list asks the stored weeks whether a unit's votes moved in 30 days, and when last."""
    Unit.objects.update(stage_since=timezone.now() - timedelta(days=45))
    units = Unit.objects.all()

    def check():
        today = timezone.localdate()
        stalled = [(item.unit_id, item.detail) for item in attention.stalled_units(units, today)]
        assert stalled == [(pk, str(LAST_CHANGE % {"date": day.isoformat()})) for pk, day in stalled_from_history(units, today)]
        return stalled

    for seed, quiet in ((4, [world.unit]), (5, [world.unit, world.far_unit])):
        scatter_history(world, seed)  # moves do not touch stage_since: every stage stays 45 days old
        check()
        recent = VoteChange.objects.filter(household__unit__in=quiet, changed_at__gte=timezone.now() - timedelta(days=31))
        recent.delete()  # these units' votes fall quiet (only a test deletes history: their weeks again)
        VoteWeek.store([unit.pk for unit in quiet])
        assert {pk for pk, _detail in check()} == {unit.pk for unit in quiet}


def test_the_district_dashboard_s_trend_and_progress_are_the_whole_history_s(client, world):
    district = District.objects.create(name="涪城区")
    Street.objects.filter(pk__in=[world.street.pk, world.other_street.pk]).update(district=district)
    client.force_login(make_user("bureau", Role.DISTRICT_OFFICIAL, district=district))
    scatter_history(world, 3)
    board = client.get(reverse("dashboard", kwargs={"level": "district", "pk": district.pk})).context["board"]
    units = Unit.objects.filter(building__estate__community__street__district=district)
    assert board.trend == trend_from_history(units, timezone.localdate())
    assert board.progress == progress_from_history(units)
