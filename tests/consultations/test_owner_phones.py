"""One owner, however the ledger spells their phone (docs/rules.md, "Who is one owner").

The consent engine's owner key compares phones in their one normal form (retrofit/phones.py), so the
same person written "139-0000-0001" on one flat and "13900000001" on another counts once.
"""

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from consultations.models import Vote
from consultations.roster_import import ImportFailed, columns, import_roster
from consultations.rules import owner_key as owner_key_of
from consultations.selectors import consent_by_unit, owner_key
from consultations.services import vote_record
from retrofit.models import User
from tests.consultations.roster_import import workbooks
from tests.consultations.test_rules import (
    FAST,
    assert_same_figures,
    figures_of_both,
    flats_strategy,
    policies,
)
from tests.factories import add_flats, make_unit
from units.models import Household


def test_one_owner_with_the_phone_written_two_ways_counts_once_and_the_unit_no_longer_passes(world):
    unit = make_unit(world.community, estate="电话小区")
    first, second, _third, _fourth = add_flats(unit, ["agree", "agree", "agree", "oppose"])
    Household.objects.filter(pk=first.pk).update(owner_name="王芳", phone="139-0000-0001")
    Household.objects.filter(pk=second.pk).update(owner_name="王芳", phone="13900000002")
    unit = type(unit).objects.select_related("building__estate__community__street").get(pk=unit.pk)
    before = consent_by_unit([unit])[unit.pk].consent
    # Two phones, two owners: 3 of 4 agree, exactly 3/4 of the headcount and of the area.
    assert (before.owners, before.agree, before.threshold_met) == (4, 3, True)

    second.refresh_from_db()
    second.phone = "13900000001"  # the same number as the first flat's, written without dashes
    second.save()
    after = consent_by_unit([unit])[unit.pk].consent
    assert (after.owners, after.agree, after.threshold_met) == (3, 2, False)
    assert after.agrees_needed == 1
    first.refresh_from_db()
    assert owner_key(first) == owner_key(second)


# --- the engine: re-formatting a unit's phones never changes its figures ----------------------------


SPELLINGS = (
    lambda p: p,
    lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}",
    lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}",
    lambda p: f"0086{p}",
    lambda p: "".join(chr(ord("０") + int(d)) for d in p),
    lambda p: f" ({p[:3]}) {p[3:7]}.{p[7:]} ",
)


@FAST
@given(flats_strategy(), policies, st.data())
def test_re_spelling_the_phones_of_a_unit_never_changes_its_consent_figures(flats, policy, data):
    respelt = [
        replace(flat, phone=data.draw(st.sampled_from(SPELLINGS))(flat.phone)) if flat.phone else flat for flat in flats
    ]
    assert_same_figures(flats, respelt, policy)


@FAST
@given(flats_strategy(), policies, st.data())
def test_renaming_the_owners_or_spacing_around_their_names_never_changes_the_consent_figures(flats, policy, data):
    # One owner renamed consistently everywhere (a one-to-one renaming), and spaces typed around a name, are
    # the same owners. Spaces inside a name are not silently merged: such flats are listed as possibly one
    # owner for a person to decide (docs/rules.md, "Possible same owner").
    names = sorted({flat.owner_name.strip() for flat in flats})
    renamed = dict(zip(names, data.draw(st.permutations([f"业主{n}" for n in range(len(names))])), strict=True))
    pad = data.draw(st.sampled_from(["", " ", "　", "\t"]))
    rewritten = [replace(flat, owner_name=f"{pad}{renamed[flat.owner_name.strip()]}{pad}") for flat in flats]
    figures = figures_of_both(flats, rewritten, policy)
    if figures is None:
        return
    before, after = figures
    # Every figure is the same, and as many owners are to convert: which of several equally good owners is
    # named first may follow the names, which changed.
    assert replace(after, to_convert=()) == replace(before, to_convert=())
    assert len(after.to_convert) == len(before.to_convert)


def test_the_owner_key_compares_phones_in_their_normal_form():
    assert owner_key_of("101", " 王芳 ", "139-0000-0001") == ("phone", "王芳", "13900000001")
    assert owner_key_of("101", "王芳", "＋８６ １３９ ００００ ０００１") == ("phone", "王芳", "13900000001")
    assert owner_key_of("101", "王芳", "  ") == ("room", "101")  # no phone: the flat is its own owner
    assert owner_key_of("101", "王芳", "见备注") == ("phone", "王芳", "见备注")  # no number: compared as written


# --- the vote: one owner's flats, however their phones were stored, vote together --------------------


def test_an_owner_of_two_flats_stored_with_two_spellings_votes_once_for_both(world):
    first, second = world.flats[2], world.flats[10]
    Household.objects.filter(pk=first.pk).update(owner_name="王芳", phone="139-0000-0001")
    Household.objects.filter(pk=second.pk).update(owner_name="王芳", phone="13900000001")
    Vote.objects.filter(household=second).update(value=first.vote.value)
    vote_record(household=Household.objects.get(pk=first.pk), value="oppose", by=world.users["staff"])
    values = dict(Vote.objects.filter(household__in=[first, second]).values_list("household_id", "value"))
    assert values == {first.pk: "oppose", second.pk: "oppose"}
    # Another owner of the same name (another number) is not touched.
    assert Vote.objects.get(household=world.flats[3]).value == "agree"


# --- the import: phones stored in their normal form; a wrong one names its row and column -----------


@pytest.fixture
def ledger(tmp_path):
    return lambda rows: workbooks.write_xlsx(tmp_path / "ledger.xlsx", rows)


def test_the_import_stores_phones_in_their_normal_form_and_counts_one_owner_once(world, ledger):
    rows = workbooks.flats(4)
    for index, phone in enumerate(["139-0000-0001", "+86 139 0000 0001", "(028) 8765-0000 转 12", "１３９０００００００２"]):
        rows[index][columns.PHONE] = phone
    rows[0][columns.OWNER] = rows[1][columns.OWNER] = "王芳"
    import_roster(ledger(rows), by=world.users["staff"])
    stored = dict(Household.objects.filter(unit__building__estate__name="新华小区").values_list("room", "phone"))
    assert stored == {"101": "13900000001", "102": "13900000001", "201": "02887650000,12", "202": "13900000002"}
    unit = Household.objects.get(room="101", unit__building__estate__name="新华小区").unit
    assert consent_by_unit([unit])[unit.pk].consent.owners == 3


def test_one_owner_spelt_two_ways_with_two_votes_fails_the_import_on_both_rows(world, ledger):
    rows = workbooks.flats(2)
    rows[0].update({columns.OWNER: "王芳", columns.PHONE: "139-0000-0001", columns.VOTE: "同意"})
    rows[1].update({columns.OWNER: "王芳", columns.PHONE: "13900000001", columns.VOTE: "反对"})
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    assert [e.row for e in failed.value.errors] == [2, 3]


def test_a_wrong_phone_fails_the_import_naming_its_row_and_column_in_chinese(world, ledger):
    rows = workbooks.flats(3)
    rows[1][columns.PHONE] = "139 0000 000"
    with translation.override("zh-hans"), pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    [error] = failed.value.errors
    assert error.row == 3
    with translation.override("zh-hans"):
        assert str(error) == "第 3 行：联系电话“139 0000 000”不是有效的电话号码：请填写11位手机号码，或带区号的固定电话"
    assert not Household.objects.filter(unit__building__estate__name="新华小区").exists()


# --- the admin: its forms store the normal form; its search finds a number however it is typed -------


@pytest.fixture
def admin_client(client, world):
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


def _change(admin_client, household, phone):
    url = reverse("admin:units_household_change", args=[household.pk])
    data = {
        "unit": household.unit_id, "room": household.room, "floor": household.floor, "area": household.area,
        "owner_name": household.owner_name, "phone": phone, "occupancy": household.occupancy, "age_band": "",
        "note": "",
    }
    return admin_client.post(url, data)


def test_the_admin_stores_a_phone_in_its_normal_form(admin_client, world):
    flat = world.flats[0]
    assert _change(admin_client, flat, "１３９－８８８８－０００１").status_code == 302
    flat.refresh_from_db()
    assert flat.phone == "13988880001"


def test_the_admin_refuses_a_wrong_phone_naming_the_field(admin_client, world):
    flat = world.flats[0]
    with translation.override("zh-hans"):
        response = _change(admin_client, flat, "139 0000 000")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"] == [
        "联系电话“139 0000 000”不是有效的电话号码：请填写11位手机号码，或带区号的固定电话"
    ]
    flat.refresh_from_db()
    assert flat.phone == "13900000000"


@pytest.mark.parametrize("typed", ["139-0000-0003", "+86 139 0000 0003", "0000 0003"])
def test_the_admin_search_finds_a_phone_however_it_is_typed(admin_client, world, typed):
    response = admin_client.get(reverse("admin:units_household_changelist"), {"q": typed})
    found = {h.pk for h in response.context["cl"].result_list}
    assert world.flats[3].pk in found
    assert world.flats[4].pk not in found
