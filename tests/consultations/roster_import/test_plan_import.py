"""The optional sheet 单元方案 and the column 困难减免 of the ledger import: all or nothing, every error
with its row and, for the plan sheet, the sheet's name."""

from decimal import Decimal

import pytest
from openpyxl import Workbook

from consultations import roster_import
from consultations.roster_import import ImportFailed, columns, import_roster
from units import contracts, plan_tables
from units.models import Household, Plan, PlanShare, SplitMethod, Stage, Unit

from .workbooks import HEADER, db_state, flats

pytestmark = pytest.mark.django_db

PLAN_HEADER = list(columns.PLAN_TEMPLATE_COLUMNS)
# The unit of workbooks.BASE (新华小区 3栋1单元 in the world fixture's community).
UNIT = {"街道": "红旗街道", "社区": "绵纺社区", "小区": "新华小区", "楼栋": "3", "单元": "1"}


def plan_row(**changes):
    values = {**UNIT, "入户方式": "平层入户", "工程总价": 600000, "政府补助": None, "分摊方式": "按楼层系数", "楼层系数": None}
    values.update(changes)
    return values


def write(path, roster, plan_rows=None, *, plan_header=PLAN_HEADER, relief=True):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = columns.SHEET
    header = [*HEADER, columns.RELIEF] if relief else HEADER
    sheet.append(header)
    for values in roster:
        sheet.append([values.get(name) for name in header])
    if plan_rows is not None:
        plan_sheet = workbook.create_sheet(columns.PLAN_SHEET)
        plan_sheet.append(plan_header)
        for values in plan_rows:
            plan_sheet.append([values.get(name) for name in plan_header])
    workbook.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    counter = iter(range(1000))

    def make(roster, plan_rows=None, **options):
        return write(tmp_path / f"book{next(counter)}.xlsx", roster, plan_rows, **options)

    return make


def twelve(**changes):
    """Twelve flats 101…602 on six floors, 80.5 m² each."""
    return flats(12, **changes)


def fails(path, *, by=None):
    before = db_state()
    plans_before = (Plan.objects.count(), PlanShare.objects.count())
    with pytest.raises(ImportFailed) as failed:
        import_roster(path, by=by)
    assert db_state() == before
    assert (Plan.objects.count(), PlanShare.objects.count()) == plans_before
    return failed.value.errors


def the_unit():
    return Unit.objects.for_listing().get(building__estate__name="新华小区", building__number="3", number="1")


def test_roster_with_a_plan_sheet_creates_households_and_a_plan(world, book):
    report = import_roster(book(twelve(), [plan_row()]), by=world.users["staff"])
    assert (report.households_created, report.plans_created) == (12, 1)
    plan = Plan.objects.get(unit=the_unit())
    assert (plan.version, plan.subsidy, plan.net_cost, plan.created_by) == (1, Decimal("240000.00"), Decimal("360000.00"), world.users["staff"])
    assert plan.entry_type == "flat" and plan.stops == 6
    assert sum(s.amount for s in plan.shares.all()) == plan.net_cost
    assert {s.floor: s.amount for s in plan.shares.all()}[6] == Decimal("73800.00")


def test_explicit_subsidy_coefficients_area_method_and_relief(world, book):
    roster = twelve()
    roster[5][columns.RELIEF] = "3,000"  # 302
    rows = [plan_row(入户方式="半层入户", 工程总价="520,000元", 政府补助=200000, 分摊方式="按楼层系数x面积", 楼层系数="1:0，2:0.3，3:0.6，4:0.9，5:1.2，6:1.5")]
    import_roster(book(roster, rows))
    plan = Plan.objects.get(unit=the_unit())
    assert (plan.entry_type, plan.method, plan.subsidy, plan.subsidy_from_policy) == ("half", SplitMethod.FLOOR_AREA, Decimal("200000.00"), False)
    assert plan.coefficients["6"] == "1.5"
    shares = {s.room: s for s in plan.shares.all()}
    assert shares["302"].relief == Decimal("3000.00")
    assert sum(s.amount for s in shares.values()) == Decimal("320000.00")


def test_reimport_of_the_same_workbook_adds_no_version(world, book):
    path = book(twelve(), [plan_row()])
    import_roster(path)
    report = import_roster(path)
    assert (report.plans_created, report.plans_unchanged) == (0, 1)
    report = import_roster(book(twelve(), [plan_row(工程总价=620000)]))
    assert report.plans_created == 1
    assert list(Plan.objects.filter(unit=the_unit()).values_list("version", flat=True).order_by("version")) == [1, 2]


def test_without_a_plan_sheet_the_import_is_as_before(world, book):
    report = import_roster(book(twelve(), relief=False))
    assert (report.households_created, report.plans_created) == (12, 0)
    assert not Plan.objects.exists()


def test_plan_sheet_errors_name_the_sheet_and_the_row(world, book):
    rows = [
        plan_row(),
        plan_row(单元="2", 入户方式="电梯入户", 工程总价=-5, 分摊方式="按面积"),
        plan_row(单元="3", 工程总价=600000.123, 楼层系数="1:0, 2:abc"),
        plan_row(工程总价=500000),  # the unit again
        plan_row(单元="4", 工程总价=100, 政府补助=200),
    ]
    errors = fails(book(twelve(), rows))
    assert {e.row for e in errors} == {3, 4, 5, 6}
    assert all(columns.PLAN_SHEET in e.message for e in errors)
    text = " ".join(e.message for e in errors if e.row == 3)
    assert columns.ENTRY in text and columns.TOTAL_COST in text and columns.METHOD in text
    assert columns.COEFFICIENTS in " ".join(e.message for e in errors if e.row == 4)
    assert columns.SUBSIDY in " ".join(e.message for e in errors if e.row == 6)


def test_roster_and_plan_errors_come_together(world, book):
    roster = twelve()
    roster[0][columns.FLOOR] = "x"
    roster[3][columns.RELIEF] = "abc"
    errors = fails(book(roster, [plan_row(入户方式="")]))
    assert [e.row for e in errors] == [2, 5, 2]
    assert columns.PLAN_SHEET not in errors[0].message and columns.PLAN_SHEET in errors[-1].message


def test_missing_plan_columns(world, book):
    errors = fails(book(twelve(), [plan_row()], plan_header=[c for c in PLAN_HEADER if c != columns.METHOD]))
    assert [e.row for e in errors] == [1]
    assert columns.METHOD in errors[0].message and columns.PLAN_SHEET in errors[0].message


def test_plan_for_an_unknown_unit_or_an_uncovered_floor(world, book):
    errors = fails(book(twelve(), [plan_row(), plan_row(楼栋="9")]))
    assert [e.row for e in errors] == [3] and columns.PLAN_SHEET in errors[0].message
    errors = fails(book(twelve(), [plan_row(楼层系数="1:0, 2:1, 3:2")]))
    assert [e.row for e in errors] == [2] and "4、5、6" in errors[0].message


def test_relief_errors_point_at_the_ledger_row(world, book):
    roster = twelve()
    roster[0][columns.RELIEF] = 100  # 101 pays nothing
    errors = fails(book(roster, [plan_row()]))
    assert [e.row for e in errors] == [2] and columns.RELIEF in errors[0].message
    roster = twelve()
    roster[2][columns.RELIEF] = 100  # 201, but the unit has no plan row
    errors = fails(book(roster, []))  # a plan sheet with no row for this unit
    assert [e.row for e in errors] == [4] and columns.PLAN_SHEET in errors[0].message


def test_signed_plan_cannot_be_replaced_by_import(world, book):
    import_roster(book(twelve(), [plan_row()]))
    unit = the_unit()
    Unit.objects.filter(pk=unit.pk).update(stage=Stage.SIGNING)
    unit.refresh_from_db()
    contracts.contract_start(unit=unit, by=None)
    errors = fails(book(twelve(), [plan_row(工程总价=650000)]))
    assert [e.row for e in errors] == [2] and columns.PLAN_SHEET in errors[0].message


def test_plan_rows_outside_the_users_scope(world, book):
    rows = [plan_row(), plan_row(街道="东风街道", 社区="东风社区", 小区="东风小区", 楼栋="1", 单元="1")]
    errors = fails(book(twelve(), rows), by=world.users["staff"])
    assert [e.row for e in errors] == [3] and columns.PLAN_SHEET in errors[0].message


def test_dry_run_writes_no_plan(world, book):
    report = import_roster(book(twelve(), [plan_row()]), dry_run=True)
    assert report.plans_created == 1
    assert not Plan.objects.exists() and not Household.objects.filter(unit__building__estate__name="新华小区").exists()


def test_plan_sheet_for_a_stored_unit(world, book):
    # world.unit is stored; a workbook may plan it while its ledger rows are about another unit.
    rows = [plan_row(), plan_row(小区="绵纺厂宿舍小区", 楼栋="1", 单元="1", 楼层系数="1:0, 2:1, 3:2, 4:3, 5:4, 6:5")]
    report = import_roster(book(twelve(), rows))
    assert report.plans_created == 2
    stored = Plan.objects.get(unit=world.unit)
    assert stored.coefficient_table[6] == Decimal("5") and sum(s.amount for s in stored.shares.all()) == stored.net_cost


def test_template_helper_adds_the_plan_sheet():
    workbook = Workbook()
    roster_import.add_plan_sheet(workbook)
    sheet = workbook[columns.PLAN_SHEET]
    assert [c.value for c in sheet[1]] == PLAN_HEADER
    assert plan_tables.parse_coefficient_text(sheet["J2"].value)[6] == Decimal("20.5")
