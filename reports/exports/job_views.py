"""我的导出: start a long export (reports/jobs.py), watch its progress bar, download the finished file.

A job is its asker's only: anyone else gets 404. The download checks the scope again, as the export's
own page would, and is recorded in ``ExportLog`` like every other download.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ..district.district import district_scope
from ..district.figures import chosen_period
from ..jobs import JOB_TYPES, kept_since, mark_stale, start_job
from ..models import ExportJob, JobKind, JobStatus
from .common import export_log_record, file_response

SHOWN = 50  # jobs listed, newest first; none older than EXPORT_JOBS_KEEP_DAYS


def _start(request, kind: str, level: str, pk: int, period=None):
    """Start the job (or find the one already running) and go to 我的导出."""
    job, _created = start_job(request.user, kind, level, pk, period)
    return redirect(f"{reverse('my_exports')}#job-{job.pk}")


@login_required
@require_POST
def start_status_sheets(request, level, pk):
    """导出全部状态表 (PDF)."""
    return _start(request, JobKind.STATUS_SHEETS, level, pk)


@login_required
@require_POST
def start_status_workbooks(request, level, pk):
    """导出全部状态表 (Excel, zipped)."""
    return _start(request, JobKind.STATUS_WORKBOOKS, level, pk)


@login_required
@require_POST
def start_district_report(request, pk):
    """The report to the district head of a whole district, as Word."""
    _obj, units = district_scope(request.user, "district", pk)
    period = chosen_period(request.POST, units, timezone.localdate())  # the period the page showed
    return _start(request, JobKind.DISTRICT_REPORT, "district", pk, period)


@login_required
@require_POST
def start_district_workbook(request, pk):
    """The progress workbook of a whole district, a sheet per street."""
    return _start(request, JobKind.DISTRICT_WORKBOOK, "district", pk)


@login_required
@require_safe
def my_exports(request):
    mark_stale()
    jobs = ExportJob.objects.filter(user=request.user, created_at__gte=kept_since())[:SHOWN]
    return render(request, "reports/my_exports.html", {"jobs": jobs, "keep_days": settings.EXPORT_JOBS_KEEP_DAYS})


def _own_job(request, pk) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, user=request.user, created_at__gte=kept_since())


@login_required
@require_safe
def export_job(request, pk):
    """One job's row: what the progress bar polls every second while the job runs."""
    mark_stale()
    return render(request, "reports/includes/_export_job.html", {"job": _own_job(request, pk)})


@login_required
def export_job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    job_type = JOB_TYPES[job.kind]
    job_type.scope(request.user, job.level, job.scope_pk)  # still theirs: 404 or 403 otherwise
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    export_log_record(
        by=request.user,
        kind=job_type.log_kind,
        scope=job.scope_label,
        object_ids={"level": job.level, "pk": job.scope_pk, "job": job.pk, "units": job.units_total},
        format=job_type.log_format,
    )
    return file_response(handle, job.filename, job_type.content_type)
