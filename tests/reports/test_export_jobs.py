"""Bulk status sheets as a background job (reports/jobs.py): one PDF of every unit of a scope, units done
of units total as it goes, a clear error when it fails, one job per request, a download only for its
asker while the scope is still theirs, recorded in ExportLog; and the database worker running it for real."""

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from io import BytesIO, StringIO
from multiprocessing import forkserver
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import jobs
from reports.exports.layout import LayoutProcess
from reports.models import ExportJob, JobError, JobKind, JobStatus
from retrofit.models import ExportFormat, ExportKind, ExportLog
from tests.factories import add_flats, make_unit

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _start(client, level, pk):
    return client.post(f"/exports/{level}/{pk}/status-sheets/")


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def queued_only(settings):
    settings.TASKS = DUMMY


def _pdf_text(job):
    with job.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages)


def test_a_street_s_status_sheets_become_one_pdf(world, login, immediate, django_capture_on_commit_callbacks):
    client = login(world.users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, "street", world.street.pk)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/mine/#job-{job.pk}"
    assert (job.status, job.units_done, job.units_total, job.error) == (JobStatus.DONE, 2, 2, "")
    pages, text = _pdf_text(job)
    assert pages >= 2 and "绵纺厂宿舍小区" in text and "光华小区" in text
    assert job.filename.startswith("红旗街道-全部状态表-") and job.filename.endswith(".pdf")
    assert job.finished_at is not None


def test_each_page_of_a_joined_pdf_names_its_unit_not_its_part_s_page_count(
    world, login, queued_only, monkeypatch
):
    """The parts are laid out apart: a part's own "1 / 1" would restart the numbering every part, so each
    page is footed with its unit's name."""
    add_flats(make_unit(world.community, estate="绵纺厂宿舍小区", building="2"), ["agree"] * 2)
    monkeypatch.setattr(jobs, "CHUNK", 1)
    job, _created = jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages]
    assert len(pages) == 3 and not any(" / " in text for text in pages)
    for text in pages:
        title = text.strip().splitlines()[0]  # the sheet's heading, "… · 状态表"
        assert text.count(title) == 2, text  # …and again at the foot of its page


def test_units_done_counts_up_chunk_by_chunk(world, login, queued_only, monkeypatch, django_capture_on_commit_callbacks):
    for building in "234":
        add_flats(make_unit(world.community, estate="绵纺厂宿舍小区", building=building), ["agree"] * 2)
    monkeypatch.setattr(jobs, "CHUNK", 2)
    seen = []
    advance = jobs._advance

    def watched(job, units):
        advance(job, units)
        seen.append(ExportJob.objects.values_list("units_done", "units_total").get(pk=job.pk))

    monkeypatch.setattr(jobs, "_advance", watched)
    job, created = jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    assert created and (job.status, job.units_done, job.units_total) == (JobStatus.QUEUED, 0, 5)
    jobs.run_job(job.pk)
    assert seen == [(2, 5), (4, 5), (5, 5)]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def run_broken(monkeypatch, writer: str, user, kind: str, level: str, pk: int) -> ExportJob:
    """Start a job whose ``writer`` (a name in reports.jobs) breaks, run it, and return it as it ended."""

    def broken(*args, **kwargs):
        raise RuntimeError(f"{writer} broke")

    monkeypatch.setattr(jobs, writer, broken)
    job, _created = jobs.start_job(user, kind, level, pk)
    with pytest.raises(RuntimeError):
        jobs.run_job(job.pk)
    job.refresh_from_db()
    return job


def test_a_failure_marks_the_job_failed_with_a_message_and_no_file(world, login, queued_only, monkeypatch):
    job = run_broken(monkeypatch, "pdf_source", world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    assert (job.status, job.error, job.file.name, job.units_done) == (JobStatus.FAILED, JobError.FAILED, "", 0)
    body = login(world.users["leader"]).get("/exports/mine/").content.decode()
    assert "导出未能完成" in body and "export-job-download" not in body


def test_a_layout_process_killed_mid_job_fails_the_job_with_no_file(world, queued_only, monkeypatch):
    """The child process laying the PDF out dies (killed for its memory, say): the job is failed and no half
    file is offered."""
    monkeypatch.setattr(jobs.LayoutProcess, "send", lambda self, *args: self.executor().submit(os._exit, 9))
    job, _created = jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    with pytest.raises(BrokenProcessPool):
        jobs.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.file.name, job.units_done) == (JobStatus.FAILED, JobError.FAILED, "", 0)


def test_a_layout_that_fails_in_its_process_fails_the_job_with_no_file(world, queued_only, monkeypatch):
    """What the layout raises in the child process is raised in the worker: the job is failed, no file."""
    monkeypatch.setattr(jobs.LayoutProcess, "send", lambda self, *args: self.executor().submit(int, "第一页"))
    job, _created = jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    with pytest.raises(ValueError):
        jobs.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.file.name, job.units_done) == (JobStatus.FAILED, JobError.FAILED, "", 0)


def test_a_layout_process_is_replaced_after_its_units_and_ignores_the_signals_that_stop_the_worker():
    """A street's parts go to a new child every ``units_per_process`` units, each child started clean; a
    SIGTERM or SIGINT sent to the worker's process group leaves a child laying out."""
    with LayoutProcess(units_per_part=10, units_per_process=30) as layout:
        children = [layout.executor().submit(os.getpid).result() for _part in range(7)]
        handlers = [layout.executor().submit(signal.getsignal, which).result() for which in (signal.SIGTERM, signal.SIGINT)]
    assert [len(set(children[i : i + 3])) for i in (0, 3, 6)] == [1, 1, 1]
    assert len(set(children)) == 3 and os.getpid() not in children
    assert handlers == [signal.SIG_IGN, signal.SIG_IGN]


def test_a_sigterm_to_the_worker_s_process_group_leaves_the_fork_server_and_its_children_laying_out():
    """A service manager stops the worker with a SIGTERM to its process group, and the worker finishes its job:
    the fork server the layout processes come from stays, and so do they (their end is reported through it)."""
    with LayoutProcess(units_per_part=10, units_per_process=20) as layout:
        first = layout.executor().submit(os.getpid).result()
        server = forkserver._forkserver._forkserver_pid
        os.kill(server, signal.SIGTERM)
        os.kill(first, signal.SIGTERM)
        time.sleep(0.2)
        again = layout.executor().submit(os.getpid).result()  # the second part, in the same child…
        after = layout.executor().submit(os.getpid).result()  # …and the third in a new one
    assert again == first and after != first
    assert forkserver._forkserver._forkserver_pid == server and _state(server) not in ("Z", "X")


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def test_a_worker_s_layout_process_and_fork_server_stand_its_sigterm_and_end_when_it_is_killed():
    """A worker started from another folder, as a service manager starts it: its fork server has imported the
    layout (and so ignores SIGTERM, which the worker catches to finish its job). Killed (out of memory, say),
    the worker tells its layout process nothing: neither it nor the fork server may wait forever."""
    worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd="/", stdout=subprocess.PIPE, text=True, env=ENV)
    child = server = None
    try:
        assert select.select([worker.stdout], [], [], 30)[0], "the worker printed nothing"
        child, server = map(int, worker.stdout.readline().split())
        assert _ignored(server) & _ignored(child) & SIGTERM_BIT
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (_running(child) or _running(server)):
            time.sleep(0.05)
        assert not _running(child) and not _running(server)
    finally:
        worker.kill()
        worker.stdout.close()
        for pid in (child, server):
            with contextlib.suppress(TypeError, ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# A worker's main module, as manage.py finds the project: from its own path, whatever the folder it runs in.
WORKER = f"""
import os, sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from multiprocessing import forkserver
from reports.exports.layout import LayoutProcess
with LayoutProcess(units_per_part=10) as layout:
    child = layout.executor().submit(os.getpid).result()
    print(child, forkserver._forkserver._forkserver_pid, flush=True)
    layout.executor().submit(time.sleep, 60)
    time.sleep(60)
"""
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
SIGTERM_BIT = 1 << (signal.SIGTERM - 1)


def _ignored(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1], 16) for line in status if line.startswith("SigIgn:"))


def _running(pid: int) -> bool:
    try:
        return _state(pid) not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_a_second_request_shows_the_first_job_and_a_job_runs_once(world, login, queued_only):
    client = login(world.users["leader"])
    first = _start(client, "street", world.street.pk)
    second = _start(client, "street", world.street.pk)
    job = ExportJob.objects.get()
    assert first["Location"] == second["Location"] == f"/exports/mine/#job-{job.pk}"
    jobs.run_job(job.pk)
    jobs.run_job(job.pk)  # the same task delivered twice
    job.refresh_from_db()
    assert (job.status, job.units_done) == (JobStatus.DONE, 2)
    # Once done, a new request makes a new job; another scope is another request.
    _start(client, "street", world.street.pk)
    _start(client, "community", world.community.pk)
    assert ExportJob.objects.count() == 3


def test_a_job_whose_worker_died_is_shown_failed(world, login, queued_only, settings):
    job, _created = jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    stale = timezone.now() - timedelta(seconds=settings.EXPORT_JOB_STALE_SECONDS + 1)
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, beat_at=stale, units_done=1)
    body = login(world.users["leader"]).get("/exports/mine/").content.decode()
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, JobError.STOPPED)
    assert "服务器重启" in body and "export-job-download" not in body
    # …and the same export may be asked for again.
    assert jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)[1]


def test_the_row_polls_while_running_and_stops_when_done(world, login, queued_only):
    client = login(world.users["staff"])
    _start(client, "community", world.community.pk)
    job = ExportJob.objects.get()
    row = client.get(f"/exports/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in row and "等待导出程序" in row
    jobs.run_job(job.pk)
    row = client.get(f"/exports/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in row and f"/exports/jobs/{job.pk}/download/" in row


def test_the_download_is_the_askers_only_while_in_scope_and_logged(world, login, queued_only, client):
    staff = world.users["staff"]
    job, _created = jobs.start_job(staff, JobKind.STATUS_SHEETS, "community", world.community.pk)
    jobs.run_job(job.pk)
    url = f"/exports/jobs/{job.pk}/download/"
    response = login(staff).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.format) == (staff, ExportKind.UNIT_SHEET, "pdf")
    assert log.object_ids == {"level": "community", "pk": world.community.pk, "job": job.pk, "units": 1}
    # Staff of the other community, a leader of the same street, another street: not theirs.
    for other in ("sibling_staff", "leader", "outsider"):
        client.force_login(world.users[other])
        assert client.get(url).status_code == 404
        assert client.get(f"/exports/jobs/{job.pk}/").status_code == 404
    # Moved to the other community: the file of the old one is no longer theirs.
    staff.community = world.sibling
    staff.save()
    client.force_login(staff)
    assert client.get(url).status_code == 404
    assert ExportLog.objects.count() == 1


def test_a_company_cannot_start_one(company_user, login, world):
    assert _start(login(company_user), "street", world.street.pk).status_code == 403
    assert not ExportJob.objects.exists()


def test_expired_jobs_are_no_longer_offered_and_go_with_their_files(world, login, queued_only, settings):
    job, _created = jobs.start_job(world.users["leader"], JobKind.STATUS_SHEETS, "street", world.street.pk)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=settings.EXPORT_JOBS_KEEP_DAYS, hours=1))
    client = login(world.users["leader"])
    assert client.get(f"/exports/jobs/{job.pk}/download/").status_code == 404
    assert 'data-testid="export-job"' not in client.get("/exports/mine/").content.decode()
    out = StringIO()
    call_command("purge_exports", stdout=out)
    assert out.getvalue().startswith("1 expired export job(s) removed")
    assert not storage.exists(name) and not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_job(world, login, settings):
    """The product's backend (the database queue) and its worker's own loop, in batch mode."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _start(login(world.users["leader"]), "street", world.street.pk)
    job = ExportJob.objects.get()
    assert job.status == JobStatus.QUEUED and DBTaskResult.objects.count() == 1
    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    ).run()
    job.refresh_from_db()
    assert (job.status, job.units_done, job.units_total) == (JobStatus.DONE, 2, 2)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_scope_s_status_sheets_become_a_zip_of_one_workbook_a_unit(world, login, immediate, django_capture_on_commit_callbacks):
    client = login(world.users["staff"])  # a community's staff: the community's units only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exports/community/{world.community.pk}/status-workbooks/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and (job.kind, job.status, job.units_done) == (JobKind.STATUS_WORKBOOKS, JobStatus.DONE, 1)
    download = client.get(f"/exports/jobs/{job.pk}/download/")
    assert download["Content-Type"] == "application/zip" and job.filename.endswith(".zip")
    with zipfile.ZipFile(BytesIO(b"".join(download.streaming_content))) as archive:
        [name] = archive.namelist()
        assert name == "绵纺厂宿舍小区 1栋1单元-状态表.xlsx"
        workbook = load_workbook(BytesIO(archive.read(name)))
    assert "绵纺厂宿舍小区" in str([cell.value for row in workbook.worksheets[0].iter_rows() for cell in row])
    log = ExportLog.objects.get()
    assert (log.kind, log.format, log.user) == (ExportKind.UNIT_SHEET, ExportFormat.XLSX, world.users["staff"])
