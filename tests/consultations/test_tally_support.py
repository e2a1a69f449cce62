"""The support pattern stored in each unit's tally (floor band, occupancy, age group × agree / oppose /
neither) is the pattern counted household by household, however the households and votes got there,
and the migration that first stores it (consultations 0015) gives the same figures."""

import importlib

from django.apps import apps

from consultations import services
from consultations.models import UnitTally, Vote
from consultations.selectors import (
    consent_by_unit,
    store_missing_tallies,
    stored_support_pattern,
    support_pattern,
)
from tests.factories import add_flats, make_unit
from units.models import Household, Unit

migration = importlib.import_module("consultations.migrations.0015_tally_support_pattern")


def _tables(pattern):
    return {
        table: [(row.key, str(row.label), row.agree, row.oppose, row.other) for row in rows]
        for table, rows in (("floor", pattern.by_floor), ("occupancy", pattern.by_occupancy), ("age", pattern.by_age))
    } | {"households": pattern.households}


def _varied(world):
    """The world's unit with rented, vacant and aged flats, a flat without a vote row, and a second unit
    whose roster is in conflict (one owner's flats voting differently), which the pattern still counts."""
    Household.objects.filter(unit=world.unit, floor__lte=2).update(occupancy="rented", age_band="under_40")
    Household.objects.filter(unit=world.unit, floor=3).update(occupancy="empty", age_band="60_74")
    Household.objects.filter(unit=world.unit, floor__gte=5).update(age_band="75_plus")
    Vote.objects.filter(household__room="602", household__unit=world.unit).delete()
    other = make_unit(world.community, estate=world.estate.name, building="2")
    flats = add_flats(other, ["agree", "oppose", "abstain", "unreachable"] * 2, owner_prefix="乙")
    Household.objects.filter(pk__in=[flats[0].pk, flats[1].pk]).update(owner_name="同一人", phone="13911112222")
    Household.objects.filter(pk=flats[2].pk).update(age_band="40_59", occupancy="rented")
    return Unit.objects.filter(pk__in=[world.unit.pk, other.pk])


def test_the_stored_pattern_is_the_one_counted_flat_by_flat(world):
    units = _varied(world)
    store_missing_tallies(units)
    assert UnitTally.objects.filter(unit__in=units).count() == 2
    assert UnitTally.objects.get(unit__in=units, conflict__gt="").households == 0  # the engine stopped there
    counted = _tables(support_pattern(units))
    assert counted["households"] == 20
    assert _tables(stored_support_pattern(units)) == counted
    assert _tables(stored_support_pattern(Unit.objects.none())) == _tables(support_pattern(Unit.objects.none()))
    for unit in units:  # and unit by unit
        one = Unit.objects.filter(pk=unit.pk)
        assert _tables(stored_support_pattern(one)) == _tables(support_pattern(one))


def test_a_vote_or_a_household_changed_is_in_the_stored_pattern_on_the_next_read(world):
    units = _varied(world)
    store_missing_tallies(units)
    high = [row.oppose for row in stored_support_pattern(units).by_floor if row.key == "high"]
    services.vote_record(household=world.flats[11], value="oppose", by=world.users["staff"])  # 602, no vote before
    flat = Household.objects.get(pk=world.flats[4].pk)
    flat.age_band = ""
    flat.save()
    store_missing_tallies(units)
    assert _tables(stored_support_pattern(units)) == _tables(support_pattern(units))
    assert [row.oppose for row in stored_support_pattern(units).by_floor if row.key == "high"] == [high[0] + 1]
    assert "" in [row.key for row in stored_support_pattern(units).by_age]


def test_the_migration_stores_the_pattern_of_the_tallies_already_stored(world):
    units = _varied(world)
    consent_by_unit(units.for_listing())
    UnitTally.objects.update(**{name: 0 for name in UnitTally.support_fields()})  # as stored before
    migration.support_figures(apps, None)
    assert _tables(stored_support_pattern(units)) == _tables(support_pattern(units))
