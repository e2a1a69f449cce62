"""The import pages: upload → preview (a dry run) → confirm; the template workbook; who may do it."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from consultations import roster_import
from consultations.models import VoteChange
from consultations.roster_import import columns
from consultations.roster_import import views as import_views
from units.models import Household

from .workbooks import HEADER, db_state, flats, row, write_xlsx

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pending_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def upload(tmp_path):
    """upload(client, rows, name=…) posts a ledger to the upload page."""

    def post(client, rows, *, name="台账.xlsx", **options):
        path = write_xlsx(tmp_path / "upload.xlsx", rows, **options)
        file = SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)
        return client.post(reverse("import_upload"), {"file": file})

    return post


def confirm(client, action="confirm", *, reviewed=False):
    """Confirm (or cancel) the pending import; ``reviewed`` ticks 我已核对以上 N 户的变更."""
    return client.post(reverse("import_confirm"), {"action": action, **({"reviewed": "on"} if reviewed else {})})


def test_upload_shows_a_preview_and_writes_nothing_then_confirm_writes(client, world, upload, settings):
    staff = world.users["staff"]
    client.force_login(staff)
    rows = flats(4)
    rows.append(
        row(
            "101",
            小区="绵纺厂宿舍小区",
            楼栋="1",
            业主姓名="业主0",
            联系电话="13900000000",
            意愿="反对",
            建筑面积=80,
        )
    )
    before = db_state()

    response = upload(client, rows)

    assert response.status_code == 200
    assert response.templates[0].name == "units/import_preview.html"
    report = response.context["report"]
    assert (report.rows, report.households_created, report.households_updated, report.votes_changed) == (
        5,
        4,
        1,
        1,
    )
    assert (report.estates_created, report.buildings_created, report.units_created) == (1, 1, 1)
    assert report.dry_run
    content = response.content.decode()
    assert 'data-testid="import-preview"' in content and 'data-testid="confirm-import"' in content
    assert db_state() == before
    assert len(pending_files(settings)) == 1

    response = confirm(client, reviewed=True)  # one stored flat changes: its vote

    assert response.status_code == 302 and response.url == reverse("home")
    assert Household.objects.filter(unit__building__estate__name="新华小区").count() == 4
    changed = VoteChange.objects.filter(household=world.flats[0]).get()
    assert (changed.before, changed.after, changed.source, changed.changed_by) == (
        "agree",
        "oppose",
        "import",
        staff,
    )
    assert pending_files(settings) == []
    assert import_views.SESSION_KEY not in client.session
    # The confirmation cannot be replayed.
    confirm(client, reviewed=True)
    assert VoteChange.objects.filter(household=world.flats[0]).count() == 1


def test_cancel_writes_nothing_and_forgets_the_file(client, world, upload, settings):
    client.force_login(world.users["leader"])
    before = db_state()
    assert upload(client, flats(2)).status_code == 200
    response = confirm(client, "cancel")
    assert response.status_code == 302 and response.url == reverse("import_upload")
    assert db_state() == before
    assert pending_files(settings) == []


def test_confirm_without_an_upload_writes_nothing(client, world):
    client.force_login(world.users["leader"])
    before = db_state()
    response = confirm(client)
    assert response.status_code == 302 and response.url == reverse("import_upload")
    assert db_state() == before


def test_confirm_when_the_stored_file_is_gone(client, world, upload, settings):
    client.force_login(world.users["leader"])
    upload(client, flats(2))
    for path in pending_files(settings):
        path.unlink()
    before = db_state()
    response = confirm(client)
    assert response.status_code == 422
    assert [e.row for e in response.context["errors"]] == [None]
    assert db_state() == before


def test_row_errors_are_listed_with_status_422_and_nothing_is_kept(client, world, upload, settings):
    client.force_login(world.users["staff"])
    rows = flats(4)
    rows[1][columns.AREA] = 0
    rows[3][columns.VOTE] = "赞成"
    before = db_state()

    response = upload(client, rows)

    assert response.status_code == 422
    assert [e.row for e in response.context["errors"]] == [3, 5]
    content = response.content.decode()
    assert 'data-testid="import-errors"' in content
    assert columns.AREA in content and columns.VOTE in content and "赞成" in content
    assert db_state() == before
    assert pending_files(settings) == []
    assert import_views.SESSION_KEY not in client.session


def test_a_missing_column_is_reported_on_the_page(client, world, upload):
    client.force_login(world.users["staff"])
    response = upload(client, [row("101")], header=[c for c in HEADER if c != columns.PHONE])
    assert response.status_code == 422
    assert [e.row for e in response.context["errors"]] == [1]
    assert columns.PHONE in response.content.decode()


@pytest.mark.parametrize("name", ["台账.csv", "台账.xlsx.exe", "台账"])
def test_other_files_are_refused(client, world, upload, settings, name):
    client.force_login(world.users["staff"])
    before = db_state()
    response = upload(client, flats(1), name=name)
    assert response.status_code == 422
    assert "file" in response.context["form"].errors
    assert db_state() == before
    assert pending_files(settings) == []


def test_a_file_above_the_size_limit_is_refused(client, world, upload, settings):
    settings.ROSTER_MAX_BYTES = 2048
    client.force_login(world.users["staff"])
    response = upload(client, flats(60))
    assert response.status_code == 422
    assert "file" in response.context["form"].errors
    assert pending_files(settings) == []


def test_the_upload_page_states_the_limits_from_the_settings(client, world, upload, settings):
    settings.ROSTER_MAX_ROWS = 1234
    settings.ROSTER_MAX_COLUMNS = 56
    settings.ROSTER_MAX_BYTES = 7 * 1024 * 1024
    client.force_login(world.users["staff"])
    limits = "台账每个工作表最多 1234 行、56 列，文件不超过 7 MB。"
    assert limits in client.get(reverse("import_upload")).content.decode()
    # Still stated when a ledger was refused and the page comes back with its errors.
    refused = upload(client, [row("101"), row("101", 社区="光华社区", 小区="光华小区", 楼栋="1")])
    assert refused.status_code == 422
    assert limits in refused.content.decode()


def test_a_renamed_file_that_is_not_a_workbook(client, world, settings):
    client.force_login(world.users["staff"])
    file = SimpleUploadedFile("台账.xlsx", "业主姓名,房号\n张三,302\n".encode(), content_type=XLSX)
    response = client.post(reverse("import_upload"), {"file": file})
    assert response.status_code == 422
    assert [e.row for e in response.context["errors"]] == [None]
    assert pending_files(settings) == []


# --- who may import what ------------------------------------------------------------------------


def test_staff_importing_another_communitys_rows_get_the_row_named(client, world, upload):
    client.force_login(world.users["staff"])
    before = db_state()
    response = upload(client, [row("101"), row("101", 社区="光华社区", 小区="光华小区", 楼栋="1")])
    assert response.status_code == 422
    [error] = response.context["errors"]
    assert error.row == 3 and "光华社区" in str(error)
    assert db_state() == before


def test_leaders_import_any_community_of_their_street_but_not_another_street(client, world, upload):
    client.force_login(world.users["leader"])
    response = upload(client, [row("101"), row("101", 社区="光华社区", 小区="光华小区", 楼栋="1")])
    assert response.status_code == 200
    response = upload(
        client, [row("101"), row("101", 街道="东风街道", 社区="东风社区", 小区="东风小区", 楼栋="1")]
    )
    assert response.status_code == 422
    assert [e.row for e in response.context["errors"]] == [3]


@pytest.mark.parametrize("role", ["unit_leader", "viewer"])
def test_read_only_roles_get_403(client, world, upload, role, settings):
    client.force_login(world.users[role])
    before = db_state()
    assert client.get(reverse("import_upload")).status_code == 403
    assert upload(client, flats(2)).status_code == 403
    assert confirm(client).status_code == 403
    assert db_state() == before
    assert pending_files(settings) == []


def test_anonymous_users_are_sent_to_login(client, world, upload):
    for response in (
        client.get(reverse("import_upload")),
        upload(client, flats(1)),
        confirm(client),
        client.get(reverse("import_template")),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# --- the template workbook ----------------------------------------------------------------------


def template_with(client, tmp_path, rows=()) -> Path:
    """The downloaded template, with ``rows`` filled in below its sample row."""
    path = tmp_path / "template.xlsx"
    path.write_bytes(client.get(reverse("import_template")).content)
    book = load_workbook(path)
    for values in rows:
        book[columns.SHEET].append([values.get(c) for c in columns.TEMPLATE_COLUMNS])
    book.save(path)
    return path


def test_the_template_downloads_and_its_sample_row_is_never_imported(client, world, tmp_path):
    # Before: the sample row was 绵纺厂宿舍小区 1-1-302, a real flat; importing the template overwrote it.
    leader = world.users["leader"]
    client.force_login(leader)
    response = client.get(reverse("import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(columns.SHEET).to_python()
    assert sheet[0] == HEADER
    example = dict(zip(sheet[0], sheet[1], strict=True))
    assert all(
        example[column] != ""
        for column in columns.REQUIRED_COLUMNS
        if column not in (columns.REASON, columns.NOTE)
    )
    assert example[columns.ESTATE] == columns.SAMPLE_ESTATE

    before = db_state()
    with pytest.raises(roster_import.ImportFailed) as failed:
        roster_import.import_roster(path, by=leader)
    assert [e.row for e in failed.value.errors] == [None]
    assert db_state() == before


def test_the_template_imports_into_an_empty_database(client, db, tmp_path):
    from retrofit.models import User

    admin = User.objects.create_superuser("admin", password="x")
    client.force_login(admin)
    report = roster_import.import_roster(template_with(client, tmp_path, [row("101")]), by=admin)
    assert (report.streets_created, report.units_created, report.households_created) == (1, 1, 1)
    assert report.skipped == ["第 2 行为示例行，已跳过", "单元方案 第 2 行为示例行，已跳过"]


def test_the_template_goes_through_the_pages(client, world, tmp_path):
    client.force_login(world.users["staff"])
    path = template_with(client, tmp_path, [row("101")])
    file = SimpleUploadedFile("住户台账模板.xlsx", path.read_bytes(), content_type=XLSX)
    response = client.post(reverse("import_upload"), {"file": file})
    assert response.status_code == 200
    assert response.context["report"].rows == 1
    assert 'data-testid="import-skipped"' in response.content.decode()
    assert confirm(client).status_code == 302
    assert Household.objects.filter(unit__building__estate__name="新华小区").count() == 1
