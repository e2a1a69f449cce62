"""A ledger re-import never changes a household without a trace.

Every field an import changes on a stored household is kept (HouseholdChange: who, when, before, after,
source 台账导入), a vote or reason change lands in the vote history; the preview lists each change field
by field and the confirmation must say they were checked; the template's sample rows are skipped; a unit
in signing or later keeps its owners, areas and flats.
"""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations.models import UnitTally, VoteChange, week_of
from consultations.roster_import import ImportFailed, columns, import_roster
from consultations.roster_import import views as import_views
from consultations.selectors import consent_by_unit
from tests.histories import nets, stored_weeks, weeks_from_history
from units.models import Household, HouseholdChange, Stage, StageChange, Unit

from .workbooks import db_state, flats, row, write_xlsx

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHERE = {columns.ESTATE: "绵纺厂宿舍小区", columns.BUILDING: "1"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ledger(tmp_path):
    counter = iter(range(1000))

    def make(rows=(), **options):
        return write_xlsx(tmp_path / f"ledger{next(counter)}.xlsx", rows, **options)

    return make


def world_row(index, **changes) -> dict:
    """The world fixture's flat number ``index`` (101, 102, 201 …) as the ledger holds it today."""
    floor, side = divmod(index, 2)
    values = {
        **WHERE,
        columns.FLOOR: floor + 1,
        columns.AREA: 80,
        columns.OWNER: f"业主{index}",
        columns.PHONE: f"139{index:08d}",
        columns.VOTE: "同意",
    }
    values.update(changes)
    return row(f"{floor + 1}{side + 1:02d}", **values)


def history(household) -> list[tuple]:
    return list(
        HouseholdChange.objects.filter(household=household)
        .order_by("field")
        .values_list("field", "before", "after", "source", "changed_by__username")
    )


# --- the history ----------------------------------------------------------------------------------


def test_reimport_records_every_changed_field_with_who_when_before_after_and_source(world, ledger):
    staff = world.users["staff"]
    flat = world.flats[0]
    votes_before = VoteChange.objects.filter(household=flat).count()

    report = import_roster(
        ledger([world_row(0, 业主姓名="王五", 联系电话="13811112222", 建筑面积=81.5, 居住情况="出租", 困难户="是", 备注="已入户", 反对原因="等加装后再说")]),
        by=staff,
    )

    assert report.households_updated == 1
    assert history(flat) == [
        ("area", "80.00", "81.50", "import", "staff"),
        ("hardship", "false", "true", "import", "staff"),
        ("note", "", "已入户", "import", "staff"),
        ("occupancy", "owner", "rented", "import", "staff"),
        ("owner_name", "业主0", "王五", "import", "staff"),
        ("phone", "13900000000", "13811112222", "import", "staff"),
    ]
    assert all(change.changed_at for change in HouseholdChange.objects.filter(household=flat))
    # The vote stayed 同意 but its reason changed: that is a vote history line too, from the import.
    assert VoteChange.objects.filter(household=flat).count() == votes_before + 1
    latest = VoteChange.objects.filter(household=flat).first()
    assert (latest.before, latest.after, latest.reason, latest.source, latest.changed_by) == (
        "agree",
        "agree",
        "等加装后再说",
        "import",
        staff,
    )
    # The history reads in the interface's words.
    owner = HouseholdChange.objects.get(household=flat, field="owner_name")
    assert str(owner) == "业主姓名：业主0 → 王五"
    assert str(HouseholdChange.objects.get(household=flat, field="occupancy")) == "居住情况：自住 → 出租"
    assert str(HouseholdChange.objects.get(household=flat, field="hardship")) == "困难户：否 → 是"


def test_reimporting_the_same_ledger_records_nothing(world, ledger):
    rows = [world_row(i) for i in range(3)]
    path = ledger(rows)
    report = import_roster(path)
    assert (report.households_updated, report.households_unchanged, report.changes) == (0, 3, [])
    assert HouseholdChange.objects.count() == 0


def test_the_dry_run_lists_the_same_changes_the_real_run_writes(world, ledger):
    path = ledger([world_row(0, 业主姓名="王五"), world_row(1, 意愿="反对", 反对原因="担心噪音"), row("901", 楼层=6)])
    before = db_state()
    preview = import_roster(path, dry_run=True)
    assert db_state() == before and HouseholdChange.objects.count() == 0

    real = import_roster(path)

    assert preview.changes == real.changes
    assert [(c.row, c.room, [(f.column, f.before, f.after) for f in c.fields]) for c in real.changes] == [
        (2, "101", [(columns.OWNER, "业主0", "王五")]),
        (3, "102", [(columns.VOTE, "同意", "反对"), (columns.REASON, "", "担心噪音")]),
    ]
    assert real.changes[0].unit == "绵纺厂宿舍小区 1栋1单元"


def test_command_dry_run_prints_each_change(world, ledger):
    out = StringIO()
    path = ledger([world_row(0, 建筑面积=82)])
    call_command("import_roster", str(path), "--dry-run", stdout=out)
    assert "第 2 行 绵纺厂宿舍小区 1栋1单元 101：建筑面积 80.00 → 82.00" in out.getvalue()
    assert HouseholdChange.objects.count() == 0


def test_the_vote_page_shows_the_roster_history(client, world, ledger):
    staff = world.users["staff"]
    import_roster(ledger([world_row(0, 业主姓名="王五")]), by=staff)
    client.force_login(staff)
    page = client.get(reverse("household_vote", args=[world.flats[0].pk])).content.decode()
    assert 'data-testid="roster-history"' in page
    assert "业主姓名：业主0 → 王五" in page and "台账导入" in page


def test_the_admin_lists_the_roster_history_read_only(client, world, ledger):
    from retrofit.models import User

    import_roster(ledger([world_row(0, 业主姓名="王五")]))
    client.force_login(User.objects.create_superuser("root", password="x"))
    page = client.get(reverse("admin:units_householdchange_changelist"))
    assert page.status_code == 200 and "王五" in page.content.decode()
    assert client.get(reverse("admin:units_householdchange_add")).status_code == 403


# --- the preview asks for the changes to be checked ---------------------------------------------------


def upload(client, path: Path, name="台账.xlsx"):
    return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)})


def test_the_preview_lists_each_change_and_confirming_needs_the_box_ticked(client, world, ledger):
    staff = world.users["staff"]
    client.force_login(staff)
    path = ledger([world_row(0, 业主姓名="王五", 建筑面积=81), world_row(1, 联系电话=""), world_row(2), row("901", 楼层=6)])

    response = upload(client, path)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="import-changes"' in page
    assert "王五" in page and "业主0" in page and "81.00" in page and "13900000001" in page
    assert "我已核对以上 2 户的变更" in page
    before = db_state()

    refused = client.post(reverse("import_confirm"), {"action": "confirm"})

    assert refused.status_code == 422
    assert "请先勾选“我已核对以上 2 户的变更”" in refused.content.decode()
    assert db_state() == before and HouseholdChange.objects.count() == 0
    assert import_views.SESSION_KEY in client.session  # the upload waits for the ticked box

    done = client.post(reverse("import_confirm"), {"action": "confirm", "reviewed": "on"})

    assert done.status_code == 302
    assert Household.objects.get(pk=world.flats[0].pk).owner_name == "王五"
    assert HouseholdChange.objects.filter(changed_by=staff).count() == 3


def test_only_new_households_need_no_box(client, world, ledger):
    client.force_login(world.users["staff"])
    response = upload(client, ledger(flats(2)))
    assert 'name="reviewed"' not in response.content.decode()
    assert client.post(reverse("import_confirm"), {"action": "confirm"}).status_code == 302
    assert Household.objects.filter(unit__building__estate__name="新华小区").count() == 2


def test_a_change_made_after_the_preview_refuses_the_confirmation(client, world, ledger):
    client.force_login(world.users["staff"])
    upload(client, ledger([world_row(0, 业主姓名="王五")]))
    Household.objects.filter(pk=world.flats[1].pk).update(owner_name="别人")  # the file says 业主1
    Household.objects.filter(pk=world.flats[0].pk).update(phone="13700000000")
    before = db_state()

    response = client.post(reverse("import_confirm"), {"action": "confirm", "reviewed": "on"})

    assert response.status_code == 422
    assert "预览之后" in response.content.decode()
    assert db_state() == before


# --- the template's sample rows ------------------------------------------------------------------


def template(client, tmp_path, *, ledger_rows=(), plan_rows=()) -> Path:
    path = tmp_path / "template.xlsx"
    path.write_bytes(client.get(reverse("import_template")).content)
    book = load_workbook(path)
    for values in ledger_rows:
        book[columns.SHEET].append([values.get(c) for c in columns.TEMPLATE_COLUMNS])
    for values in plan_rows:
        book[columns.PLAN_SHEET].append(values)
    book.save(path)
    return path


def test_the_templates_sample_rows_are_skipped_and_a_real_row_below_imports(client, world, tmp_path):
    # The pilot's 1-1 is signed: a plan row for it would fail the import; the sample must not try.
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.UPKEEP)
    staff = world.users["staff"]
    client.force_login(staff)
    path = template(
        client,
        tmp_path,
        ledger_rows=[row("101"), row("201", 楼层=2)],
        plan_rows=[["红旗街道", "绵纺社区", "新华小区", "3", "1", "平层入户", 300000, "", "按楼层系数", ""]],
    )
    before = {h.pk: (h.owner_name, h.area) for h in Household.objects.filter(unit=world.unit)}

    report = import_roster(path, by=staff)

    assert report.rows == 2 and report.households_created == 2 and report.plans_created == 1
    assert report.skipped == ["第 2 行为示例行，已跳过", "单元方案 第 2 行为示例行，已跳过"]
    assert {h.pk: (h.owner_name, h.area) for h in Household.objects.filter(unit=world.unit)} == before
    assert not Household.objects.filter(unit__building__estate__name=columns.SAMPLE_ESTATE).exists()

    # The pages say so too.
    response = upload(client, template(client, tmp_path, ledger_rows=[row("102")]))
    assert "第 2 行为示例行，已跳过" in response.content.decode()


def test_the_template_alone_imports_nothing_and_says_why(client, world, tmp_path):
    client.force_login(world.users["leader"])
    with pytest.raises(ImportFailed) as failed:
        import_roster(template(client, tmp_path))
    assert [str(e) for e in failed.value.errors] == [
        "工作表“住户台账”只有示例行（第 2 行），导入时会跳过；请在示例行下面填写住户。"
    ]


# --- a unit in signing or later keeps its owners, areas and flats -----------------------------------


@pytest.mark.parametrize("stage", [Stage.SIGNING, Stage.CONSTRUCTION, Stage.UPKEEP])
def test_owner_area_and_floor_changes_are_refused_once_a_unit_is_signing(world, ledger, stage):
    Unit.objects.filter(pk=world.unit.pk).update(stage=stage)
    before = db_state()
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger([world_row(0), world_row(1), world_row(2, 业主姓名="王五"), world_row(3, 建筑面积=90)]))
    assert db_state() == before
    messages = [str(e) for e in failed.value.errors]
    assert [e.row for e in failed.value.errors] == [4, 5]
    assert messages[0].startswith("第 4 行：1栋1单元 已进入签约阶段，不能通过导入更改业主、面积或楼层（业主姓名 业主2 → 王五）")
    assert "建筑面积 80.00 → 90.00" in messages[1]


def test_a_new_flat_in_a_signing_unit_is_refused(world, ledger):
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.SIGNING)
    with pytest.raises(ImportFailed) as failed:
        import_roster(ledger([row("701", 楼层=6, **WHERE)]))
    assert [e.row for e in failed.value.errors] == [2]
    assert "不能通过导入新增住户 701" in str(failed.value.errors[0])


def test_votes_phones_and_notes_still_change_in_a_signing_unit_and_are_recorded(world, ledger):
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.SIGNING)
    staff = world.users["staff"]
    import_roster(ledger([world_row(0, 意愿="反对", 反对原因="担心噪音", 联系电话="13811112222", 备注="已电话")]), by=staff)
    flat = world.flats[0]
    assert [c[0] for c in history(flat)] == ["note", "phone"]
    assert VoteChange.objects.filter(household=flat, source="import", after="oppose").count() == 1


def test_a_unit_paused_after_signing_is_still_refused(world, ledger):
    from django.utils import timezone

    now = timezone.now()
    StageChange.objects.create(unit=world.unit, before=Stage.NOTICE, after=Stage.SIGNING, changed_at=now)
    StageChange.objects.create(unit=world.unit, before=Stage.SIGNING, after=Stage.PAUSED, changed_at=now)
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.PAUSED)
    with pytest.raises(ImportFailed):
        import_roster(ledger([world_row(0, 建筑面积=90)]))
    # Paused before signing: the roster may still be corrected.
    Unit.objects.filter(pk=world.sibling_unit.pk).update(stage=Stage.PAUSED)
    report = import_roster(
        ledger([row("101", 小区="光华小区", 社区="光华社区", 楼栋="1", 业主姓名="业主0", 联系电话="13900000000", 建筑面积=90)])
    )
    assert report.households_updated == 1
    assert Decimal("90") == Household.objects.get(unit=world.sibling_unit, room="101").area


def test_the_upload_page_states_the_rules(client, world):
    client.force_login(world.users["staff"])
    page = client.get(reverse("import_upload")).content.decode()
    assert "示例行" in page and "单元进入签约阶段后，不能通过导入更改业主、面积或楼层" in page


def test_the_preview_lists_possible_same_owners_read_only(client, world, ledger):
    """docs/rules.md, "Possible same owner": listed for the unit page, nothing linked by the import."""
    client.force_login(world.users["staff"])
    path = ledger([world_row(9), world_row(10, 业主姓名="业主9的女儿", 联系电话="139 0000 0009")])

    page = upload(client, path).content.decode()

    assert 'data-testid="import-same-owner"' in page
    assert "可能为同一业主" in page and "导入后在单元页决定" in page
    assert "502" in page and "601" in page and "同一电话，两个姓名" in page
    assert 'data-testid="same-owner-link"' not in page


def test_an_import_counts_its_changes_of_vote_in_their_units_weeks_and_drops_their_tallies(world, ledger):
    """A bulk write sends no signal: the import counts the history it writes in VoteWeek itself."""
    undecided = {columns.VOTE: "同意"}
    import_roster(ledger([world_row(9, **undecided), world_row(10, **undecided), world_row(0, **{columns.VOTE: "反对"})]), by=world.users["staff"])
    assert stored_weeks() == weeks_from_history()
    assert nets(stored_weeks()) == {(world.unit.pk, week_of(timezone.now())): 1}
    consent_by_unit([world.unit])
    assert UnitTally.objects.get(unit=world.unit).agree_net == 1  # the history's, the fixture's votes having none
