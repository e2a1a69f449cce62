"""What every export shares: who may take data out, the record of it, and the file formats' small print.

Scope and roles come from units/permissions.py as on the pages, so an export never holds a unit its
user could not open. Company users see plan and works records but not the residents' votes: every
export here carries votes or consent figures, so they get a 403, as on the roster pages.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.contrib.staticfiles import finders
from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils import timezone

from consultations import rules
from retrofit.models import ExportLog
from retrofit.params import int_param
from units.models import Building, Community, Estate, Stage, Street, Unit
from units.permissions import get_unit_for_user, require_roster, scope_at_level

from .layout import lay_out

# level → (model, the unit field that reaches it, what the workbook's sheets are per)
LEVELS = {
    "street": (Street, "building__estate__community__street", "community"),
    "community": (Community, "building__estate__community", "estate"),
    "estate": (Estate, "building__estate", "estate"),
}

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_TYPE = "application/zip"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"

# Number formats people read in Excel and WPS alike.
MONEY_FORMAT = "#,##0.00"
AREA_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
INT_FORMAT = "0"

YES, NO = "是", "否"  # the ledger's own words for yes and no (units.roster_words.HARDSHIP_WORDS)


def get_export_unit(user, pk: int) -> Unit:
    """A unit to export: 404 outside the user's scope, 403 for a role that may not see its roster."""
    unit = get_unit_for_user(user, pk)
    require_roster(user)
    return unit


def get_scope(user, level: str, pk: int):
    """The street, community or estate, and the user's units in it: 404 outside their scope, 403 for a
    role that may not see the roster."""
    obj, units = scope_at_level(user, level, pk, levels=tuple(LEVELS))
    require_roster(user)
    return obj, units


def apply_filters(units, params) -> tuple[object, dict]:
    """The dashboard's filters (community, estate, stage), so an export holds what the page showed.

    The situation filter needs the consent engine and is applied row by row by the caller.
    """
    community_id, estate_id = int_param(params, "community"), int_param(params, "estate")  # junk: no filter
    filters = {"community": str(community_id or ""), "estate": str(estate_id or "")}
    filters.update((key, params.get(key) or "") for key in ("stage", "situation"))
    if community_id:
        units = units.filter(building__estate__community_id=community_id)
    if estate_id:
        units = units.filter(building__estate_id=estate_id)
    if filters["stage"] not in Stage.values:
        filters["stage"] = ""
    if filters["stage"]:
        units = units.filter(stage=filters["stage"])
    if filters["situation"] not in rules.SITUATIONS:
        filters["situation"] = ""
    return units, {k: v for k, v in filters.items() if v}


def scope_label(obj) -> str:
    if isinstance(obj, Street):
        return obj.name
    if isinstance(obj, Community):
        return f"{obj.street.name} {obj.name}"
    if isinstance(obj, Estate):
        return f"{obj.community.street.name} {obj.community.name} {obj.name}"
    if isinstance(obj, Building):
        return f"{obj.estate.name} {obj}"
    return str(obj)


def unit_label(unit: Unit) -> str:
    """绵纺厂宿舍小区 1栋1单元: the estate, building and unit as staff say it."""
    return f"{unit.building.estate.name} {unit.building.number}栋{unit.number}单元"


def export_log_record(*, by, kind: str, scope: str, object_ids: dict, format: str, when=None) -> ExportLog:
    """Record one export. ``by`` is None for the command line."""
    return ExportLog.objects.create(
        user=by if by is not None and by.is_authenticated else None,
        kind=kind,
        scope=scope[:300],
        object_ids=object_ids,
        format=format,
        at=when or timezone.now(),
    )


# --- spreadsheets -----------------------------------------------------------------------------------

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel and WPS accept: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip("'") or "_"
    base = base[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def text_width(value) -> int:
    """Columns a value needs: a Chinese character is about two Latin ones wide."""
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return 10
    if isinstance(value, Decimal | float):
        return len(f"{value:,.2f}")
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def width_for(header: str, samples=(), *, minimum: int = 6, maximum: int = 40) -> float:
    widest = max([text_width(header), *(text_width(s) for s in samples)])
    return float(min(max(widest + 2, minimum), maximum))


RATIO_PLACES = Decimal("0.000001")


def ratio_value(value: Fraction | None) -> Decimal | None:
    """An exact ratio as a decimal for a percent-formatted cell (display only; the test is exact)."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(RATIO_PLACES)


def fraction_text(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{value.numerator}/{value.denominator}"


def yes_no(flag) -> str:
    if flag is None:
        return ""
    return YES if flag else NO


def file_response(handle, filename: str, content_type: str) -> FileResponse:
    """A written file as a private download, read from the start."""
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- PDF ------------------------------------------------------------------------------------------


def pdf_source(template: str, context: dict, *, joined: bool = False) -> tuple[str, list[str]]:
    """A PDF's HTML and its stylesheets as text (print.css and the export sheet CSS), for ``lay_out``.
    ``joined``: one of the parts of a file joined from several (reports/pdfjoin.py), whose pages are
    footed with their unit's name, not with the part's own page count."""
    stylesheets = []
    path = finders.find("css/print.css")
    if path:
        with open(path, encoding="utf-8") as fh:
            stylesheets.append(fh.read())
    stylesheets.append(render_to_string("exports/includes/_sheet.css", {"pdf": True, "joined": joined}))
    return render_to_string(template, context), stylesheets


def render_pdf(template: str, context: dict, output) -> None:
    """Render a template to PDF with WeasyPrint, in this process (exports/layout.py)."""
    lay_out(*pdf_source(template, context), output)


def ratio_of(part, whole) -> Decimal | None:
    """``part / whole`` as a percent-formatted cell shows it, None when ``whole`` is 0: the very number
    ``ratio_value(Fraction(part) / Fraction(whole))`` gives (one correctly rounded division of the same exact
    quotient, then six places), without building the Fraction. ``part`` and ``whole`` are ints or Decimals."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES)

