"""The report to the district head: the print page, the .docx, and the list behind each figure; at
district level (district.py), the print page and the .docx with each street's figures.

Every download or print is recorded in ``ExportLog``.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from consultations import rules
from reports.exports.common import DOCX_TYPE, export_log_record, file_response, scope_label
from retrofit.models import ExportFormat, ExportKind
from units.permissions import covers_whole, require_roster, scope_at_level

from .district import build_district_report, district_scope
from .figures import chosen_period
from .report import build
from .word import write_district_docx, write_district_level_docx


def report_scope(user, level: str, pk: int):
    """The street or community a report is for, and the user's units in it; 404 unless the user covers it.

    A street's report needs the whole street in the user's scope (a street leader or a street-wide
    viewer); a community's, the community or its street. Unit leaders and companies get none.
    """
    obj, units = scope_at_level(user, level, pk, levels=("street", "community"))
    if not covers_whole(user, level, obj):
        raise Http404
    require_roster(user)
    return obj, units


def _report(request, level, pk):
    obj, units = report_scope(request.user, level, pk)
    start, end = chosen_period(request.GET, units, timezone.localdate())
    return build(level, obj, units, start=start, end=end, user=request.user)


def _district_report(request, pk):
    obj, units = district_scope(request.user, "district", pk)
    start, end = chosen_period(request.GET, units, timezone.localdate())
    return build_district_report(obj, units, start=start, end=end)


def _log_report(request, report, fmt):
    export_log_record(
        by=request.user,
        kind=ExportKind.DISTRICT_REPORT,
        scope=f"{scope_label(report.obj)} {report.start.isoformat()}–{report.end.isoformat()}",
        object_ids={"level": report.level, "pk": report.obj.pk, "from": report.start.isoformat(), "to": report.end.isoformat()},
        format=fmt,
    )


@login_required
@require_safe
def district_report_print(request, level, pk):
    if level == "district":
        report = _district_report(request, pk)
        template = "exports/district_report_district_print.html"
    else:
        report = _report(request, level, pk)
        template = "exports/district_report_print.html"
    _log_report(request, report, ExportFormat.PRINT)
    return render(request, template, {"report": report, "situations": rules.SITUATIONS})


@login_required
@require_safe
def district_report_docx(request, level, pk):
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    if level == "district":
        report = _district_report(request, pk)
        write_district_level_docx(report, handle)
    else:
        report = _report(request, level, pk)
        write_district_docx(report, handle, base_url=request.build_absolute_uri("/").rstrip("/"))
    _log_report(request, report, ExportFormat.DOCX)
    return file_response(handle, f"{report.scope_name}-加装电梯工作报告-{report.end:%Y%m%d}.docx", DOCX_TYPE)


@login_required
@require_safe
def district_report_figure(request, level, pk, key):
    """The list behind one figure of the report: the units (or meetings) it counts."""
    report = _report(request, level, pk)
    figure = report.figures.get(key)
    if figure is None:
        raise Http404
    return render(request, "exports/figure_list.html", {"report": report, "figure": figure})
