"""Upload, preview and confirm an estate ledger. The preview is a dry run of the very same import."""

from io import BytesIO

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from retrofit import uploads, xlsx
from retrofit.formflow import INVALID
from units import roster_words
from units.permissions import require_editor

from . import columns, pending_uploads, writing
from .parsing import ImportFailed, RowError
from .plan_sheet import add_plan_sheet, mark_sample_row

SESSION_KEY = "pending_import"
CHANGES_NOT_REVIEWED = gettext_lazy(
    "Tick “I have checked the changes to the %(n)d households above” before importing; nothing was written."
)


class RosterUploadForm(forms.Form):
    # Suffix and size as the upload spec says (retrofit/uploads.py); workbook_guard checks the inside.
    file = uploads.UploadField(uploads.LEDGER, label=gettext_lazy("Ledger workbook (.xlsx or .xls)"))


def _discard_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        pending_uploads.discard(pending["file"])


def upload_limits() -> dict[str, int]:
    """What one ledger may hold, as the upload page states it: the same settings the checks read."""
    return {
        "rows": settings.ROSTER_MAX_ROWS,
        "columns": settings.ROSTER_MAX_COLUMNS,
        "megabytes": uploads.LEDGER.limit // uploads.MB,
    }


@login_required
def import_upload(request):
    require_editor(request.user)
    form = RosterUploadForm()
    context = {"form": form, "limits": upload_limits()}
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            _discard_pending(request)
            pending_uploads.remove_stale()
            upload = form.cleaned_data["file"]
            # The preview reads the upload itself; only a ledger that passes it is kept (a refusal or a
            # crash keeps no file).
            try:
                with pending_uploads.local_copy(upload, uploads.EXTENSIONS[upload.checked_type]) as path:
                    report = writing.import_roster(path, by=request.user, dry_run=True)
            except ImportFailed as failed:
                context.update(errors=failed.errors, filename=upload.name)
                return render(request, "units/import_upload.html", context, status=INVALID)
            stored = pending_uploads.save(upload, upload.checked_type)
            request.session[SESSION_KEY] = _pending(stored, upload.name, report)
            context.update(report=report, filename=upload.name)
            return render(request, "units/import_preview.html", context)
    return render(request, "units/import_upload.html", context, status=INVALID if request.method == "POST" else 200)


def _pending(stored: str, name: str, report: writing.ImportReport) -> dict:
    """What the confirmation needs: the stored file, and the changes to stored households it was shown."""
    return {"file": stored, "name": name, "changes": len(report.changes), "digest": report.changes_digest}


@login_required
@require_POST
def import_confirm(request):
    require_editor(request.user)
    pending = request.session.get(SESSION_KEY)
    if request.POST.get("action") == "cancel" or not pending:
        _discard_pending(request)
        if pending:
            messages.info(request, _("Import cancelled; nothing was written."))
        else:
            messages.warning(request, _("There is no import waiting for confirmation. Upload the workbook again."))
        return redirect("import_upload")
    if pending.get("changes") and not request.POST.get("reviewed"):
        # Changes to stored households are written only once someone said they checked them.
        return _preview_again(request, pending, str(CHANGES_NOT_REVIEWED % {"n": pending["changes"]}))
    try:
        with pending_uploads.stored_copy(pending["file"]) as path:
            report = writing.import_roster(path, by=request.user, reviewed=pending.get("digest"))
    except (ImportFailed, FileNotFoundError) as failed:
        _discard_pending(request)
        errors = getattr(failed, "errors", [RowError(None, _("The uploaded file is gone. Upload it again."))])
        return render(request, "units/import_upload.html", {"form": RosterUploadForm(), "errors": errors, "filename": pending["name"]}, status=INVALID)
    _discard_pending(request)
    messages.success(
        request,
        _("Imported %(rows)d rows from %(name)s: %(created)d households created, %(updated)d updated, %(votes)d vote changes.")
        % {"rows": report.rows, "name": pending["name"], "created": report.households_created, "updated": report.households_updated, "votes": report.votes_changed},
    )
    return redirect("home")


def _preview_again(request, pending: dict, problem: str):
    """The preview of the pending upload once more (a fresh dry run), with what stopped the confirmation."""
    try:
        with pending_uploads.stored_copy(pending["file"]) as path:
            report = writing.import_roster(path, by=request.user, dry_run=True)
    except (ImportFailed, FileNotFoundError) as failed:
        _discard_pending(request)
        errors = getattr(failed, "errors", [RowError(None, _("The uploaded file is gone. Upload it again."))])
        return render(request, "units/import_upload.html", {"form": RosterUploadForm(), "errors": errors, "filename": pending["name"]}, status=INVALID)
    request.session[SESSION_KEY] = _pending(pending["file"], pending["name"], report)
    context = {"report": report, "filename": pending["name"], "problem": problem}
    return render(request, "units/import_preview.html", context, status=INVALID)


@login_required
def import_template(request):
    """An empty ledger with the right columns, drop-down lists and one sample row, which the import skips."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = columns.SHEET
    xlsx.append(sheet, list(columns.TEMPLATE_COLUMNS))
    xlsx.append(sheet, list(columns.SAMPLE_ROW))
    mark_sample_row(sheet, 2)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, cell in enumerate(sheet[1], start=1):
        cell.font = bold
        cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = {3: 36, 13: 24}.get(index, 14)  # 3: the sample's estate
    sheet.freeze_panes = "A2"
    column = {name: i for i, name in enumerate(columns.TEMPLATE_COLUMNS)}
    for name, note in columns.COLUMN_NOTES.items():
        sheet.cell(row=1, column=column[name] + 1).comment = Comment(note, "retrofit")
    for name, words in (
        (roster_words.OCCUPANCY, roster_words.OCCUPANCY_WORDS),
        (columns.VOTE, columns.VOTE_WORDS),
        (roster_words.HARDSHIP, roster_words.HARDSHIP_WORDS),
        (roster_words.AGE_BAND, roster_words.AGE_BAND_WORDS),
    ):
        letter = sheet.cell(row=1, column=column[name] + 1).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(w for w in words if w) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}5000")
        sheet.add_data_validation(validation)
    add_plan_sheet(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
    return response
