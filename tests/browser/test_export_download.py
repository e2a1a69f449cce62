"""Staff open a unit's status sheet on a phone and download it as Excel; a viewer's copy is masked."""

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import assert_fits_the_phone

pytestmark = pytest.mark.django_db(transaction=True)


def _download(page, testid_or_text, tmp_path, name):
    with page.expect_download() as info:
        page.get_by_role("link", name=testid_or_text, exact=True).click()
    download = info.value
    path = tmp_path / name
    download.save_as(path)
    return download.suggested_filename, path


def test_staff_download_the_unit_sheet(live_server, log_in, world, tmp_path):
    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/units/{world.unit.pk}/export/sheet/")
    assert page.get_by_test_id("unit-sheet").is_visible()
    assert_fits_the_phone(page)
    filename, path = _download(page, "Excel", tmp_path, "sheet.xlsx")
    assert filename.endswith(".xlsx") and "绵纺厂宿舍小区" in filename
    book = load_workbook(path)
    rows = list(book["住户台账"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12
    header = [c.value for c in book["住户台账"][1]]
    assert rows[0][header.index("业主姓名")] == "业主0"


def test_a_viewer_downloads_it_masked(live_server, log_in, world, tmp_path):
    page = log_in(world.users["viewer"])
    page.goto(f"{live_server.url}/units/{world.unit.pk}/export/sheet/")
    _filename, path = _download(page, "Excel", tmp_path, "sheet.xlsx")
    book = load_workbook(path)
    header = [c.value for c in book["住户台账"][1]]
    owners = [row[header.index("业主姓名")] for row in book["住户台账"].iter_rows(min_row=2, values_only=True)]
    assert owners and all(o.startswith("业*") for o in owners)
