"""The report to the district head at district level: each street's figures as the street's own report
counts them, and the district's totals; print and .docx; for the district's housing bureau only, masked;
in queries that do not grow with the streets. And the district's report and workbook as background jobs."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports.district import report as street_report
from reports.district.district import KEYS, build_district_report
from reports.models import ExportJob, JobError, JobKind, JobStatus
from retrofit.models import ExportFormat, ExportKind, ExportLog, Role
from tests.factories import add_flats, at_stage, make_unit, make_user
from units.models import Community, Contract, District, Stage, Street, Unit
from works.models import AcceptanceCheck, Construction

from .conftest import FULL_NAMES, FULL_PHONES, body, xlsx_text
from .test_district_report import START, TODAY, progressed, report_url  # noqa: F401 (progressed: a fixture)
from .test_export_jobs import run_broken

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The district report's queries: the session, the user, the district and whether it holds any of the
# user's units, the earliest pilot start (the default period), the missing tallies, the one GROUP BY
# street, and the ExportLog row.
DISTRICT_REPORT_QUERIES = 8


@pytest.fixture
def district(progressed):  # noqa: F811 (the fixture imported above)
    """锦江区 holds 红旗街道 (world.street: world.unit signed, sibling_unit accepted) and 东风街道 (far_unit);
    青羊区 has 新华街道 with a unit of its own and its own official."""
    world = progressed
    jinjiang, qingyang = District.objects.create(name="锦江区"), District.objects.create(name="青羊区")
    Street.objects.filter(pk__in=[world.street.pk, world.other_street.pk]).update(district=jinjiang)
    xinhua = Street.objects.create(name="新华街道", district=qingyang)
    make_unit(Community.objects.create(street=xinhua, name="新华社区"), estate="新华小区")
    world.district, world.other_district = jinjiang, qingyang
    world.users["district"] = make_user("bureau", Role.DISTRICT_OFFICIAL, district=jinjiang)
    world.users["other_district"] = make_user("bureau2", Role.DISTRICT_OFFICIAL, district=qingyang)
    return world


def add_streets(district, count):
    """``count`` more streets in the district, each with a unit of six flats, one of them signed."""
    for n in range(count):
        street = Street.objects.create(name=f"加街道{n}", district=district)
        unit = make_unit(Community.objects.create(street=street, name=f"加社区{n}"), estate=f"加小区{n}")
        add_flats(unit, ["agree"] * 6)
        at_stage(unit, Stage.APPROVAL)


def district_report(world, user="district"):
    units = Unit.objects.visible_to(world.users[user]).filter(building__estate__community__street__district=world.district)
    return build_district_report(world.district, units, start=START, end=TODAY)


def test_each_street_counts_what_its_own_report_counts(district):
    report = district_report(district)
    assert [s.name for s in report.streets] == ["东风街道", "红旗街道"]
    for street in report.streets:
        units = Unit.objects.visible_to(district.users["district"]).filter(building__estate__community__street=street.pk)
        own = street_report.build(
            "street", Street.objects.get(pk=street.pk), units, start=START, end=TODAY, user=district.users["district"]
        )
        assert street.values == {key: own.figures[key].value for key in KEYS}, street.name
    hongqi = report.streets[1].values
    assert (hongqi["units"], hongqi["households"], hongqi["signed"], hongqi["signed_period"]) == (2, 18, 2, 1)
    assert (hongqi["installed"], hongqi["installed_period"], hongqi["accepted"], hongqi["accepted_period"]) == (1, 1, 1, 1)


def test_the_district_totals_are_the_streets_sums_and_its_sentences_say_them(district):
    report = district_report(district)
    assert report.totals.values == {key: sum(s.values[key] for s in report.streets) for key in KEYS}
    assert (report.totals.values["units"], report.totals.values["households"]) == (3, 24)
    assert report.totals.dates["signed_last"] == TODAY - timedelta(days=10)
    assert report.totals.dates["accepted_last"] == TODAY - timedelta(days=20)
    assert "锦江区" in report.basic[0].plain and "3" in report.basic[0].plain


def test_the_print_page_shows_each_street_and_the_totals_masked(client, district):
    client.force_login(district.users["district"])
    response = client.get(report_url("district_report_print", "district", district.district, **{"from": START, "to": TODAY}))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="report-street"') == 3  # two streets and the district's totals
    for name in ("东风街道", "红旗街道", "锦江区"):
        assert name in page
    assert reverse("district_report_print", kwargs={"level": "street", "pk": district.street.pk}) in page
    assert reverse("export_district_report", args=[district.district.pk]) in page
    assert not [n for n in FULL_NAMES if n in page] and not [p for p in FULL_PHONES if p in page]
    log = ExportLog.objects.get()
    assert (log.kind, log.format, log.object_ids["level"]) == (ExportKind.DISTRICT_REPORT, ExportFormat.PRINT, "district")


def docx_tables(data: bytes) -> dict[str, list[list[str]]]:
    """Each street's table in the .docx by the heading above it, and the overview under "overview"."""
    document = Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return {"overview": tables[0], **dict(zip(headings, tables[1:], strict=True))}


def test_the_docx_has_the_overview_and_each_street_s_table(client, district):
    client.force_login(district.users["district"])
    response = client.get(report_url("district_report_docx", "district", district.district, **{"from": START, "to": TODAY}))
    assert response.status_code == 200
    data = body(response)
    tables = docx_tables(data)
    assert [row[0] for row in tables["overview"][1:]] == ["东风街道", "红旗街道", "全区合计"]
    assert tables["overview"][2][1:] == ["2", "18", "2", "2", "1", "1"]  # units, households, ready, signed…
    assert set(tables) == {"overview", "东风街道", "红旗街道", "全区合计"}
    signed = next(row for row in tables["红旗街道"] if row[0] == "已签约单元")
    assert signed[1:] == ["2", "1"]
    text = xlsx_text(data)
    assert not [n for n in FULL_NAMES if n in text] and not [p for p in FULL_PHONES if p in text]


@pytest.mark.parametrize("user", ["other_district", "leader", "viewer", "staff", "outsider"])
def test_only_the_district_s_bureau_gets_its_report(client, district, user):
    client.force_login(district.users[user])
    for name in ("district_report_print", "district_report_docx"):
        assert client.get(report_url(name, "district", district.district)).status_code == 404, name
    assert client.post(reverse("export_district_report", args=[district.district.pk])).status_code == 404
    assert client.post(reverse("export_district_workbook", args=[district.district.pk])).status_code == 404
    assert not ExportJob.objects.exists()


def test_the_figure_lists_stay_with_the_streets(client, district):
    client.force_login(district.users["district"])
    url = reverse("district_report_figure", kwargs={"level": "district", "pk": district.district.pk, "key": "signed"})
    assert client.get(url).status_code == 404


def _report_queries(client, district):
    url = report_url("district_report_print", "district", district.district)
    client.get(url)  # the tallies stored once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_report_s_queries_do_not_grow_with_the_streets(client, district):
    client.force_login(district.users["district"])
    assert _report_queries(client, district) == DISTRICT_REPORT_QUERIES  # two streets
    add_streets(district.district, 2)
    assert _report_queries(client, district) == DISTRICT_REPORT_QUERIES  # four streets


# --- the background jobs ----------------------------------------------------------------------------


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def _run(client, district, route, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(route, args=[district.district.pk]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/mine/#job-{job.pk}"
    return job


def test_the_district_report_is_made_in_the_background(client, district, immediate, django_capture_on_commit_callbacks):
    client.force_login(district.users["district"])
    job = _run(client, district, "export_district_report", django_capture_on_commit_callbacks)
    assert (job.kind, job.level, job.status, job.error) == (JobKind.DISTRICT_REPORT, "district", JobStatus.DONE, "")
    assert job.units_done == job.units_total == 3  # street by street
    assert job.filename.startswith("锦江区-加装电梯工作报告-") and job.filename.endswith(".docx")
    mine = client.get(reverse("my_exports")).content.decode()
    assert reverse("export_job_download", args=[job.pk]) in mine and "(Word)" in mine
    response = client.get(reverse("export_job_download", args=[job.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    tables = docx_tables(body(response))
    assert set(tables) == {"overview", "东风街道", "红旗街道", "全区合计"}
    log = ExportLog.objects.get()
    assert (log.kind, log.format) == (ExportKind.DISTRICT_REPORT, ExportFormat.DOCX)


def test_the_district_workbook_has_a_sheet_per_street(client, district, immediate, django_capture_on_commit_callbacks):
    client.force_login(district.users["district"])
    job = _run(client, district, "export_district_workbook", django_capture_on_commit_callbacks)
    assert (job.kind, job.status, job.units_done, job.units_total) == (JobKind.DISTRICT_WORKBOOK, JobStatus.DONE, 3, 3)
    response = client.get(reverse("export_job_download", args=[job.pk]))
    data = body(response)
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["汇总", "东风街道", "红旗街道"]
    summary = [row for row in book["汇总"].iter_rows(values_only=True) if row and row[0] in ("东风街道", "红旗街道", "合计")]
    assert [(row[0], row[1]) for row in summary] == [("东风街道", 1), ("红旗街道", 2), ("合计", 3)]
    assert len(list(book["红旗街道"].iter_rows(min_row=2, values_only=True))) == 2
    text = xlsx_text(data)
    assert not [n for n in FULL_NAMES if n in text] and not [p for p in FULL_PHONES if p in text]
    log = ExportLog.objects.get()
    assert (log.kind, log.format) == (ExportKind.PROGRESS, ExportFormat.XLSX)


def test_the_district_report_job_writes_nothing_when_it_fails(district, monkeypatch, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user, pk = district.users["district"], district.district.pk
    job = run_broken(monkeypatch, "write_district_level_docx", user, JobKind.DISTRICT_REPORT, "district", pk)
    assert (job.status, job.error, job.file.name) == (JobStatus.FAILED, JobError.FAILED, "")


def test_a_contract_date_outside_the_period_counts_by_the_end_only(district):
    Contract.objects.filter(unit=district.unit).update(signed_on=START - timedelta(days=1))
    hongqi = district_report(district).streets[1].values
    assert (hongqi["signed"], hongqi["signed_period"]) == (2, 0)


def test_a_failed_city_check_after_a_pass_dates_acceptance_by_the_stage(district):
    AcceptanceCheck.objects.create(
        unit=district.sibling_unit, level="city", result="fail", date=TODAY - timedelta(days=2), inspector="检验所",
        remarks="井道渗水",
    )
    Construction.objects.filter(unit=district.sibling_unit).update(completed_on=None)
    report = district_report(district)
    own = street_report.build("street", district.street, Unit.objects.filter(
        building__estate__community__street=district.street), start=START, end=TODAY, user=district.users["district"])
    assert report.streets[1].values == {key: own.figures[key].value for key in KEYS}


def test_the_background_report_keeps_the_period_chosen_on_the_page(
    client, district, immediate, django_capture_on_commit_callbacks
):
    client.force_login(district.users["district"])
    chosen = (TODAY - timedelta(days=30), TODAY - timedelta(days=3))
    page = client.get(report_url("district_report_print", "district", district.district, **{
        "from": chosen[0].isoformat(), "to": chosen[1].isoformat()})).content.decode()
    assert f'name="from" value="{chosen[0].isoformat()}"' in page.split('data-testid="report-job"')[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("export_district_report", args=[district.district.pk]),
                    {"from": chosen[0].isoformat(), "to": chosen[1].isoformat()})
    job = ExportJob.objects.get()
    assert (job.period_start, job.period_end) == chosen
    text = "\n".join(p.text for p in Document(io.BytesIO(body(client.get(reverse("export_job_download", args=[job.pk]))))).paragraphs)
    assert chosen[0].isoformat() in text and chosen[1].isoformat() in text
