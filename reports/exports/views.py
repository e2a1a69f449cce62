"""Export views: a unit's status sheet (xlsx, print, PDF), its consent form, its file (档案, PDF), and the progress workbook
of a street, community or estate (the report to the district is reports/district/views.py). Scope and
masking are the pages' own; every download is recorded in ``ExportLog``."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from retrofit.models import ExportFormat, ExportKind
from retrofit.params import int_param
from units.models import Unit

from . import progress, status_sheet, unit_file
from .common import (
    LEVELS,
    PDF_TYPE,
    XLSX_TYPE,
    apply_filters,
    export_log_record,
    file_response,
    get_export_unit,
    get_scope,
    render_pdf,
    scope_label,
    unit_label,
)


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
@require_safe
def unit_sheet_xlsx(request, pk):
    unit, sheets = _sheets_for(request, pk)
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    status_sheet.write_status_workbook(sheets, handle)
    _log_unit(request, unit, ExportKind.UNIT_SHEET, ExportFormat.XLSX, sheets)
    return file_response(handle, f"{unit_label(unit)}-状态表-{_stamp()}.xlsx", XLSX_TYPE)


@login_required
@require_safe
def unit_sheet_print(request, pk):
    unit, sheets = _sheets_for(request, pk)
    _log_unit(request, unit, ExportKind.UNIT_SHEET, ExportFormat.PRINT, sheets)
    return render(request, "exports/unit_sheet_print.html", status_sheet.sheet_context(sheets, request.user))


@login_required
@require_safe
def unit_sheet_pdf(request, pk):
    unit, sheets = _sheets_for(request, pk)
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    render_pdf("exports/unit_sheet_pdf.html", status_sheet.sheet_context(sheets, request.user), handle)
    _log_unit(request, unit, ExportKind.UNIT_SHEET, ExportFormat.PDF, sheets)
    return file_response(handle, f"{unit_label(unit)}-状态表-{_stamp()}.pdf", PDF_TYPE)


@login_required
@require_safe
def unit_file_pdf(request, pk):
    """The unit's file as one PDF, made while the user waits (a background job once there is a queue)."""
    unit = get_export_unit(request.user, pk)
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    file = unit_file.unit_file(unit, request.user)
    unit_file.write_pdf(file, handle)
    export_log_record(
        by=request.user,
        kind=ExportKind.UNIT_FILE,
        scope=unit_label(unit),
        object_ids=unit_file.logged_ids(file),
        format=ExportFormat.PDF,
    )
    return file_response(handle, f"{unit_label(unit)}-档案-{_stamp()}.pdf", PDF_TYPE)


@login_required
@require_safe
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
@require_safe
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
    return file_response(handle, f"{obj.name}-加装电梯进度-{_stamp()}.xlsx", XLSX_TYPE)
