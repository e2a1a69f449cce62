"""The database itself refuses what the forms and the import refuse."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from units.models import Building, Household


def test_one_room_per_unit(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(unit=world.unit, room="101", floor=1, area=Decimal("50"), owner_name="重复")


@pytest.mark.parametrize("area", ["0", "-1.00"])
def test_area_must_be_positive(world, area):
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(unit=world.unit, room="X1", floor=1, area=Decimal(area), owner_name="甲")


def test_floor_must_lie_within_the_building(world):
    assert world.unit.building.floors == 6
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(unit=world.unit, room="701", floor=7, area=Decimal("50"), owner_name="甲")
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=world.flats[0].pk).update(floor=9)
    Household.objects.create(unit=world.unit, room="603", floor=6, area=Decimal("50"), owner_name="甲")


def test_a_building_cannot_shrink_below_its_households(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Building.objects.filter(pk=world.unit.building_id).update(floors=5)
    Building.objects.filter(pk=world.unit.building_id).update(floors=7)
