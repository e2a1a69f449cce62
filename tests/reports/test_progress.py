"""The progress workbook: a summary and a sheet per community or estate, the dashboard's figures,
scope by role, the dashboard's filters, and one query, whatever the rows and chunks."""

import io
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from consultations.models import UnitTally
from consultations.selectors import consent_by_unit
from reports import dashboard
from reports.exports import progress
from reports.exports.common import ratio_of, ratio_value
from retrofit.models import ExportKind, ExportLog
from tests.factories import add_flats, at_stage, build, make_unit, pass_acceptance, plan_for, signed_plan_for
from units.models import Stage, Unit
from works import services as works
from works.models import AcceptanceCheck

from .conftest import body, workbook


def url(level, obj):
    return reverse("progress_workbook", kwargs={"level": level, "pk": obj.pk})


def _unit_rows(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in ws.iter_rows(min_row=2)]


def _summary_table(ws):
    """The group rows of 汇总, up to and including 合计: name → the nine figures."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[1] == "单元数") + 1
    table = {}
    for row in rows[start:]:
        table[row[0]] = row[1:10]
        if row[0] == "合计":
            return table
    raise AssertionError("no 合计 row")


@pytest.mark.parametrize(
    ("role", "status", "sheets"),
    [
        ("leader", 200, ["汇总", "光华社区", "绵纺社区"]),
        ("viewer", 200, ["汇总", "光华社区", "绵纺社区"]),
        ("staff", 200, ["汇总", "绵纺社区"]),  # only their community, even on the street's workbook
        ("unit_leader", 200, ["汇总", "绵纺社区"]),
        ("outsider", 404, None),
        ("company", 403, None),  # its units are in the street, the roster is not for its role
    ],
)
def test_street_workbook_by_role(client, company, role, status, sheets):
    client.force_login(company.users[role])
    response = client.get(url("street", company.street))
    assert response.status_code == status
    if sheets:
        assert workbook(response).sheetnames == sheets


def test_rows_and_summary_match_the_dashboard(client, world):
    at_stage(world.unit, Stage.CONSTRUCTION)  # counts as signed, not yet installed
    at_stage(world.sibling_unit, Stage.IN_SERVICE)  # signed, installed, accepted
    extra = make_unit(world.community, estate="绵纺厂宿舍小区", building="2")
    add_flats(extra, ["agree", "oppose", "oppose", "undecided"])
    client.force_login(world.users["leader"])
    book = workbook(client.get(url("street", world.street)))
    rows = _unit_rows(book["绵纺社区"])
    assert [(r["楼栋"], r["单元"]) for r in rows] == [("1", "1"), ("2", "1")]
    first = rows[0]
    assert (first["户数"], first["业主人数"], first["同意"], first["反对"], first["未表态"]) == (12, 12, 8, 1, 2)
    assert first["已签约"] == "是" and first["已完工"] is None  # an empty cell
    assert book["绵纺社区"].freeze_panes == "E2"
    assert book["绵纺社区"].cell(2, 17).number_format == "0.00%"
    # The summary agrees with the dashboard for the same units.
    board = dashboard.build(Unit.objects.visible_to(world.users["leader"]).filter(
        building__estate__community__street=world.street), group_by="community")
    table = _summary_table(book["汇总"])
    for group in board.groups:
        units, households, owners, agree, _share, ready, signed, installed, accepted = table[group.name]
        assert (units, households, owners, agree, ready, signed, installed, accepted) == (
            group.units, group.households, group.owners, group.agree, group.ready,
            group.signed, group.installed, group.accepted,
        ), group.name
    assert table["合计"][0] == len(board.units) and table["合计"][6] == board.totals.signed


def test_filters_of_the_dashboard_apply(client, world):
    at_stage(world.unit, Stage.CONSULTATION)
    client.force_login(world.users["leader"])
    book = workbook(client.get(url("street", world.street) + "?stage=consultation"))
    assert book.sheetnames == ["汇总", "绵纺社区"]
    add_flats(make_unit(world.sibling, estate="光华小区", building="2"), ["oppose"] * 4 + ["agree"] * 2)
    book = workbook(client.get(url("street", world.street) + "?situation=unlikely"))
    assert book.sheetnames == ["汇总", "光华社区"]  # the other units are ready
    assert [r["楼栋"] for r in _unit_rows(book["光华社区"])] == ["2"]
    log = ExportLog.objects.latest("id")
    assert log.kind == ExportKind.PROGRESS and log.object_ids["filters"] == {"situation": "unlikely"}
    assert log.object_ids["units"] == 1


def test_community_and_estate_levels_have_a_sheet_per_estate(client, world):
    make_unit(world.community, estate="第二小区")
    client.force_login(world.users["staff"])
    assert workbook(client.get(url("community", world.community))).sheetnames == ["汇总", "第二小区", "绵纺厂宿舍小区"]
    assert workbook(client.get(url("estate", world.estate))).sheetnames == ["汇总", "绵纺厂宿舍小区"]
    assert client.get(url("community", world.sibling)).status_code == 404
    assert client.get(reverse("progress_workbook", kwargs={"level": "building", "pk": 1})).status_code == 404


def _write(units, chunk_size=progress.CHUNK_SIZE):
    handle = io.BytesIO()
    progress.write_progress_workbook(units, handle, title="红旗街道", chunk_size=chunk_size)
    return handle


def test_one_query_whatever_the_rows_and_chunks(world, django_assert_num_queries):
    """One ordered query, read a chunk at a time: the units with their places, stored consent, plan,
    contract, works records, signatures and acceptance."""
    units = Unit.objects.filter(building__estate__community__street=world.street)
    consent_by_unit(units.for_listing())  # the stored tallies exist, as they do once the pages were seen
    with django_assert_num_queries(1):
        _write(units)
    for number in range(2, 12):
        unit = make_unit(world.community, estate="大院", building=str(number))
        add_flats(unit, ["agree", "oppose"] * 3)
        if number % 2:  # plans, contracts, signatures and acceptance checks add no query either
            signed_plan_for(unit, stage=Stage.ACCEPTANCE)
            pass_acceptance(unit)
    consent_by_unit(units.for_listing())
    with django_assert_num_queries(1):  # 12 units, 102 households
        _write(units)
    with django_assert_num_queries(1):  # chunks of 5 units: 3 chunks
        summary = progress.write_progress_workbook(units, io.BytesIO(), title="红旗街道", chunk_size=5)
    assert (summary.rows, summary.chunks) == (12, 3)


def test_a_unit_s_works_cells_are_its_current_plan_contract_and_records(signed):
    """The cells read from other records than the unit: the current plan (the latest version), the
    contract's signatures counted once each though the unit has several city checks, the last city
    acceptance passed, the works' dates, and the day the stage began in Shanghai."""
    world = signed
    plan_for(world.sibling_unit, total="500000")
    current = plan_for(world.sibling_unit, total="420000", base=1)
    build(world.unit, world.users["staff"], date(2026, 3, 2), date(2026, 4, 20))
    for on, level, result in [
        (date(2026, 5, 10), "city", "pass"),
        (date(2026, 6, 1), "city", "pass"),
        (date(2026, 6, 3), "city", "fail"),
        (date(2026, 6, 5), "district", "pass"),
    ]:
        remarks = "井道渗水" if result == "fail" else ""
        AcceptanceCheck.objects.create(unit=world.unit, level=level, result=result, date=on, inspector="检验员", remarks=remarks)
    works.registration_save(unit=world.unit, by=None, number="川登2026-1", registered_on=date(2026, 6, 20), user_unit="物业")
    Unit.objects.filter(pk=world.unit.pk).update(stage_since=datetime(2026, 3, 1, 17, 30, tzinfo=UTC))  # 3月2日 01:30
    book = load_workbook(_write(Unit.objects.filter(building__estate__community__street=world.street)))
    row = _unit_rows(book["绵纺社区"])[0]
    plan = world.contract.plan
    assert (row["工程总价（元）"], row["政府补助（元）"], row["居民自筹（元）"]) == (
        plan.total_cost, plan.subsidy, plan.net_cost,
    )
    assert (row["已签字户数"], row["应签字户数"]) == (2, world.contract.signatures.count())
    assert world.contract.signatures.count() > 2
    days = [row[h].date() for h in ("开工日期", "竣工日期", "市级验收通过日期", "使用登记日期", "进入本阶段日期")]
    assert days == [date(2026, 3, 2), date(2026, 4, 20), date(2026, 6, 1), date(2026, 6, 20), date(2026, 3, 2)]
    sibling = _unit_rows(book["光华社区"])[0]
    assert (sibling["工程总价（元）"], sibling["政府补助（元）"]) == (current.total_cost, current.subsidy)
    assert sibling["已签字户数"] is None and sibling["应签字户数"] is None and sibling["市级验收通过日期"] is None


def test_a_unit_whose_roster_is_in_conflict_shows_no_figures(world):
    units = Unit.objects.filter(building__estate__community__street=world.street)
    consent_by_unit(units.for_listing())
    UnitTally.objects.filter(unit=world.unit).update(conflict="两户登记为同一业主")
    book = load_workbook(_write(units))
    row = _unit_rows(book["绵纺社区"])[0]
    assert row["达到法定比例"] == "名册冲突"
    assert [row[h] for h in ("户数", "同意", "参与人数比例", "还需同意人数", "情况分类")] == [None] * 5
    assert _summary_table(book["汇总"])["绵纺社区"][:3] == (1, 0, 0)  # counted as a unit, without figures


@pytest.mark.parametrize("seed", range(3))
def test_a_ratio_cell_is_the_exact_ratio_to_six_places(seed):
    """``ratio_of`` divides Decimals once; the cell is the same number as the exact Fraction's."""
    rng = random.Random(seed)
    for _ in range(2000):
        whole = rng.choice([rng.randrange(1, 200), Decimal(rng.randrange(1, 10**6)) / 100])
        part = rng.choice([rng.randrange(0, 200), Decimal(rng.randrange(0, 10**6)) / 100])
        assert ratio_of(part, whole) == ratio_value(Fraction(part) / Fraction(whole)), (part, whole)
        assert str(ratio_of(part, whole)) == str(ratio_value(Fraction(part) / Fraction(whole)))
    assert ratio_of(3, 0) is None and ratio_of(Decimal("1.50"), Decimal("0.00")) is None


def test_rows_are_written_in_order_across_chunks(world):
    for number in ("2", "3", "4"):
        make_unit(world.community, estate="绵纺厂宿舍小区", building=number)
    units = Unit.objects.filter(building__estate__community__street=world.street)
    book = load_workbook(_write(units, chunk_size=2))
    assert [(r["小区"], r["楼栋"]) for r in _unit_rows(book["绵纺社区"])] == [
        ("绵纺厂宿舍小区", "1"), ("绵纺厂宿舍小区", "2"), ("绵纺厂宿舍小区", "3"), ("绵纺厂宿舍小区", "4"),
    ]
    assert _summary_table(book["汇总"])["合计"][0] == 5


def test_sheet_names_excel_accepts(world):
    from reports.exports.common import sheet_title

    taken = {"汇总"}
    assert sheet_title("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    long = "很长的社区名称" * 6
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second
    assert sheet_title("汇总", taken) == "汇总(2)"


def test_export_without_login_goes_to_login(client, world):
    response = client.get(url("street", world.street))
    assert response.status_code == 302
    assert body(response) == b""
