"""Staff import the estate ledger: a bad row is named and nothing is written; a good one goes in after a preview."""

import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_the_phone
from units.models import Estate

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = "街道 社区 小区 楼栋 单元 房号 楼层 建筑面积 业主姓名 联系电话 居住情况 意愿 反对原因 困难户 备注 年龄段".split()
NEW_ESTATE = "新华里小区"


def _ledger(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住户台账"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(column, "") for column in COLUMNS])
    workbook.save(path)
    return path


def _rows(world):
    """Four flats of a new estate in the staff's own community, as a ledger keeps them."""
    flats = [("101", "张三", "同意", ""), ("102", "李四", "反对", "住一楼，用不上"), ("201", "王五", "同意", ""), ("202", "赵六", "未表态", "")]
    return [
        {
            "街道": world.street.name,
            "社区": world.community.name,
            "小区": NEW_ESTATE,
            "楼栋": "1",
            "单元": "1",
            "房号": room,
            "楼层": int(room[0]),
            "建筑面积": 68.45,
            "业主姓名": owner,
            "联系电话": "13800001234",
            "居住情况": "自住",
            "意愿": vote,
            "反对原因": reason,
            "困难户": "否",
            "年龄段": "60-74岁",
        }
        for room, owner, vote, reason in flats
    ]


def test_staff_imports_a_ledger_after_fixing_an_error(world, live_server, log_in, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # the pending upload waits here between preview and confirm
    bad_rows = _rows(world)
    bad_rows[1]["建筑面积"] = "abc"  # the second household sits in Excel row 3
    bad = _ledger(tmp_path / "bad.xlsx", bad_rows)
    good = _ledger(tmp_path / "住户台账.xlsx", _rows(world))

    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("input[type=file]", bad)
    page.get_by_test_id("upload").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(errors.locator("li")).to_have_count(1)
    expect(errors.locator("li")).to_contain_text(re.compile(r"第\s*3\s*行"))
    expect(errors.locator("li")).to_contain_text("abc")
    assert not Estate.objects.filter(name=NEW_ESTATE).exists()

    page.set_input_files("input[type=file]", good)
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("住户台账.xlsx")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    assert not Estate.objects.filter(name=NEW_ESTATE).exists(), "the preview must not write"
    assert_fits_the_phone(page)
    page.get_by_test_id("confirm-import").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".alert-success")).to_contain_text("住户台账.xlsx")
    estate = Estate.objects.get(name=NEW_ESTATE)
    card = page.locator(f"a[href='/estates/{estate.pk}/']")
    expect(card).to_contain_text(NEW_ESTATE)
    assert estate.community == world.community


def test_a_reimport_lists_the_changes_and_waits_for_the_box(world, live_server, log_in, tmp_path, settings):
    from units.models import Household

    settings.MEDIA_ROOT = tmp_path / "media"
    flat = world.flats[0]  # 101 of 绵纺厂宿舍小区 1-1, 业主0
    changed = {
        "街道": world.street.name, "社区": world.community.name, "小区": world.estate.name, "楼栋": "1", "单元": "1",
        "房号": "101", "楼层": 1, "建筑面积": 80, "业主姓名": "王五", "联系电话": flat.phone, "居住情况": "自住",
        "意愿": "同意", "困难户": "否",
    }
    path = _ledger(tmp_path / "住户台账.xlsx", [changed])

    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("input[type=file]", path)
    page.get_by_test_id("upload").click()
    changes = page.get_by_test_id("import-changes")
    expect(changes).to_contain_text("业主0")
    expect(changes).to_contain_text("王五")
    assert_fits_the_phone(page)

    page.get_by_test_id("confirm-import").click()  # the browser holds the form: the box is required
    expect(page.get_by_test_id("import-reviewed")).to_be_visible()
    assert Household.objects.get(pk=flat.pk).owner_name == "业主0"

    page.get_by_test_id("import-reviewed").check()
    page.get_by_test_id("confirm-import").click()
    page.wait_for_url(f"{live_server.url}/")
    assert Household.objects.get(pk=flat.pk).owner_name == "王五"
