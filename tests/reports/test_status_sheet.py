"""A unit's status sheet as Excel, print page and PDF: content read back, masking by role, scope, log."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from consultations import roster_import
from reports.exports import status_sheet
from retrofit.models import ExportFormat, ExportKind, ExportLog
from tests.factories import add_flats, make_unit, plan_for
from units.models import Unit

from .conftest import FULL_NAMES, FULL_PHONES, body, workbook, xlsx_text

ROLES = ["leader", "staff", "sibling_staff", "unit_leader", "viewer", "outsider", "company"]
STATUS = {
    "leader": 200, "staff": 200, "sibling_staff": 404, "unit_leader": 200,
    "viewer": 200, "outsider": 404, "company": 403,  # companies may not see votes
}
VIEWS = ["unit_sheet_xlsx", "unit_sheet_print", "unit_consent_form"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_export_a_unit_sheet(client, company, role):
    client.force_login(company.users[role])
    for name in VIEWS:
        assert client.get(reverse(name, args=[company.unit.pk])).status_code == STATUS[role], name


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("unit_sheet_xlsx", args=[world.unit.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def _rows(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, [c.value for c in row], strict=False)) for row in ws.iter_rows(min_row=2)]


def _summary(ws):
    return {row[0].value: row[1].value for row in ws.iter_rows(min_row=2)}


def test_staff_workbook_holds_plan_consent_and_every_household(client, signed):
    client.force_login(signed.users["staff"])
    response = client.get(reverse("unit_sheet_xlsx", args=[signed.unit.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = workbook(response)
    assert book.sheetnames == ["单元情况", "住户台账"]
    summary = _summary(book["单元情况"])
    assert summary["小区"] == "绵纺厂宿舍小区"
    assert (summary["户数"], summary["业主人数"], summary["同意人数"], summary["反对"]) == (12, 12, 8, 1)
    assert summary["参与表决人数"] == 10  # agree, oppose and abstain take part
    assert summary["参与要求（不低于）"] == "2/3"
    assert summary["还需同意人数"] is not None
    assert summary["工程总价（元）"] == 600000
    assert summary["已签字户数"] == 2
    households = book["住户台账"]
    assert households.freeze_panes == "A2"
    rows = _rows(households)
    assert len(rows) == 12
    by_room = {r["房号"]: r for r in rows}
    assert by_room["101"]["业主姓名"] == "业主0" and by_room["101"]["联系电话"] == "139 0000 0000"  # shown in groups (retrofit/phones.py)
    assert [r["意愿"] for r in rows].count("同意") == 8
    assert by_room["502"]["意愿"] == "未表态"  # flats[9] is undecided
    assert by_room["502"]["联系次数"] == 3 and by_room["501"]["意愿"] == "反对"
    assert sum(Decimal(str(r["分摊金额（元）"])) for r in rows) == Decimal("600000") - signed.contract.plan.subsidy
    assert sorted(r["签字"] for r in rows if r["签字"]) and sum(1 for r in rows if r["签字日期"]) == 2
    # Number formats and widths: money with separators, areas with two decimals, columns not default-narrow.
    header = [c.value for c in households[1]]
    share_column = header.index("分摊金额（元）") + 1
    area_column = header.index("建筑面积") + 1
    assert households.cell(2, share_column).number_format == "#,##0.00"
    assert households.cell(2, area_column).number_format == "0.00"
    assert households.column_dimensions["A"].width >= 6


def test_the_staff_sheet_imports_again_as_a_ledger(client, signed, tmp_path):
    client.force_login(signed.users["staff"])
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(body(client.get(reverse("unit_sheet_xlsx", args=[signed.unit.pk]))))
    rows = roster_import.parse_table(roster_import.read_sheet(path))
    assert len(rows) == 12
    assert sorted(r.vote for r in rows).count("agree") == 8
    assert {r.owner_name for r in rows} == set(FULL_NAMES)


@pytest.mark.parametrize(
    ("role", "names", "phones"),
    [("viewer", False, False), ("unit_leader", True, False), ("leader", True, True)],
)
def test_the_workbook_masks_as_the_page_does(client, signed, role, names, phones):
    client.force_login(signed.users[role])
    data = body(client.get(reverse("unit_sheet_xlsx", args=[signed.unit.pk])))
    text = xlsx_text(data)
    assert any(n in text for n in FULL_NAMES) is names
    assert any(p in text for p in FULL_PHONES) is phones
    rows = _rows(workbook(client.get(reverse("unit_sheet_xlsx", args=[signed.unit.pk])))["住户台账"])
    if not names:
        assert {r["业主姓名"] for r in rows} <= {"业**", "业***"}
    if not phones:
        assert rows[0]["联系电话"] == "139****0000"
    # Notes go only to editing roles (the ledger column 备注).
    assert ("备注" in rows[0]) is (role == "leader")


def test_the_print_page_masks_and_lists_every_household(client, signed):
    client.force_login(signed.users["viewer"])
    html = client.get(reverse("unit_sheet_print", args=[signed.unit.pk])).content.decode()
    assert html.count('data-testid="unit-sheet"') == 1
    assert not any(n in html for n in FULL_NAMES) and not any(p in html for p in FULL_PHONES)
    assert "139****0000" in html and "绵纺厂宿舍小区" in html


def test_every_export_is_recorded(client, signed):
    user = signed.users["staff"]
    client.force_login(user)
    client.get(reverse("unit_sheet_xlsx", args=[signed.unit.pk]))
    client.get(reverse("unit_sheet_print", args=[signed.unit.pk]))
    client.force_login(signed.users["outsider"])
    client.get(reverse("unit_sheet_xlsx", args=[signed.unit.pk]))  # 404: nothing went out, nothing logged
    logs = list(ExportLog.objects.order_by("at", "id"))
    assert [(log.user, log.kind, log.format) for log in logs] == [
        (user, ExportKind.UNIT_SHEET, ExportFormat.XLSX),
        (user, ExportKind.UNIT_SHEET, ExportFormat.PRINT),
    ]
    assert logs[0].object_ids == {"units": [signed.unit.pk], "households": 12}
    assert "绵纺厂宿舍小区" in logs[0].scope


def test_query_count_does_not_grow_with_households(client, signed, django_assert_num_queries):
    """Queries: session, user, the unit (scope), the sheet (11 reads with the same-owner decisions, see
    unit_sheets), the log insert."""
    client.force_login(signed.users["staff"])
    url = reverse("unit_sheet_xlsx", args=[signed.unit.pk])
    with django_assert_num_queries(15):
        client.get(url)
    big = make_unit(signed.community, estate="绵纺厂宿舍小区", building="9", floors=20)
    add_flats(big, ["agree", "oppose", "undecided"] * 12, owner_prefix="住户")
    plan_for(big)  # with a plan, as the first unit: no plan means one query fewer (no shares to read)
    with django_assert_num_queries(15):
        client.get(reverse("unit_sheet_xlsx", args=[big.pk]))


def test_several_units_take_the_same_queries_as_one(signed, django_assert_num_queries):
    user = signed.users["leader"]
    two = Unit.objects.visible_to(user)
    with django_assert_num_queries(11):  # 10 reads and the same-owner decisions (see unit_sheets)
        sheets = status_sheet.unit_sheets(two, user)
    assert len(sheets) == 2
    with django_assert_num_queries(11):
        status_sheet.unit_sheets(two.filter(pk=signed.unit.pk), user)


def test_the_pdf_renders_chinese_and_masks(client, signed):
    from pypdf import PdfReader

    client.force_login(signed.users["viewer"])
    response = client.get(reverse("unit_sheet_pdf", args=[signed.unit.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body(response))).pages)
    assert "绵纺厂宿舍小区" in text and "红旗街道" in text
    assert "139****0000" in text
    assert not any(n in text for n in FULL_NAMES) and not any(p in text for p in FULL_PHONES)


def test_the_command_writes_a_unit_and_an_estate(signed, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "unit.xlsx"
    call_command("export_units", "--unit", str(signed.unit.pk), "--format", "xlsx", "--output", str(out), stdout=io.StringIO())
    book = load_workbook(out)
    assert book["单元情况"].cell(1, 2).value.startswith("绵纺厂宿舍小区")
    make_unit(signed.community, estate="绵纺厂宿舍小区", building="2")
    out = tmp_path / "estate.xlsx"
    call_command(
        "export_units", "--estate", "绵纺厂宿舍小区", "--as-user", "viewer", "--output", str(out), stdout=io.StringIO()
    )
    book = load_workbook(out)
    assert book["单元情况"].max_column == 3  # label column + two units
    assert not any(n in xlsx_text(out.read_bytes()) for n in FULL_NAMES)
    logs = list(ExportLog.objects.order_by("id"))
    assert logs[0].user is None and logs[1].user == signed.users["viewer"]


def test_a_roster_conflict_is_reported_not_counted(client, world):
    """One owner (same name and phone) holding two flats with different votes stops the consent count."""
    unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="3")
    first, second = add_flats(unit, ["agree", "oppose"], owner_prefix="同一人")
    type(second).objects.filter(pk=second.pk).update(owner_name=first.owner_name, phone=first.phone)
    client.force_login(world.users["staff"])
    book = workbook(client.get(reverse("unit_sheet_xlsx", args=[unit.pk])))
    summary = _summary(book["单元情况"])
    assert summary["户数"] is None and summary["名册冲突"]
    assert len(_rows(book["住户台账"])) == 2
    html = client.get(reverse("unit_sheet_print", args=[unit.pk])).content.decode()
    assert 'data-testid="sheet-consent"' not in html and "102" in html
