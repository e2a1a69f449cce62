"""The stored consent figures never lag behind the roster, whatever path changed it."""

from consultations.models import UnitTally
from consultations.roster_import import import_roster
from consultations.selectors import consent_by_unit
from tests.consultations.roster_import import workbooks
from units.models import Household


def agree(unit):
    return consent_by_unit([unit])[unit.pk].consent.agree


def test_tallies_are_stored_on_first_read_and_reused(world, django_assert_num_queries):
    assert agree(world.unit) == 8
    assert UnitTally.objects.filter(unit=world.unit).exists()
    with django_assert_num_queries(1):
        consent_by_unit([world.unit])


def test_a_household_edit_drops_the_tally(world):
    agree(world.unit)
    household = world.flats[0]
    household.owner_name = world.flats[1].owner_name
    household.phone = world.flats[1].phone
    household.save()  # now one owner with two flats: eleven owners
    assert consent_by_unit([world.unit])[world.unit.pk].consent.owners == 11


def test_a_policy_change_drops_the_tallies_of_the_street(world):
    assert consent_by_unit([world.unit])[world.unit.pk].consent.threshold_met
    world.street.consent_rule = "local_two_thirds"
    world.street.save()
    # 8 of 12 owners agree: exactly 2/3 of the headcount and of the area passes the older rule too
    assert consent_by_unit([world.unit])[world.unit.pk].consent.threshold_met
    world.street.consent_rule = "custom"
    world.street.agreement_numerator, world.street.agreement_denominator = 9, 10
    world.street.save()
    assert not consent_by_unit([world.unit])[world.unit.pk].consent.threshold_met


def test_an_import_drops_the_tallies_of_the_units_it_touches(world, tmp_path):
    rows = workbooks.flats(4, vote="反对")
    import_roster(workbooks.write_xlsx(tmp_path / "a.xlsx", rows), by=world.users["staff"])
    unit = Household.objects.get(owner_name="业主101").unit
    assert agree(unit) == 0
    rows = workbooks.flats(4, vote="同意")
    import_roster(workbooks.write_xlsx(tmp_path / "b.xlsx", rows), by=world.users["staff"])
    assert agree(unit) == 4


def test_the_guard_reads_the_households_not_the_tally(world):
    from consultations.guards import consent_ready

    agree(world.unit)
    UnitTally.objects.filter(unit=world.unit).update(threshold_met=False, agrees_needed=3)
    assert consent_ready(world.unit) == []
