"""Co-owned flats (共有, docs/rules.md "Co-owned flats"): every co-owner recorded, the flat one owner with one vote."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from consultations.reports import STATUS_KEYS
from consultations.roster_import import ImportFailed, columns, import_roster
from consultations.selectors import consent_by_unit
from retrofit import co_owners
from tests.consultations import test_owner_ids
from tests.consultations.roster_import import workbooks
from tests.consultations.test_transfer import _transfer
from tests.reports.conftest import body, xlsx_text
from units.models import Household, HouseholdChange

ZHANG, LI = "13900000001", "13800000002"
# The ledger fixture and the new estate's unit and flats, as the certificate numbers' tests have them.
ledger, _unit, _stored = test_owner_ids.ledger, test_owner_ids._unit, test_owner_ids._stored


def _consent():
    return consent_by_unit([_unit()])[_unit().pk].consent


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ("张三、李四", ["张三", "李四"]),
        ("张三，李四,王五", ["张三", "李四", "王五"]),
        ("张三;李四；", ["张三", "李四"]),
        ("张三和李四", ["张三", "李四"]),
        ("王和平", ["王和平"]),  # 和 inside a name is no separator
        ("张三", ["张三"]),
    ],
)
def test_a_ledger_name_cell_names_every_co_owner(names, expected):
    assert co_owners.split_names(names) == expected


def test_a_phone_cell_gives_each_co_owner_their_phone_in_order():
    assert co_owners.split_phones("139-0000-0001、138 0000 0002") == [ZHANG, LI]
    assert co_owners.split_phones("13900000001,13800000002") == [ZHANG, LI]
    assert co_owners.split_phones("、13800000002") == ["", LI]
    assert co_owners.split_phones("028-8765-0000,123") == ["02887650000,123"]  # an extension, not two phones
    assert co_owners.load(co_owners.dump([("李四", LI), ("王五", "")])) == [("李四", LI), ("王五", "")]


def test_the_import_stores_every_co_owner_and_counts_the_flat_as_one_owner_with_one_vote(world, ledger):
    rows = workbooks.flats(4)
    rows[0].update({columns.OWNER: "张三、李四", columns.PHONE: "139-0000-0001、138 0000 0002"})
    rows[3][columns.VOTE] = "反对"
    import_roster(ledger(rows), by=world.users["staff"])
    flat = _stored("101")
    assert (flat.owner_name, flat.phone) == ("张三", ZHANG)
    assert co_owners.load(flat.co_owners) == [("李四", LI)]
    consent = _consent()
    assert (consent.households, consent.owners, consent.participants, consent.agree) == (4, 4, 4, 3)

    single = workbooks.flats(4)
    single[0].update({columns.OWNER: "张三", columns.PHONE: ZHANG})
    single[3][columns.VOTE] = "反对"
    import_roster(ledger(single), by=world.users["staff"])
    assert _stored("101").co_owners == ""
    assert _consent().figures() == consent.figures()
    change = HouseholdChange.objects.get(household=flat, field="co_owners")
    assert (change.before, change.after) == (co_owners.dump([("李四", LI)]), "")


def test_a_co_owner_who_holds_another_flat_alone_under_the_first_name_counts_once(world, ledger):
    rows = workbooks.flats(3)
    rows[0].update({columns.OWNER: "张三、李四", columns.PHONE: f"{ZHANG}、{LI}"})
    rows[1].update({columns.OWNER: "张三", columns.PHONE: ZHANG})
    import_roster(ledger(rows), by=world.users["staff"])
    assert (_consent().households, _consent().owners) == (3, 2)


def test_more_phones_than_co_owners_fails_the_import_naming_the_row(world, ledger):
    rows = workbooks.flats(2)
    rows[1].update({columns.OWNER: "张三", columns.PHONE: f"{ZHANG}、{LI}"})
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger(rows), by=world.users["staff"])
    [error] = failed.value.errors
    assert error.row == 3 and columns.PHONE in str(error)


def _co_owned(ledger, world):
    rows = workbooks.flats(2)
    rows[0].update({columns.OWNER: "张三丰、李四光", columns.PHONE: f"{ZHANG}、{LI}"})
    import_roster(ledger(rows), by=world.users["staff"])


def test_staff_see_every_co_owner_on_the_unit_page_the_consent_form_and_the_status_sheet(client, world, ledger):
    _co_owned(ledger, world)
    pk = _unit().pk
    client.force_login(world.users["staff"])
    for name in ("unit_detail", "unit_consent_form", "unit_sheet_print"):
        page = client.get(reverse(name, args=[pk])).content.decode()
        assert "李四光" in page, name
    page = client.get(reverse("unit_sheet_print", args=[pk])).content.decode()
    assert "138 0000 0002" in page
    text = xlsx_text(body(client.get(reverse("unit_sheet_xlsx", args=[pk]))))
    assert "张三丰、李四光" in text and "139 0000 0001、138 0000 0002" in text


def test_masked_roles_never_see_a_co_owners_full_name_or_phone(client, world, ledger):
    _co_owned(ledger, world)
    pk = _unit().pk
    client.force_login(world.users["viewer"])
    pages = [
        client.get(reverse(name, args=[pk]))
        for name in ("unit_detail", "unit_consent_form", "unit_sheet_print", "unit_sheet_xlsx", "unit_sheet_pdf")
    ]
    assert [p.status_code for p in pages] == [200] * 5
    for page in pages:
        data = body(page)
        text = xlsx_text(data) if data[:2] == b"PK" else data.decode("utf-8", "replace")
        assert "李四光" not in text and LI not in text and "138 0000 0002" not in text
    assert "李**" in pages[1].content.decode()


def test_unit_status_counts_the_co_owned_flats(world, ledger):
    _co_owned(ledger, world)
    out = StringIO()
    call_command("unit_status", "--estate", "新华小区", stdout=out)
    [row] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert row["co_owned_flats"] == 1


def test_the_readme_documents_every_key_of_unit_status(world, ledger):
    _co_owned(ledger, world)
    out = StringIO()
    call_command("unit_status", stdout=out)
    keys = {key for line in out.getvalue().splitlines() for key in json.loads(line)}
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE))
    assert keys | set(STATUS_KEYS) | {"error"} <= documented
    assert {"shares", "co_owned_flats", "possible_same_owner"} <= keys


def test_a_change_of_owner_takes_the_old_co_owners_with_it(world):
    flat = world.flats[9]
    Household.objects.filter(pk=flat.pk).update(co_owners=co_owners.dump([("李四", LI)]))
    _transfer(world, flat)
    flat.refresh_from_db()
    assert flat.co_owners == ""
    change = HouseholdChange.objects.get(household=flat, field="co_owners", source="transfer")
    assert (change.before, change.after) == (co_owners.dump([("李四", LI)]), "")
    assert str(change) == "共有人：李四（138 0000 0002） → —"
