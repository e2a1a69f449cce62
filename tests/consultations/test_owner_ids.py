"""Who is one owner: the certificate number (证件号码) and the institution (公房/单位产权) (docs/rules.md).

Hand-worked units give the expected owners, participation and agreement; a property test re-formats
certificate numbers and finds the same figures; the import keeps only a keyed hash and the last four.
"""

import io
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from consultations.models import Vote
from consultations.roster_import import ImportFailed, columns, import_roster
from consultations.rules import AGREE, OPPOSE, UNDECIDED, Flat, OwnerConflict, evaluate, owner_key, owners_of
from consultations.selectors import consent_by_unit
from consultations.services import vote_record
from retrofit import owner_ids
from tests.consultations.roster_import import workbooks
from tests.consultations.test_rules import FAST, assert_same_figures, flats_strategy, policies
from tests.reports.conftest import body, xlsx_text
from units.models import Household, HouseholdChange, Unit

ID = "11010519900101123X"
OTHER_ID = "110105198512120024"


def h(number):
    return owner_ids.digest(number)


# --- the keyed hash ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [ID, "11010519900101123x", " 110105 19900101 123x ", "１１０１０５１９９００１０１１２３ｘ", "110105\u300019900101123X"],
)
def test_a_certificate_number_is_read_in_one_form(written):
    assert owner_ids.normalise(written) == ID
    assert owner_ids.digest(written) == owner_ids.digest(ID)
    assert owner_ids.last_four(written) == "123X"


def test_the_hash_is_keyed_and_a_blank_number_has_none():
    assert owner_ids.digest(ID, key="one") != owner_ids.digest(ID, key="two")
    assert len(owner_ids.digest(ID)) == 64 and ID not in owner_ids.digest(ID)
    assert owner_ids.digest("  ") == "" and owner_ids.masked("") == ""
    assert owner_ids.masked("123X") == "****123X"
    usual = h(ID)
    with override_settings(OWNER_ID_KEY="another key"):
        assert owner_ids.digest(ID) != usual


# --- the owner key: institution, then certificate, then name and phone --------------------------------


def test_the_owner_key_takes_the_institution_then_the_certificate_then_name_and_phone():
    assert owner_key("101", "王芳", "13900000001", h(ID), "某 厂") == ("institution", "某厂")
    assert owner_key("101", "王芳", "13900000001", h(ID)) == ("id", h(ID))
    assert owner_key("101", "王芳", "13900000001", "") == ("phone", "王芳", "13900000001")
    assert owner_key("101", "王芳", "", "") == ("room", "101")


def flat(room, vote, name="", phone="", number="", institution="", area="80.00"):
    return Flat(room, D(area), vote, name, phone, h(number) if number else "", institution)


def test_two_flats_with_one_certificate_and_two_phones_are_one_owner_and_the_unit_fails():
    flats = [
        flat("101", AGREE, "王芳", "13900000001", ID),
        flat("102", AGREE, "王 芳", "13900000002", " 110105 19900101 123x"),
        flat("201", AGREE, "李明", "13900000003"),
        flat("202", OPPOSE, "赵强", "13900000004"),
    ]
    without = evaluate([replace(f, id_hash="") for f in flats])
    assert (without.owners, without.participants, without.agree, without.threshold_met) == (4, 4, 3, True)
    consent = evaluate(flats)
    # One owner of 160 m² agrees, one of 80 agrees, one of 80 opposes: 2 of 3 by count (< 3/4).
    assert (consent.households, consent.owners, consent.participants, consent.agree) == (4, 3, 3, 2)
    assert consent.agree_area == D("240.00") and consent.participant_area == D("320.00")
    assert (consent.participation_met, consent.agreement_met, consent.agrees_needed) == (True, False, 1)


def test_one_name_and_phone_with_two_certificates_are_two_owners():
    flats = [
        flat("101", AGREE, "王芳", "13900000001", ID),
        flat("102", AGREE, "王芳", "13900000001", OTHER_ID),
        flat("201", OPPOSE, "赵强"),
    ]
    without = evaluate([replace(f, id_hash="") for f in flats])
    assert (without.owners, without.agree, without.threshold_met) == (2, 1, False)
    consent = evaluate(flats)
    assert (consent.owners, consent.participants, consent.agree, consent.threshold_met) == (3, 3, 2, False)
    assert [o.rooms for o in owners_of(flats)] == [("101",), ("102",), ("201",)]


def test_one_certificate_with_two_votes_is_an_owner_conflict():
    with pytest.raises(OwnerConflict):
        owners_of([flat("101", AGREE, "王芳", number=ID), flat("102", OPPOSE, "王芳芳", number=ID)])


def test_three_flats_of_one_factory_are_one_owner():
    flats = [
        flat("101", AGREE, "张师傅", institution="某厂"),
        flat("102", AGREE, "李师傅", institution="某厂"),
        flat("201", AGREE, "刘师傅", "13900000007", institution="某 厂"),
        flat("202", AGREE, "孙红"),
        flat("301", OPPOSE, "周平"),
    ]
    without = evaluate([replace(f, institution="") for f in flats])
    assert (without.owners, without.agree, without.threshold_met) == (5, 4, True)
    consent = evaluate(flats)
    assert (consent.owners, consent.participants, consent.agree, consent.oppose) == (3, 3, 2, 1)
    assert consent.agree_area == D("320.00") and consent.area_total == D("400.00")
    assert (consent.participation_met, consent.agreement_met) == (True, False)


def test_the_institution_comes_before_the_tenants_certificates():
    flats = [
        flat("101", UNDECIDED, "张师傅", number=ID, institution="市房管局"),
        flat("102", UNDECIDED, "李师傅", number=OTHER_ID, institution="市房管局"),
        flat("201", AGREE, "孙红", number=ID),  # the tenant's own flat: a private one, another owner
    ]
    owners = owners_of(flats)
    assert [o.rooms for o in owners] == [("101", "102"), ("201",)]
    consent = evaluate(flats)
    assert (consent.owners, consent.participants, consent.agree, consent.participation_met) == (2, 1, 1, False)


# --- property: re-formatting a certificate number never changes the figures ----------------------------

SPELLINGS = (
    lambda n: n,
    lambda n: n.lower(),
    lambda n: f" {n[:6]} {n[6:14]} {n[14:]} ",
    lambda n: "".join(chr(ord(c) + 0xFEE0) for c in n),  # full-width
    lambda n: f"{n[:6]}\u3000{n[6:]}".lower(),
)


@FAST
@given(flats_strategy(), policies, st.data())
def test_re_formatting_the_certificate_numbers_of_a_unit_never_changes_its_consent_figures(flats, policy, data):
    # Owners (by phone) get a certificate number on some of their flats; a flat without a phone its own.
    numbers = {}
    written = []
    for index, each in enumerate(flats):
        owner = each.phone or each.room
        number = numbers.setdefault(owner, f"110105199001{len(numbers):05d}X")
        if data.draw(st.booleans()):
            written.append((each, number if each.phone else f"110105199002{index:05d}X"))
        else:
            written.append((each, ""))
    flats = [replace(each, id_hash=h(number)) for each, number in written]
    respelt = [
        replace(each, id_hash=h(data.draw(st.sampled_from(SPELLINGS))(number)) if number else "")
        for each, number in written
    ]
    assert_same_figures(flats, respelt, policy)


# --- the import: a keyed hash and the last four, never the number ------------------------------------


@pytest.fixture
def ledger(tmp_path):
    return lambda rows, **kw: workbooks.write_xlsx(tmp_path / "ledger.xlsx", rows, **kw)


def _unit():
    return Unit.objects.select_related("building__estate__community__street").get(building__estate__name="新华小区")


def _stored(room):
    return Household.objects.get(room=room, unit__building__estate__name="新华小区")


def test_the_import_keeps_a_keyed_hash_and_the_last_four_and_counts_one_certificate_once(world, ledger):
    rows = workbooks.flats(4)
    rows[0].update({columns.OWNER: "王芳", columns.PHONE: "13900000001", columns.ID_NUMBER: ID})
    rows[1].update({columns.OWNER: "王芳", columns.PHONE: "13900000002", columns.ID_NUMBER: "110105 19900101 123x"})
    rows[3][columns.VOTE] = "反对"
    import_roster(ledger(rows), by=world.users["staff"])
    first, second = _stored("101"), _stored("102")
    assert (first.id_hash, first.id_last4) == (h(ID), "123X") == (second.id_hash, second.id_last4)
    assert _stored("201").id_hash == "" and _stored("201").id_last4 == ""
    for household in Household.objects.all():
        assert all(ID not in str(getattr(household, f.attname)) for f in Household._meta.concrete_fields)
    consent = consent_by_unit([_unit()])[_unit().pk].consent
    assert (consent.owners, consent.agree, consent.threshold_met) == (3, 2, False)


def test_one_certificate_with_two_votes_fails_the_import_on_both_rows(world, ledger):
    rows = workbooks.flats(3)
    rows[0].update({columns.ID_NUMBER: ID, columns.VOTE: "同意"})
    rows[2].update({columns.ID_NUMBER: ID.lower(), columns.VOTE: "反对"})
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    assert [e.row for e in failed.value.errors] == [2, 4]


@pytest.mark.parametrize("cell", ["1101-0519@9001", 110105199001011234])
def test_a_wrong_certificate_number_fails_naming_its_row_but_never_echoes_it(world, ledger, cell):
    rows = workbooks.flats(2)
    rows[1][columns.ID_NUMBER] = cell
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    [error] = failed.value.errors
    assert error.row == 3 and columns.ID_NUMBER in str(error)
    assert "1101" not in str(error).replace(str(columns.MAX_ID_NUMBER), "")


def test_a_ledger_without_the_column_keeps_the_stored_certificate_and_a_change_is_recorded_masked(world, ledger):
    rows = workbooks.flats(2)
    rows[0][columns.ID_NUMBER] = ID
    import_roster(ledger(rows), by=world.users["staff"])
    header = [c for c in workbooks.HEADER if c not in (columns.ID_NUMBER, columns.INSTITUTION)]
    import_roster(ledger([{k: v for k, v in r.items() if k != columns.ID_NUMBER} for r in rows], header=header))
    assert _stored("101").id_hash == h(ID)
    rows[0][columns.ID_NUMBER] = OTHER_ID
    import_roster(ledger(rows), by=world.users["staff"])
    assert (_stored("101").id_hash, _stored("101").id_last4) == (h(OTHER_ID), "0024")
    change = HouseholdChange.objects.get(household=_stored("101"), field="id_hash")
    assert (change.before, change.after) == ("****123X", "****0024")


def test_the_unit_page_shows_the_last_four_to_staff_and_nothing_to_the_viewer(client, world, ledger):
    rows = workbooks.flats(2)
    rows[0][columns.ID_NUMBER] = ID
    import_roster(ledger(rows), by=world.users["staff"])
    url = reverse("unit_detail", args=[_unit().pk])
    client.force_login(world.users["staff"])
    page = client.get(url).content.decode()
    assert "****123X" in page and ID not in page
    client.force_login(world.users["viewer"])
    page = client.get(url).content.decode()
    assert "123X" not in page
    assert 'data-testid="owner-id"' not in page


def test_the_status_sheet_exports_no_part_of_the_number(client, world, ledger):
    rows = workbooks.flats(2)
    rows[0][columns.ID_NUMBER] = ID
    import_roster(ledger(rows), by=world.users["staff"])
    client.force_login(world.users["staff"])
    response = client.get(reverse("unit_sheet_xlsx", args=[_unit().pk]))
    assert response.status_code == 200
    text = xlsx_text(body(response))
    assert "123X" not in text and columns.ID_NUMBER not in text


def test_the_template_says_the_number_is_kept_only_as_a_hash_and_its_last_four(client, world):
    client.force_login(world.users["staff"])
    book = load_workbook(io.BytesIO(client.get(reverse("import_template")).content))
    sheet = book[columns.SHEET]
    header = {cell.value: cell for cell in sheet[1]}
    assert "后四位" in header[columns.ID_NUMBER].comment.text
    assert "不导出完整号码" in header[columns.ID_NUMBER].comment.text
    assert header[columns.INSTITUTION].comment is not None


# --- institutions: by the column 产权单位 or by the street's list ------------------------------------


def test_three_flats_of_a_factory_named_in_the_column_are_one_owner_with_one_vote(world, ledger):
    rows = workbooks.flats(5)
    for index in range(3):
        rows[index][columns.INSTITUTION] = "某机械厂"
    rows[4][columns.VOTE] = "反对"
    import_roster(ledger(rows), by=world.users["staff"])
    assert _stored("101").institution == "某机械厂"
    consent = consent_by_unit([_unit()])[_unit().pk].consent
    assert (consent.households, consent.owners, consent.agree, consent.threshold_met) == (5, 3, 2, False)
    # One owner, one vote: recording one flat records all three.
    vote_record(household=_stored("102"), value="oppose", by=world.users["staff"])
    votes = Vote.objects.filter(household__institution="某机械厂").values_list("value", flat=True)
    assert sorted(votes) == ["oppose"] * 3


def test_an_owner_name_the_street_lists_as_an_institution_makes_its_flats_one_owner(client, world, ledger):
    world.street.institution_names = "市房管局\n 某机械厂 \n"
    world.street.save()
    rows = workbooks.flats(4)
    rows[0][columns.OWNER] = rows[1][columns.OWNER] = rows[2][columns.OWNER] = "某机械厂"
    rows[3][columns.VOTE] = "反对"
    import_roster(ledger(rows), by=world.users["staff"])
    assert [_stored(r).institution for r in ("101", "102", "201", "202")] == ["某机械厂"] * 3 + [""]
    consent = consent_by_unit([_unit()])[_unit().pk].consent
    assert (consent.owners, consent.agree, consent.oppose) == (2, 1, 1)
    client.force_login(world.users["viewer"])
    page = client.get(reverse("unit_detail", args=[_unit().pk])).content.decode()
    assert 'data-testid="institution-101"' in page and "某机械厂" in page


def test_flats_a_listed_institution_holds_in_a_new_unit_must_carry_one_vote(world, ledger):
    # A new unit: no stored flat, yet the street's list makes the rows' owners one owner after the file's check.
    world.street.institution_names = "某机械厂"
    world.street.save()
    rows = workbooks.flats(3)
    rows[0][columns.OWNER] = rows[1][columns.OWNER] = "某机械厂"
    rows[1][columns.VOTE] = "反对"
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    assert [e.row for e in failed.value.errors] == [2, 3]
    assert all("某机械厂" in e.message and "101" in e.message and "102" in e.message for e in failed.value.errors)
    assert not Unit.objects.filter(building__estate__name="新华小区").exists()


def test_an_institution_whose_flats_carry_two_votes_fails_the_import(world, ledger):
    rows = workbooks.flats(2, **{columns.INSTITUTION: "市房管局"})
    rows[1][columns.VOTE] = "反对"
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    assert [e.row for e in failed.value.errors] == [2, 3]
