"""Export views: a unit's status sheet (xlsx, print, PDF), its consent form, the progress workbook of a
street, community or estate, and the report to the district (print, docx, and the list behind each
figure). Scope and masking are the pages' own; every download is recorded in ``ExportLog``."""

from __future__ import annotations

import tempfile
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from consultations import rules
from retrofit.models import ExportFormat, ExportKind
from retrofit.params import int_param
from units.models import Unit

from . import district_report, progress, status_sheet
from .common import (
    DOCX_TYPE,
    LEVELS,
    PDF_TYPE,
    XLSX_TYPE,
    apply_filters,
    export_log_record,
    get_export_unit,
    get_scope,
    render_pdf,
    scope_label,
    unit_label,
)


def _file_response(handle, filename: str, content_type: str) -> FileResponse:
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _sheets_for(request, pk):
    unit = get_export_unit(request.user, pk)
    sheets = status_sheet.unit_sheets(Unit.objects.filter(pk=unit.pk), request.user)
    return unit, sheets


def _log_unit(request, unit, kind, fmt, sheets):
    export_log_record(
        by=request.user,
        kind=kind,
        scope=unit_label(unit),
        object_ids={"units": [unit.pk], "households": sum(len(s.households) for s in sheets)},
        format=fmt,
    )


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@login_required
def unit_sheet_xlsx(request, pk):
    unit, sheets = _sheets_for(request, pk)
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    status_sheet.write_status_workbook(sheets, handle)
    _log_unit(request, unit, ExportKind.UNIT_SHEET, ExportFormat.XLSX, sheets)
    return _file_response(handle, f"{unit_label(unit)}-状态表-{_stamp()}.xlsx", XLSX_TYPE)


@login_required
def unit_sheet_print(request, pk):
    unit, sheets = _sheets_for(request, pk)
    _log_unit(request, unit, ExportKind.UNIT_SHEET, ExportFormat.PRINT, sheets)
    return render(request, "exports/unit_sheet_print.html", status_sheet.sheet_context(sheets, request.user))


@login_required
def unit_sheet_pdf(request, pk):
    unit, sheets = _sheets_for(request, pk)
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    render_pdf("exports/unit_sheet_pdf.html", status_sheet.sheet_context(sheets, request.user), handle)
    _log_unit(request, unit, ExportKind.UNIT_SHEET, ExportFormat.PDF, sheets)
    return _file_response(handle, f"{unit_label(unit)}-状态表-{_stamp()}.pdf", PDF_TYPE)


@login_required
def unit_consent_form(request, pk):
    """The consent form for signing: one A4 per household, or one compact roster form for the unit.

    ``?household=<id>`` prints one household's page only.
    """
    unit, sheets = _sheets_for(request, pk)
    sheet = sheets[0]
    layout = "roster" if request.GET.get("layout") == "roster" else "sheets"
    households = sheet.households
    wanted = int_param(request.GET, "household")
    if wanted:
        households = [h for h in households if h.pk == wanted]
        if not households:
            raise Http404
    round_deadline = next((line.value for line in sheet.dates if line.key == "round_deadline"), None)
    export_log_record(
        by=request.user,
        kind=ExportKind.CONSENT_FORM,
        scope=unit_label(unit),
        object_ids={"units": [unit.pk], "households": [h.pk for h in households], "layout": layout},
        format=ExportFormat.PRINT,
    )
    context = {
        "sheet": sheet,
        "households": households,
        "layout": layout,
        "deadline": round_deadline if round_deadline and round_deadline >= timezone.localdate() else None,
    }
    return render(request, "exports/consent_form_print.html", context)


@login_required
def progress_workbook(request, level, pk):
    """The progress workbook of a street, community or estate, with the dashboard's filters applied."""
    obj, units = get_scope(request.user, level, pk)
    units, filters = apply_filters(units, request.GET)
    group_by = LEVELS[level][2]
    handle = tempfile.TemporaryFile()
    summary = progress.write_progress_workbook(
        units, handle, title=scope_label(obj), group_by=group_by, situation=filters.get("situation", "")
    )
    export_log_record(
        by=request.user,
        kind=ExportKind.PROGRESS,
        scope=scope_label(obj),
        object_ids={"level": level, "pk": obj.pk, "filters": filters, "units": summary.rows},
        format=ExportFormat.XLSX,
    )
    return _file_response(handle, f"{obj.name}-加装电梯进度-{_stamp()}.xlsx", XLSX_TYPE)


# --- the report to the district ---------------------------------------------------------------------


def _period(request, units) -> tuple[date, date]:
    today = timezone.localdate()
    start, end = district_report.default_period(units, today)
    for name in ("from", "to"):
        text = request.GET.get(name, "")
        try:
            value = date.fromisoformat(text) if text else None
        except ValueError:
            value = None
        if value is not None:
            if name == "from":
                start = value
            else:
                end = value
    if start > end:
        start, end = end, start
    return start, end


def _report(request, level, pk):
    obj, units = district_report.report_scope(request.user, level, pk)
    start, end = _period(request, units)
    return district_report.build(level, obj, units, start=start, end=end, user=request.user)


def _log_report(request, report, fmt):
    export_log_record(
        by=request.user,
        kind=ExportKind.DISTRICT_REPORT,
        scope=f"{scope_label(report.obj)} {report.start.isoformat()}–{report.end.isoformat()}",
        object_ids={"level": report.level, "pk": report.obj.pk, "from": report.start.isoformat(), "to": report.end.isoformat()},
        format=fmt,
    )


@login_required
def district_report_print(request, level, pk):
    report = _report(request, level, pk)
    _log_report(request, report, ExportFormat.PRINT)
    return render(request, "exports/district_report_print.html", {"report": report, "situations": rules.SITUATIONS})


@login_required
def district_report_docx(request, level, pk):
    report = _report(request, level, pk)
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    district_report.write_district_docx(report, handle, base_url=request.build_absolute_uri("/").rstrip("/"))
    _log_report(request, report, ExportFormat.DOCX)
    return _file_response(handle, f"{report.scope_name}-加装电梯工作报告-{report.end:%Y%m%d}.docx", DOCX_TYPE)


@login_required
def district_report_figure(request, level, pk, key):
    """The list behind one figure of the report: the units (or meetings) it counts."""
    report = _report(request, level, pk)
    figure = report.figures.get(key)
    if figure is None:
        raise Http404
    return render(request, "exports/figure_list.html", {"report": report, "figure": figure})
