"""A street leader exports every unit's status sheet as one PDF: the dashboard's export menu starts the
job, 我的导出 shows its progress bar moving by itself while the database worker runs it, and the finished
file downloads."""

import threading
import time

import pytest
from django.db import OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect
from pypdf import PdfReader

from reports import jobs
from retrofit.models import ExportLog
from tests.browser.conftest import assert_fits_the_phone, shot
from tests.factories import add_flats, make_unit

pytestmark = pytest.mark.django_db(transaction=True)


def _worker_thread():
    """The database worker in batch mode, in a thread sharing the test's connection when the test database
    is SQLite in memory (as live_server's threads do)."""
    shared = connections["default"]
    share = shared.vendor == "sqlite" and shared.is_in_memory_db()
    if share:
        shared.inc_thread_sharing()

    def work():
        if share:
            connections["default"] = shared
        try:
            while True:
                try:
                    Worker(
                        queue_names=["default"], interval=0, batch=True, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id="browser-test", excluded_queue_names=[],
                    ).run()
                    return
                except OperationalError as error:
                    # One connection shared by three threads: a poll's open cursor can lock the table the
                    # worker's BEGIN IMMEDIATE wants ("database table is locked", never waited on). A real
                    # worker has a connection of its own; this one tries again, as it would after its interval.
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.05)
        finally:
            if share:
                shared.dec_thread_sharing()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_a_leader_exports_the_street_s_status_sheets(live_server, log_in, world, monkeypatch, tmp_path):
    add_flats(make_unit(world.community, estate="绵纺厂宿舍小区", building="2"), ["agree"] * 4)
    monkeypatch.setattr(jobs, "CHUNK", 1)  # the bar moves unit by unit…
    advance = jobs._advance

    def slowly(job, units):  # …slowly enough to be seen between two polls
        advance(job, units)
        time.sleep(1.2)

    monkeypatch.setattr(jobs, "_advance", slowly)
    leader = world.users["leader"]
    page = log_in(leader)
    page.goto(f"{live_server.url}/dashboard/street/{world.street.pk}/")
    page.get_by_test_id("export-menu").get_by_role("button").click()
    page.get_by_test_id("export-all-sheets").click()
    page.wait_for_url("**/exports/mine/**")
    job = page.get_by_test_id("export-job")
    expect(job).to_have_attribute("data-status", "queued")
    expect(job).to_contain_text("全部单元状态表")
    assert_fits_the_phone(page)
    shot(page, "export-jobs-queued")

    worker = _worker_thread()
    expect(job).to_have_attribute("data-status", "running", timeout=15_000)
    expect(page.get_by_test_id("export-job-progress")).not_to_have_attribute("aria-valuenow", "0", timeout=15_000)
    expect(job).to_contain_text("/ 3 个单元")
    shot(page, "export-jobs-running")
    expect(job).to_have_attribute("data-status", "done", timeout=30_000)
    worker.join(timeout=10)
    shot(page, "export-jobs-done")

    with page.expect_download() as info:
        page.get_by_test_id("export-job-download").click()
    path = tmp_path / "sheets.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename.startswith("红旗街道-全部状态表-")
    assert len(PdfReader(path).pages) >= 3
    assert ExportLog.objects.filter(user=leader, format="pdf").count() == 1
