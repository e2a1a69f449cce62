"""The data migration that puts every stored phone in its one normal form (consultations 0008).

Run here on the test database with the project's models: phones normalised and each change kept in the
household's history; households that become one owner say so, each of them; their unit's tally is dropped.
"""

import importlib

from django.apps import apps

from consultations.models import UnitTally
from consultations.selectors import consent_by_unit
from units.models import Household, HouseholdChange, RosterSource

migration = importlib.import_module("consultations.migrations.0008_phones_in_one_form")


def _history(household):
    return [
        (c.field, c.before, c.after, c.source, c.changed_by)
        for c in HouseholdChange.objects.filter(household=household).order_by("field")
    ]


def test_phones_are_normalised_and_owners_who_become_one_are_told_in_each_history(world):
    flats = world.flats  # 12 flats, owners 业主0…业主11, phones 13900000000…; 0-7 agree, 8 opposes
    Household.objects.filter(pk=flats[0].pk).update(owner_name="王芳", phone="139-0000-0001")
    Household.objects.filter(pk=flats[1].pk).update(owner_name="王芳", phone="+86 139 0000 0001")
    Household.objects.filter(pk=flats[2].pk).update(phone="（０２８）８７６５－００００ 转 12")
    Household.objects.filter(pk=flats[3].pk).update(phone=" 见备注 ")
    consent_by_unit([world.unit])
    UnitTally.objects.filter(unit=world.unit).update(owners=12)  # as counted before phones were compared normalised

    migration.forwards(apps, None)

    stored = dict(Household.objects.filter(unit=world.unit).values_list("pk", "phone"))
    assert [stored[f.pk] for f in flats[:5]] == ["13900000001", "13900000001", "02887650000,12", "见备注", "13900000004"]
    note = "101、102：联系电话统一格式后号码相同、业主姓名相同，计为一名业主（一人一票）"
    m = RosterSource.MIGRATION
    assert _history(flats[0]) == [("phone", "139-0000-0001", "13900000001", m, None), ("same_owner", "", note, m, None)]
    assert _history(flats[1]) == [("phone", "+86 139 0000 0001", "13900000001", m, None), ("same_owner", "", note, m, None)]
    assert _history(flats[2]) == [("phone", "（０２８）８７６５－００００ 转 12", "02887650000,12", m, None)]
    assert _history(flats[3]) == [("phone", " 见备注 ", "见备注", m, None)]
    assert _history(flats[4]) == []
    assert str(HouseholdChange.objects.get(household=flats[0], field="same_owner")) == f"同一业主：— → {note}"
    assert not UnitTally.objects.filter(unit=world.unit).exists()
    assert consent_by_unit([world.unit])[world.unit.pk].consent.owners == 11
    assert not HouseholdChange.objects.exclude(household__unit=world.unit).exists()


def test_a_flat_already_normal_is_told_too_and_differing_votes_are_flagged(world):
    first, second = world.flats[0], world.flats[8]  # agree, oppose
    Household.objects.filter(pk=first.pk).update(owner_name="王芳", phone="13900000001")
    Household.objects.filter(pk=second.pk).update(owner_name="王芳", phone="139 0000 0001")

    migration.forwards(apps, None)

    note = "101、501：联系电话统一格式后号码相同、业主姓名相同，计为一名业主（一人一票）；各户表决意见不同，请核实后统一"
    assert _history(first) == [("same_owner", "", note, RosterSource.MIGRATION, None)]
    assert [c[0] for c in _history(second)] == ["phone", "same_owner"]
    # One owner, two votes: the consent engine now stops on the conflict until staff settle it.
    assert consent_by_unit([world.unit])[world.unit.pk].conflict is not None


def test_owners_already_one_and_numbers_already_normal_leave_no_trace(world):
    first, second = world.flats[0], world.flats[1]
    Household.objects.filter(pk__in=[first.pk, second.pk]).update(owner_name="王芳", phone="13900000001")
    consent_by_unit([world.unit])
    migration.forwards(apps, None)
    assert not HouseholdChange.objects.exists()
    assert UnitTally.objects.filter(unit=world.unit).exists()
