"""Export jobs: exports too long for a request (a street's 721 status sheets take minutes; a district's
report and workbook), made by a django-tasks worker (``manage.py db_worker``) while the user watches a
progress bar under 我的导出.

The job's row, not the task queue, is what the user sees and what guarantees the rules:

* one request, one job: ``start_job`` finds the user's queued or running job for the same kind and scope
  (a unique constraint backs it), and ``run_job`` only runs a job it moves from queued to running, so a
  task delivered twice runs once;
* no half file: the PDF (the .docx, the workbook) is written to a temporary file and saved to the storage
  only when complete, in the same save that marks the job done;
* a worker killed mid-job stops the job's heartbeat (``beat_at``): ``mark_stale`` shows it failed after
  ``EXPORT_JOB_STALE_SECONDS``, and the user can start it again.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django_tasks import task

from retrofit.models import ExportFormat, ExportKind
from units.models import Unit

from .district.district import build_district_report, district_scope
from .district.figures import default_period
from .district.word import write_district_level_docx
from .exports.common import (
    DOCX_TYPE,
    PDF_TYPE,
    XLSX_TYPE,
    ZIP_TYPE,
    get_scope,
    pdf_source,
    scope_label,
    unit_label,
)
from .exports.layout import LayoutProcess
from .exports.progress import write_progress_workbook
from .exports.status_sheet import sheet_context, unit_sheets, write_status_workbook
from .models import ACTIVE, ExportJob, JobError, JobKind, JobStatus
from .pdfjoin import PdfJoin

logger = logging.getLogger(__name__)

# Units rendered in one WeasyPrint document: rendering holds ten units at a time (each chunk's pages go to the
# joined file at once, so the worker's memory does not grow with the units), and the bar moves every two or
# three seconds.
CHUNK = 10
UNIT_ORDER = ("building__estate__name", "building__number", "number")  # status_sheet.unit_sheets' order


def active_jobs(user, kind: str, level: str, pk: int):
    return ExportJob.objects.filter(user=user, kind=kind, level=level, scope_pk=pk, status__in=ACTIVE)


def start_job(user, kind: str, level: str, pk: int, period=None) -> tuple[ExportJob, bool]:
    """The user's job for this export: the one already queued or running, else a new one sent to the
    worker once the transaction commits. 404/403 as the export's own page would answer. ``period``: a
    report's (start, end) as chosen on its page, else the report's default."""
    obj, units = JOB_TYPES[kind].scope(user, level, pk)
    mark_stale()
    existing = active_jobs(user, kind, level, pk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                user=user,
                kind=kind,
                level=level,
                scope_pk=obj.pk,
                scope_label=scope_label(obj),
                language=translation.get_language() or settings.LANGUAGE_CODE,
                units_total=units.count(),
                filename=JOB_TYPES[kind].file_name.format(name=obj.name, day=timezone.localdate()),
                period_start=period[0] if period else None,
                period_end=period[1] if period else None,
            )
    except IntegrityError:  # the same request a moment earlier (a double tap): show that one
        return active_jobs(user, kind, level, pk).get(), False
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job, True


@task()
def run_export_job(job_id: int) -> None:
    """The task the worker runs: the job's own row says what to make."""
    run_job(job_id)


def run_job(job_id: int) -> None:
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, beat_at=now
    ):
        return  # already run (a task delivered twice), or gone
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        with translation.override(job.language):
            JOB_TYPES[job.kind].write(job)
    except (Http404, PermissionDenied):
        _fail(job, JobError.OUT_OF_SCOPE)
    except Exception:
        logger.exception("export job %s failed", job_id)
        _fail(job, JobError.FAILED)
        raise  # the task queue records the failure as well
    finally:
        purge_expired()


def _chunks(job: ExportJob):
    """The status sheets of every unit of the job's scope (as it is now, with the user's masking), ``CHUNK``
    units at a time in the units' order."""
    _obj, units = get_scope(job.user, job.level, job.scope_pk)
    ids = list(units.order_by(*UNIT_ORDER).values_list("pk", flat=True))
    ExportJob.objects.filter(pk=job.pk).update(units_total=len(ids))
    for start in range(0, len(ids), CHUNK):
        yield unit_sheets(Unit.objects.filter(pk__in=ids[start : start + CHUNK]), job.user)


def _sheets_by_chunk(job: ExportJob):
    """``_chunks``, the job's bar moving after each chunk is used."""
    for sheets in _chunks(job):
        yield sheets
        _advance(job, len(sheets))


def write_status_sheets(job: ExportJob) -> None:
    """Every unit's status sheet of the scope as one PDF. Each chunk's HTML is rendered here and laid out
    in a child process (``LayoutProcess``: the worker's memory stays flat however many units) while the next
    chunk's HTML is rendered; its pages are appended to the whole as soon as it is laid out (``PdfJoin``:
    the join's memory stays flat too), the bar moves, and the whole is saved when complete."""
    with (
        tempfile.TemporaryDirectory(prefix="export-") as folder,
        tempfile.TemporaryFile() as handle,
        LayoutProcess(CHUNK) as layout,
    ):
        joined = PdfJoin(handle)
        sent = deque()  # (its layout, its file, its units), at most two: one laid out, one rendered

        def join_first():
            laid_out, part, units = sent.popleft()
            laid_out.result()  # what the layout raised, raised here
            joined.add(part)
            part.unlink()  # its pages are in the whole: the disk holds two chunks besides it
            _advance(job, units)

        for number, sheets in enumerate(_chunks(job)):
            part = Path(folder) / f"{number:05d}.pdf"
            source = pdf_source("exports/unit_sheet_pdf.html", sheet_context(sheets, job.user), joined=True)
            sent.append((layout.send(*source, part), part, len(sheets)))
            if len(sent) > 1:
                join_first()
        while sent:
            join_first()
        joined.close()
        _finish(job, handle)


def write_status_workbooks(job: ExportJob) -> None:
    """Every unit's status sheet of the scope as its own workbook (the unit page's .xlsx), in one zip,
    each workbook written into the zip as soon as it is made."""
    names = set()
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for sheets in _sheets_by_chunk(job):
                for sheet in sheets:
                    name = f"{unit_label(sheet.unit)}-状态表.xlsx"
                    if name in names:  # two estates of one name in a street: told apart by the unit's number
                        name = f"{unit_label(sheet.unit)}-{sheet.unit.pk}-状态表.xlsx"
                    names.add(name)
                    with archive.open(name, "w") as entry:
                        write_status_workbook([sheet], entry)
        _finish(job, handle)


def write_district_report(job: ExportJob) -> None:
    """The report to the district head for the district, over the period chosen on its page (else its
    default period); the bar moves as each street's section is written."""
    obj, units = district_scope(job.user, job.level, job.scope_pk)
    if job.period_start and job.period_end:
        start, end = job.period_start, job.period_end
    else:  # a job started without a page's period
        start, end = default_period(units, timezone.localdate())
    report = build_district_report(obj, units, start=start, end=end)
    with tempfile.TemporaryFile() as handle:
        write_district_level_docx(report, handle, on_street=lambda street: _advance(job, street.values["units"]))
        _finish(job, handle)


def write_district_workbook(job: ExportJob) -> None:
    """The progress workbook of the district: the summary sheet by street, then one sheet per street, streamed
    chunk by chunk as the street's workbook is."""
    obj, units = district_scope(job.user, job.level, job.scope_pk)
    with tempfile.TemporaryFile() as handle:
        write_progress_workbook(units, handle, title=obj.name, group_by="street", on_chunk=lambda n: _advance(job, n))
        _finish(job, handle)


@dataclass(frozen=True)
class JobType:
    """What a kind of job makes, of which scope, and how its download is served and logged."""

    write: Callable[[ExportJob], None]
    scope: Callable  # (user, level, pk) → (obj, units): 404 or 403 as the export's own page answers
    file_name: str  # formatted with the scope's name and today
    content_type: str
    log_kind: str
    log_format: str


JOB_TYPES = {
    JobKind.STATUS_SHEETS: JobType(  # named as the single unit's 状态表
        write_status_sheets, get_scope, "{name}-全部状态表-{day:%Y%m%d}.pdf", PDF_TYPE, ExportKind.UNIT_SHEET, ExportFormat.PDF
    ),
    JobKind.STATUS_WORKBOOKS: JobType(
        write_status_workbooks, get_scope, "{name}-全部状态表-{day:%Y%m%d}.zip", ZIP_TYPE, ExportKind.UNIT_SHEET, ExportFormat.XLSX
    ),
    JobKind.DISTRICT_REPORT: JobType(  # named as the street's report
        write_district_report,
        district_scope,
        "{name}-加装电梯工作报告-{day:%Y%m%d}.docx",
        DOCX_TYPE,
        ExportKind.DISTRICT_REPORT,
        ExportFormat.DOCX,
    ),
    JobKind.DISTRICT_WORKBOOK: JobType(  # named as the street's workbook
        write_district_workbook,
        district_scope,
        "{name}-加装电梯进度-{day:%Y%m%d}.xlsx",
        XLSX_TYPE,
        ExportKind.PROGRESS,
        ExportFormat.XLSX,
    ),
}


def _advance(job: ExportJob, units: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(units_done=F("units_done") + units, beat_at=timezone.now())


def _finish(job: ExportJob, handle) -> None:
    job.refresh_from_db(fields=["units_done", "units_total"])
    job.file.save(job.filename, File(handle), save=False)
    job.status, job.finished_at = JobStatus.DONE, timezone.now()
    job.save(update_fields=["file", "status", "finished_at"])


def _fail(job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=error, finished_at=timezone.now())


def mark_stale() -> int:
    """Running jobs whose worker stopped (no progress for ``EXPORT_JOB_STALE_SECONDS``) are failed."""
    now = timezone.now()
    return ExportJob.objects.filter(
        status=JobStatus.RUNNING, beat_at__lt=now - timedelta(seconds=settings.EXPORT_JOB_STALE_SECONDS)
    ).update(status=JobStatus.FAILED, error=JobError.STOPPED, finished_at=now)


def kept_since():
    """Jobs created before this are expired: no longer listed or downloadable, and purged."""
    return timezone.now() - timedelta(days=settings.EXPORT_JOBS_KEEP_DAYS)


def purge_expired() -> int:
    """Expired jobs go, with their files: after every job, and daily from cron (``purge_exports``)."""
    old = ExportJob.objects.filter(created_at__lt=kept_since())
    for job in old.exclude(file=""):
        job.file.delete(save=False)
    return old.delete()[0]
