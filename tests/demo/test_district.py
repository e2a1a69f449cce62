"""The district generator (demo/district.py) behind `seed_demo --households N` and `make bench`."""

from collections import Counter

import pytest
from django.db import transaction

from consultations.models import UnitTally, Vote, VoteChange, agree_step
from consultations.selectors import consent_by_unit
from demo import district
from demo.district import seed_district, store_tallies
from tests.histories import reached_from_history, stored_reached, stored_weeks, weeks_from_history
from units.models import Household, Stage, StageChange, Street, Unit

pytestmark = pytest.mark.django_db


def test_a_district_has_exactly_the_households_asked_for_in_realistic_units():
    report = seed_district(households=1_500)
    assert report.households == Household.objects.count() == Vote.objects.count() == 1_500
    assert report.streets == 1 and report.communities == 2
    flats = Counter(Household.objects.values_list("unit_id", flat=True))
    assert max(flats.values()) <= 7 * 3  # 5–7 floors, 2–3 flats a floor
    assert {h.floor for h in Household.objects.all()} <= set(range(1, 8))
    assert all(50 <= h.area <= 120 for h in Household.objects.only("area"))
    # Every unit's owners agree with themselves: the consent engine answers for each unit.
    results = consent_by_unit(Unit.objects.for_listing(), live=True)
    assert all(result.ok for result in results.values())
    # Every household has a first answer on record; every stage but survey has the moves that led to it.
    assert VoteChange.objects.filter(before="").count() == 1_500
    for unit in Unit.objects.exclude(stage=Stage.SURVEY):
        assert StageChange.objects.filter(unit=unit).order_by("-changed_at").first().after == unit.stage


def test_high_floors_agree_more_than_low_floors():
    seed_district(households=3_000)
    votes = Household.objects.values_list("floor", "vote__value")
    share = {
        band: sum(1 for f, v in votes if f in floors and v == "agree") / sum(1 for f, _v in votes if f in floors)
        for band, floors in (("low", {1, 2}), ("high", {5, 6, 7}))
    }
    assert share["high"] > share["low"] + 0.1


def test_the_first_street_is_the_same_whatever_the_size_of_the_district(monkeypatch):
    # What lets the benchmark compare 10,000 and 100,000 households page for page (at 300 a street here).
    monkeypatch.setattr(district, "HOUSEHOLDS_PER_STREET", 300)

    def first_street(households):
        with transaction.atomic():
            seed_district(households=households, seed=7)
            street = Street.objects.order_by("pk").first()
            rows = list(
                Household.objects.filter(unit__building__estate__community__street=street)
                .order_by("pk")
                .values_list("unit__building__estate__name", "room", "area", "owner_name", "vote__value")
            )
            streets = Street.objects.count()
            transaction.set_rollback(True)
        return streets, rows

    small, large = first_street(300), first_street(900)
    assert (small[0], large[0]) == (1, 3)
    assert small[1] == large[1] and len(small[1]) == 300


def test_the_history_written_in_bulk_is_counted_as_the_dashboards_read_it():
    """The generator writes its moves and votes in bulk (no signal): it stores their first arrivals and
    weeks itself, and the tallies count the vote history's net into agree."""
    seed_district(households=800)
    assert stored_reached() == reached_from_history() and stored_weeks() == weeks_from_history()
    store_tallies(Unit.objects.all())
    nets = Counter()
    for unit_id, before, after in VoteChange.objects.values_list("household__unit_id", "before", "after"):
        nets[unit_id] += agree_step(before, after)
    assert dict(UnitTally.objects.values_list("unit_id", "agree_net")) == {pk: nets[pk] for pk in Unit.objects.values_list("pk", flat=True)}
