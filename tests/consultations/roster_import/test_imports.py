"""The ledger import (units/columns.py) and its command: all rows or nothing, every error with its row.

Error messages are translated (zh-hans); tests assert on row numbers, on the column names (the ledger's
own Chinese words, passed into the messages) and on the database, not on the sentences.
"""

import datetime
import math
import os
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import roster_import
from consultations.models import Vote, VoteChange
from consultations.roster_import import ImportFailed, columns, import_roster
from units.models import AgeBand, Building, Community, Estate, Household, Occupancy, Street, Unit

from .workbooks import HEADER, db_state, flats, row, set_cached_values, write_xls, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(tmp_path):
    """ledger(rows, **options) → the path of a new .xlsx holding them."""
    counter = iter(range(1000))

    def make(rows=(), suffix=".xlsx", **options):
        path = tmp_path / f"ledger{next(counter)}{suffix}"
        return (write_xls if suffix == ".xls" else write_xlsx)(path, rows, **options)

    return make


def fails(path, *, by=None) -> list[roster_import.RowError]:
    """Import that must fail: returns its errors, after checking that the database did not move."""
    before = db_state()
    with pytest.raises(ImportFailed) as failed:
        import_roster(path, by=by)
    assert db_state() == before
    assert failed.value.errors
    return failed.value.errors


def error_rows(errors) -> list:
    return [e.row for e in errors]


def household_counts(report) -> tuple[int, int, int]:
    """What an import did to the stored households: created, updated, unchanged."""
    return (report.households_created, report.households_updated, report.households_unchanged)


def household(room, *, estate="新华小区", building="3", unit="1") -> Household:
    return Household.objects.select_related("vote").get(
        unit__building__estate__name=estate, unit__building__number=building, unit__number=unit, room=room
    )


# --- a clean import ------------------------------------------------------------------------------


def test_clean_import_creates_hierarchy_households_votes_and_history(world, ledger):
    rows = [
        row("101", 楼层=1, 建筑面积=80.5, 联系电话="13812345678", 意愿="同意", 年龄段="75岁及以上"),
        row("102", 楼层=1, 建筑面积=75.25, 意愿="反对", 反对原因="低层不需要", 居住情况="出租"),
        row("201", 楼层=2, 意愿="", 困难户="是", 备注="独居老人"),
        row("202", 楼层=2, 意愿="联系不上", 居住情况="空置", 困难户=""),
        row("501", 楼层=5, 意愿="弃权"),
        row("101", 单元="2", 楼层=1),
        row("102", 单元="2", 楼层=1, 意愿="未表态"),
        row("101", 街道="新街道", 社区="新社区", 小区="新小区", 楼栋="1", 楼层=4),
    ]
    before = db_state()

    report = import_roster(ledger(rows))

    assert (report.rows, *household_counts(report)) == (8, 8, 0, 0)
    assert report.votes_changed == 0  # new households have no "before"
    assert (report.streets_created, report.communities_created, report.estates_created) == (1, 1, 2)
    assert (report.buildings_created, report.units_created) == (2, 3)
    assert len(report.units) == 3
    after = db_state()
    for model, created in {
        Street: 1,
        Community: 1,
        Estate: 2,
        Building: 2,
        Unit: 3,
        Household: 8,
        Vote: 8,
        VoteChange: 8,
    }.items():
        assert after[model.__name__] == before[model.__name__] + created, model.__name__
    # The existing street and community were reused, not duplicated.
    assert Estate.objects.get(name="新华小区").community == world.community
    # A new building gets the highest floor the ledger shows.
    assert Building.objects.get(estate__name="新华小区", number="3").floors == 5
    assert Building.objects.get(estate__name="新小区").floors == 4

    first = household("101")
    assert (first.floor, first.area, first.phone, first.age_band) == (
        1,
        Decimal("80.50"),
        "13812345678",
        AgeBand.OVER_75,
    )
    assert (first.occupancy, first.hardship, first.vote.value) == (Occupancy.OWNER, False, "agree")
    second = household("102")
    assert (second.area, second.occupancy, second.vote.value, second.vote.reason) == (
        Decimal("75.25"),
        Occupancy.RENTED,
        "oppose",
        "低层不需要",
    )
    third = household("201")
    assert (third.vote.value, third.hardship, third.note) == ("undecided", True, "独居老人")
    assert (household("202").vote.value, household("202").occupancy, household("202").hardship) == (
        "unreachable",
        Occupancy.EMPTY,
        False,
    )
    assert household("501").vote.value == "abstain"
    assert household("102", unit="2").vote.value == "undecided"

    changes = VoteChange.objects.filter(household__unit__building__estate__name__in=["新华小区", "新小区"])
    assert changes.count() == 8
    assert set(changes.values_list("source", "before", "changed_by")) == {("import", "", None)}
    assert {c.household_id: c.after for c in changes} == {
        h.pk: h.vote.value for h in Household.objects.filter(vote_changes__in=changes)
    }


def test_import_records_who_imported(world, ledger):
    staff = world.users["staff"]
    import_roster(ledger([row("101")]), by=staff)
    assert household("101").vote.recorded_by == staff
    assert VoteChange.objects.get(household=household("101")).changed_by == staff


def test_numbers_stored_as_text_and_text_stored_as_numbers_are_read_as_meant(db, ledger):
    rows = [
        row("302", 楼层="3", 建筑面积="75.5", 联系电话=13812345678.0),
        row(402, 楼层="4层", 建筑面积=" 68.45 ", 楼栋=3, 单元=1.0, 联系电话=13912345678),
    ]
    import_roster(ledger(rows))
    text_cells = household("302")
    assert (text_cells.floor, text_cells.area, text_cells.phone) == (3, Decimal("75.50"), "13812345678")
    number_cells = household("402")
    assert (number_cells.floor, number_cells.area, number_cells.phone) == (4, Decimal("68.45"), "13912345678")


def test_formula_with_a_saved_value_imports_that_value(db, ledger):
    # Excel saves a formula's result next to it; calamine reads the result.
    path = ledger([row("101", 建筑面积="=70+5.5", 楼层="=1")])
    set_cached_values(path, {"H2": "75.5", "G2": "1"})
    import_roster(path)
    assert (household("101").area, household("101").floor) == (Decimal("75.50"), 1)


def test_formula_without_a_saved_value_is_an_error_not_a_crash(db, ledger):
    # openpyxl (and other programs) write formulas without a result: the cell reads as blank.
    errors = fails(ledger([row("101"), row("102", 建筑面积="=70+5.5", 业主姓名='=CONCAT("张","三")')]))
    assert error_rows(errors) == [3, 3]
    assert any(columns.AREA in str(e) for e in errors)
    assert any(columns.OWNER in str(e) for e in errors)


def test_blank_lines_between_blocks_are_skipped_and_rows_keep_their_excel_numbers(db, ledger):
    errors = fails(ledger([row("101"), [None] * len(HEADER), row("102", 楼层="三")]))
    assert error_rows(errors) == [4]


def test_columns_are_found_by_name_in_any_order_and_extra_columns_are_ignored(db, ledger):
    header = ["序号", *reversed(columns.REQUIRED_COLUMNS)]  # no 年龄段: it is optional
    values = row("101", 意愿="反对")
    import_roster(
        ledger([[1, *(values[name] for name in reversed(columns.REQUIRED_COLUMNS))]], header=header)
    )
    assert household("101").vote.value == "oppose"


# --- re-import -----------------------------------------------------------------------------------


def test_reimport_with_a_changed_vote_updates_the_household_and_records_the_change(world, ledger):
    import_roster(ledger(flats(6)))
    untouched_world = db_state()["households"][:24]  # the world fixture's flats come first

    rows = flats(5)  # the sixth flat (302) is not in the file
    rows[2].update({columns.VOTE: "反对", columns.REASON: "担心噪音", columns.NOTE: "已入户"})
    staff = world.users["staff"]
    report = import_roster(ledger(rows), by=staff)

    assert household_counts(report) == (0, 1, 4)
    assert report.votes_changed == 1
    changed = household("201")
    assert (changed.vote.value, changed.vote.reason, changed.vote.version, changed.note) == (
        "oppose",
        "担心噪音",
        2,
        "已入户",
    )
    latest = VoteChange.objects.filter(household=changed).first()  # newest first
    assert (latest.before, latest.after, latest.reason, latest.source, latest.changed_by) == (
        "agree",
        "oppose",
        "担心噪音",
        "import",
        staff,
    )
    assert VoteChange.objects.filter(household=changed).count() == 2
    # Unchanged rows and the row left out of the file keep their single history entry.
    for room in ("101", "102", "202", "301", "302"):
        assert VoteChange.objects.filter(household=household(room)).count() == 1
        assert household(room).vote.version == 1
    assert Household.objects.filter(unit__building__estate__name="新华小区").count() == 6
    assert db_state()["households"][:24] == untouched_world


def test_reimporting_the_same_file_changes_nothing(db, ledger):
    path = ledger(flats(4, 年龄段="40-59岁"))
    import_roster(path)
    before = db_state()
    report = import_roster(path)
    assert (*household_counts(report), report.votes_changed) == (0, 0, 4, 0)
    assert (report.streets_created, report.units_created) == (0, 0)
    assert db_state() == before


def test_reimport_updates_households_that_were_entered_by_hand(world, ledger):
    flat = world.flats[0]  # 101 in 绵纺厂宿舍小区, 业主0, 13900000000, agree
    bare = Household.objects.create(
        unit=world.unit, room="001", floor=1, area=Decimal("30"), owner_name="无票户"
    )
    where = {columns.ESTATE: "绵纺厂宿舍小区", columns.BUILDING: "1"}
    rows = [
        row("101", 业主姓名="业主0", 联系电话="13900000000", 意愿="反对", 建筑面积=81, **where),
        row("001", 业主姓名="无票户", 建筑面积=30, 意愿="同意", **where),
    ]
    report = import_roster(ledger(rows))
    assert (report.households_created, report.households_updated, report.votes_changed) == (0, 2, 2)
    flat = Household.objects.select_related("vote").get(pk=flat.pk)
    assert (flat.area, flat.vote.value, flat.vote.version) == (Decimal("81.00"), "oppose", 2)
    assert list(VoteChange.objects.filter(household=flat).values_list("before", "after")) == [
        ("agree", "oppose")
    ]
    # A household without a vote counted as undecided before.
    assert list(VoteChange.objects.filter(household=bare).values_list("before", "after")) == [
        ("undecided", "agree")
    ]
    assert Vote.objects.get(household=bare).value == "agree"


def test_reimport_without_the_age_column_keeps_the_ages(db, ledger):
    import_roster(ledger([row("101", 年龄段="60-74岁")]))
    import_roster(ledger([row("101", 意愿="反对")], header=list(columns.REQUIRED_COLUMNS)))
    assert (household("101").age_band, household("101").vote.value) == (AgeBand.FROM_60, "oppose")


def test_same_owner_with_the_same_vote_is_fine_and_without_a_phone_is_not_the_same_owner(db, ledger):
    rows = [
        row("101", 业主姓名="张三", 联系电话="13800000001", 意愿="同意"),
        row("102", 业主姓名="张三", 联系电话="13800000001", 意愿="同意"),
        row("201", 楼层=2, 业主姓名="李四", 意愿="同意"),
        row("202", 楼层=2, 业主姓名="李四", 意愿="反对"),
        # The same name and phone in another unit is another unit's vote.
        row("101", 单元="2", 业主姓名="张三", 联系电话="13800000001", 意愿="反对"),
    ]
    assert import_roster(ledger(rows)).households_created == 5


# --- bad rows: one bad cell fails the whole file --------------------------------------------------

BAD_CELLS = {
    "text in floor": ({columns.FLOOR: "三楼"}, columns.FLOOR),
    "fraction floor": ({columns.FLOOR: 2.5}, columns.FLOOR),
    "floor 0": ({columns.FLOOR: 0}, columns.FLOOR),
    "floor 61": ({columns.FLOOR: 61}, columns.FLOOR),
    "date in area": ({columns.AREA: datetime.date(2024, 3, 1)}, columns.AREA),
    "date in floor": ({columns.FLOOR: datetime.datetime(2024, 3, 1, 8, 0)}, columns.FLOOR),  # noqa: DTZ001 (cells are naive)
    "text in area": ({columns.AREA: "八十平"}, columns.AREA),
    "area with 3 decimals": ({columns.AREA: 75.555}, columns.AREA),
    "area as text with 3 decimals": ({columns.AREA: "75.555"}, columns.AREA),
    "area 0": ({columns.AREA: 0}, columns.AREA),
    "negative area": ({columns.AREA: -5}, columns.AREA),
    "area not a flat's": ({columns.AREA: 12000}, columns.AREA),
    "area blank": ({columns.AREA: None}, columns.AREA),
    "floor blank": ({columns.FLOOR: None}, columns.FLOOR),
    "empty owner": ({columns.OWNER: None}, columns.OWNER),
    "blank room": ({columns.ROOM: "  "}, columns.ROOM),
    "empty street": ({columns.STREET: ""}, columns.STREET),
    "empty unit": ({columns.UNIT: None}, columns.UNIT),
    "date as room": ({columns.ROOM: datetime.date(2024, 3, 1)}, columns.ROOM),
    "room longer than the field": ({columns.ROOM: "3" * 21}, columns.ROOM),
    "building longer than the field": ({columns.BUILDING: "一" * 21}, columns.BUILDING),
    "owner longer than the field": ({columns.OWNER: "名" * 51}, columns.OWNER),
    "phone too long": ({columns.PHONE: "1" * 31}, columns.PHONE),
    "unknown occupancy": ({columns.OCCUPANCY: "借住"}, columns.OCCUPANCY),
    "unknown vote": ({columns.VOTE: "支持"}, columns.VOTE),
    "unknown hardship": ({columns.HARDSHIP: "有"}, columns.HARDSHIP),
    "boolean hardship": ({columns.HARDSHIP: True}, columns.HARDSHIP),
    "unknown age band": ({columns.AGE_BAND: "老年"}, columns.AGE_BAND),
}


@pytest.mark.parametrize("changes, column", BAD_CELLS.values(), ids=BAD_CELLS.keys())
def test_a_bad_cell_fails_the_import_naming_its_row_and_column(world, ledger, changes, column):
    rows = flats(3)
    rows[1].update(changes)
    errors = fails(ledger(rows))
    assert error_rows(errors) == [3]
    assert column in str(errors[0])
    assert str(errors[0]) != errors[0].message  # "row 3: …" in the user's language


def test_every_error_is_listed_in_row_order(world, ledger):
    rows = [
        row("101", 建筑面积=0, 楼层="一"),  # two errors in one row
        row("102"),
        row("201", 楼层=2, 意愿="随便"),
        row("202", 楼层=2, 业主姓名="张三", 联系电话="13800000001", 意愿="同意"),
        row("301", 楼层=3, 业主姓名="张三", 联系电话="13800000001", 意愿="反对"),
        row("102", 意愿="反对"),
    ]
    errors = fails(ledger(rows))
    assert error_rows(errors) == [2, 2, 4, 5, 6, 7]
    assert {columns.FLOOR, columns.AREA} == {
        c for c in (columns.FLOOR, columns.AREA) for e in errors[:2] if c in e.message
    }
    assert columns.VOTE in errors[2].message
    assert "张三" in errors[3].message and "张三" in errors[4].message
    assert "102" in errors[5].message


def test_duplicate_room_in_a_unit(db, ledger):
    errors = fails(ledger([row("101"), row("102"), row("101", 意愿="反对")]))
    assert error_rows(errors) == [4]
    assert "101" in errors[0].message and "2" in errors[0].message  # names the room and its first row


def test_one_owners_flats_with_different_votes(db, ledger):
    owner = {columns.OWNER: "张三", columns.PHONE: "13800000001"}
    errors = fails(
        ledger([row("101", 意愿="同意", **owner), row("102"), row("201", 楼层=2, 意愿="反对", **owner)])
    )
    assert error_rows(errors) == [2, 4]
    assert all("张三" in e.message and "101" in e.message and "201" in e.message for e in errors)


def test_one_owners_flat_conflicting_with_a_stored_flat_writes_nothing(world, ledger):
    # 业主0 / 13900000000 holds 101 in the world's unit and agrees; a second flat voting no is an error.
    rows = [
        row("101", 街道="新街道", 社区="新社区"),  # would create a street before the conflict is found
        row(
            "X1",
            小区="绵纺厂宿舍小区",
            楼栋="1",
            楼层=6,
            业主姓名="业主0",
            联系电话="13900000000",
            意愿="反对",
        ),
    ]
    errors = fails(ledger(rows))
    assert error_rows(errors) == [3]
    assert not Street.objects.filter(name="新街道").exists()


def test_floor_above_an_existing_buildings_floors(world, ledger):
    rows = [row("101", 街道="新街道", 社区="新社区"), row("701", 小区="绵纺厂宿舍小区", 楼栋="1", 楼层=7)]
    errors = fails(ledger(rows))
    assert error_rows(errors) == [3]
    assert "7" in errors[0].message and "6" in errors[0].message
    assert Building.objects.get(pk=world.unit.building_id).floors == 6


@pytest.mark.parametrize("column", [columns.VOTE, columns.ROOM, columns.HARDSHIP, columns.NOTE])
def test_missing_column(db, ledger, column):
    header = [name for name in HEADER if name != column]
    errors = fails(ledger([row("101")], header=header))
    assert error_rows(errors) == [1]
    assert column in errors[0].message


def test_column_twice(db, ledger):
    values = row("101")
    errors = fails(ledger([[*(values[name] for name in HEADER), 1]], header=[*HEADER, columns.FLOOR]))
    assert error_rows(errors) == [1]
    assert columns.FLOOR in errors[0].message


def test_merged_cells(world, ledger):
    # Staff often merge the street or estate cells of a block of rows: only the first row holds the value.
    errors = fails(ledger(flats(3), merge=["A2:A3", "D3:E4"]))
    merged = [e for e in errors if "A2:A3" in e.message or "D3:E4" in e.message]
    assert [e.row for e in merged] == [2, 3]
    assert columns.STREET in merged[0].message
    assert columns.BUILDING in merged[1].message and columns.UNIT in merged[1].message
    # The cells below the first row of a merge are blank, and say so.
    assert {
        (e.row, c) for e in errors for c in (columns.STREET, columns.BUILDING, columns.UNIT) if c in e.message
    } >= {
        (3, columns.STREET),
        (4, columns.BUILDING),
        (4, columns.UNIT),
    }


def test_empty_sheet(db, ledger):
    assert error_rows(fails(ledger([], header=None))) == [1]


def test_header_without_rows(db, ledger):
    errors = fails(ledger([]))
    assert error_rows(errors) == [None]
    assert columns.SHEET in errors[0].message


def test_no_sheet_named_like_the_ledger(db, ledger):
    errors = fails(ledger([row("101")], sheet="Sheet1", other_sheets=["统计"]))
    assert error_rows(errors) == [None]
    assert (
        columns.SHEET in errors[0].message and "Sheet1" in errors[0].message and "统计" in errors[0].message
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
@pytest.mark.parametrize(
    "content", [os.urandom(4096), b"", b"PK\x03\x04 not really a zip"], ids=["random", "empty", "zip-ish"]
)
def test_a_file_that_is_not_a_workbook(db, tmp_path, suffix, content):
    path = tmp_path / f"renamed{suffix}"
    path.write_bytes(content)
    assert error_rows(fails(path)) == [None]


def test_a_zip_that_is_not_a_workbook(db, tmp_path):
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert error_rows(fails(path)) == [None]


# --- scope: staff import their own community, leaders their own street ------------------------------


def test_staff_may_import_only_their_own_communitys_rows(world, ledger):
    staff = world.users["staff"]
    rows = [row("101"), row("101", 社区="光华社区", 小区="光华小区", 楼栋="1")]
    errors = fails(ledger(rows), by=staff)
    assert error_rows(errors) == [3]
    assert "光华社区" in errors[0].message
    assert import_roster(ledger(rows[:1]), by=staff).households_created == 1


def test_leaders_may_import_only_their_own_streets_rows(world, ledger):
    leader = world.users["leader"]
    rows = [
        row("101"),
        row("101", 社区="光华社区", 小区="光华新村"),
        row("101", 街道="东风街道", 社区="东风社区"),
    ]
    errors = fails(ledger(rows), by=leader)
    assert error_rows(errors) == [4]
    assert "东风街道" in errors[0].message
    assert import_roster(ledger(rows[:2]), by=leader).households_created == 2


@pytest.mark.parametrize("role", ["unit_leader", "viewer"])
def test_read_only_roles_cannot_import_even_through_the_service(world, ledger, role):
    assert error_rows(fails(ledger([row("101")]), by=world.users[role])) == [None]


# --- .xls ------------------------------------------------------------------------------------------


def test_xls_workbook(db, ledger):
    pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls test workbook")
    rows = [
        row("101", 联系电话=13812345678, 建筑面积=68.45),
        row("202", 楼层="2", 建筑面积="70.1", 意愿="反对"),
    ]
    report = import_roster(ledger(rows, suffix=".xls"))
    assert report.households_created == 2
    assert (household("101").area, household("101").phone) == (Decimal("68.45"), "13812345678")
    assert (household("202").floor, household("202").area, household("202").vote.value) == (
        2,
        Decimal("70.10"),
        "oppose",
    )


def test_xls_workbook_with_a_bad_row(db, ledger):
    pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls test workbook")
    errors = fails(ledger([row("101"), row("102", 困难户="不是")], suffix=".xls"))
    assert error_rows(errors) == [3]
    assert columns.HARDSHIP in errors[0].message


# --- the command -----------------------------------------------------------------------------------


def test_command_imports_and_reports(db, ledger):
    out = StringIO()
    call_command("import_roster", str(ledger(flats(3))), stdout=out)
    assert Household.objects.count() == 3
    assert "3" in out.getvalue()


def test_command_dry_run_writes_nothing(db, ledger):
    out = StringIO()
    call_command("import_roster", str(ledger(flats(3))), "--dry-run", stdout=out)
    assert Household.objects.count() == Street.objects.count() == VoteChange.objects.count() == 0
    assert "3" in out.getvalue()


def test_command_fails_with_every_error_on_stderr(db, ledger):
    err = StringIO()
    path = ledger([row("101", 楼层="一"), row("102", 建筑面积=-1)])
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert "2" in lines[0] and columns.FLOOR in lines[0]
    assert "3" in lines[1] and columns.AREA in lines[1]
    assert Household.objects.count() == 0


def test_command_exit_status_is_not_zero(db, ledger, capsys, monkeypatch):
    from django.db import connections

    from consultations.management.commands.import_roster import Command

    # run_from_argv closes every connection when it ends, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_roster", str(ledger([row("101", 意愿="?")]))])
    assert exited.value.code != 0
    assert columns.VOTE in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_roster", "/nonexistent/ledger.xlsx"])
    assert exited.value.code != 0


# --- queries -----------------------------------------------------------------------------------------


def _queries(path) -> int:
    with CaptureQueriesContext(connection) as captured:
        import_roster(path)
    return len(captured)


WRITTEN = {model._meta.db_table: model for model in (Household, Vote, VoteChange)}


def _query_shape(path) -> tuple[int, Counter]:
    """Queries other than bulk writes, and the bulk writes (INSERT/UPDATE statements) per table."""
    with CaptureQueriesContext(connection) as captured:
        import_roster(path)
    writes = Counter()
    others = 0
    for query in captured.captured_queries:
        # New flats go in by executemany ("N times: INSERT …") or COPY (units/columns._insert).
        found = re.match(r'\s*(?:\d+ times: )?(?:INSERT INTO|UPDATE|COPY)\s+"?(\w+)"?', query["sql"])
        if found and found.group(1) in WRITTEN:
            writes[found.group(1)] += 1
        else:
            others += 1
    return others, writes


def _batches(table: str, rows: int) -> int:
    """How many statements the backend needs to write ``rows`` rows in bulk (the import asks for 500 a batch).

    SQLite takes at most 999 parameters a statement, so Django cuts its batches to about 999 / fields
    (UPDATE … CASE needs two more a row); PostgreSQL has no such limit.
    """
    fields = len([f for f in WRITTEN[table]._meta.concrete_fields if not f.auto_created or not f.primary_key])
    limit = connection.features.max_query_params
    per_batch = 500 if limit is None else min(500, limit // (fields + 2))
    return math.ceil(rows / per_batch)


def test_query_count_does_not_grow_with_rows(world, ledger):
    # Per import: a savepoint; a lookup (and an insert, if new) for each street, community, estate,
    # building and unit; one read of the unit's stored households; the bulk writes of households, votes
    # and history, in as few batches as the database allows.
    for vote in ("同意", "反对"):  # first the create path, then the update path (every vote changes)
        small_others, small_writes = _query_shape(ledger(flats(100, per_floor=20, vote=vote)))
        large_others, large_writes = _query_shape(ledger(flats(200, per_floor=40, vote=vote, 小区="大小区")))
        assert small_others == large_others
        assert (
            set(large_writes)
            == set(small_writes)
            == {"units_household", "consultations_vote", "consultations_votechange"}
            - ({"units_household"} if vote == "反对" else set())
        )
        for table, statements in large_writes.items():
            assert statements <= _batches(table, 200), table
    if connection.features.max_query_params is None:  # PostgreSQL: the very same count
        assert _queries(ledger(flats(100, per_floor=20, 小区="丙"))) == _queries(
            ledger(flats(200, per_floor=40, 小区="丁"))
        )


def test_query_count_does_not_grow_with_the_units_already_stored(world, ledger):
    # Streets … units are looked up level by level (units/columns._units_for): a unit already stored
    # costs no query of its own, and following it up to its estate costs nothing either.
    def spread(units, estate):
        return [row(f"{u}01", 单元=str(u), 小区=estate) for u in range(1, units + 1)]

    import_roster(ledger(spread(2, "甲") + spread(4, "乙")))
    two, four = _queries(ledger(spread(2, "甲"))), _queries(ledger(spread(4, "乙")))
    assert four == two
