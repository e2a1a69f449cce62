"""The optional sheet 单元方案 of the ledger: one plan per unit (一单元一策), read, written and templated.

Each row holds a unit's entry type, total cost, subsidy, split method and coefficients; the ledger's
optional column 困难减免 gives a flat hardship relief in that plan. Each row becomes the unit's next plan
version (units.plans.plan_save), in the import's transaction, so a bad plan row fails the whole import
too; its errors name the sheet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from retrofit import xlsx
from retrofit.ordering import top_floor_first
from units import plan_tables, plans
from units.models import Plan, Unit

from .columns import (
    BUILDING,
    COEFFICIENTS,
    COMMUNITY,
    ENTRY,
    ENTRY_WORDS,
    ESTATE,
    METHOD,
    METHOD_WORDS,
    PLAN_REQUIRED_COLUMNS,
    PLAN_SHEET,
    PLAN_TEMPLATE_COLUMNS,
    RELIEF,
    SAMPLE_PLAN_ROW,
    SHEET,
    STREET,
    SUBSIDY,
    TOTAL_COST,
    UNIT,
)
from .parsing import (
    ImportFailed,
    PlaceRow,
    RosterRow,
    RowError,
    RowReader,
    cell_text,
    choice,
    is_sample,
    merged_errors,
    money,
    safe_text,
)


@dataclass
class PlanRow(PlaceRow):
    entry_type: str
    total_cost: Decimal
    subsidy: Decimal | None  # None: the street's rule
    method: str
    coefficients: dict[int, Decimal] | None  # None: the street's default table


def in_plan_sheet(error: RowError) -> RowError:
    """The same error, its message naming the plan sheet (row numbers alone would point at the ledger)."""
    return RowError(error.row, _("sheet “%(sheet)s”: %(message)s") % {"sheet": PLAN_SHEET, "message": error.message})


def _method_word(value) -> str:
    text = cell_text(value).replace(" ", "")
    for sign in ("x", "X", "*", "＊", "乘"):
        text = text.replace(sign, "×")
    return text


def parse_plan_table(table: list[list], merged=(), skipped: list[int] | None = None) -> list[PlanRow]:
    """Check every row of sheet 单元方案; raise ImportFailed with all errors (naming the sheet), or return the rows.

    Sample rows are left out as in the ledger sheet (``parse_table``); their numbers go into ``skipped``.
    """
    samples = [] if skipped is None else skipped
    if not table or not any(safe_text(c) for c in table[0]):
        raise ImportFailed([in_plan_sheet(RowError(1, _("the header row is empty; the first row must hold the column names")))])
    header = [safe_text(c) for c in table[0]]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, name in enumerate(header):
        if name in positions and name in PLAN_TEMPLATE_COLUMNS:
            errors.append(RowError(1, _("column “%(column)s” appears twice") % {"column": name}))
        if name:
            positions.setdefault(name, index)
    missing = [c for c in PLAN_REQUIRED_COLUMNS if c not in positions]
    if missing:
        errors.append(RowError(1, _("missing column(s): %(columns)s") % {"columns": "、".join(missing)}))
    if errors:
        raise ImportFailed([in_plan_sheet(e) for e in errors])
    errors.extend(merged_errors(merged, header))

    rows: list[PlanRow] = []
    seen: dict[tuple, int] = {}
    for number, values in enumerate(table[1:], start=2):
        if not any(safe_text(v) for v in values):
            continue
        line = RowReader(values, positions)
        if is_sample(line):
            samples.append(number)
            continue
        read, required_text, row_errors = line.read, line.required_text, line.errors

        key = tuple(required_text(c) for c in (STREET, COMMUNITY, ESTATE, BUILDING, UNIT))
        entry_type = read(ENTRY, lambda v: choice(v, ENTRY_WORDS, ENTRY))
        total = read(TOTAL_COST, lambda v: money(v, TOTAL_COST))
        if total is not None and total <= 0:
            row_errors.append(_("%(column)s must be more than 0") % {"column": TOTAL_COST})
        subsidy = read(SUBSIDY, lambda v: money(v, SUBSIDY, required=False))
        if subsidy is not None and total is not None and subsidy > total:
            row_errors.append(_("%(column)s is more than %(total)s") % {"column": SUBSIDY, "total": TOTAL_COST})
        method = read(METHOD, lambda v: choice(_method_word(v), METHOD_WORDS, METHOD))
        coefficients = None
        text = safe_text(line.cell(COEFFICIENTS))
        if text:
            try:
                coefficients = plan_tables.parse_coefficient_text(text)
            except plan_tables.ShareProblem as problem:
                row_errors.append(_("%(column)s: %(error)s") % {"column": COEFFICIENTS, "error": problem.message})
        if all(key) and not row_errors:
            if key in seen:
                row_errors.append(_("this unit appears again (first in row %(first)d)") % {"first": seen[key]})
            seen.setdefault(key, number)
        if row_errors:
            errors.extend(RowError(number, message) for message in row_errors)
            continue
        rows.append(PlanRow(number, *key, entry_type, total, subsidy, method, coefficients))
    if errors:
        raise ImportFailed([in_plan_sheet(e) for e in sorted(errors, key=lambda e: e.row or 0)])
    return rows


def write_plans(plan_rows: list[PlanRow], rows: list[RosterRow], by) -> tuple[int, int]:
    """A new plan version for each row of 单元方案, with the ledger's 困难减免; all or nothing.

    Returns how many plans got a new version and how many were unchanged; raises ImportFailed.
    """
    errors: list[RowError] = []
    created = unchanged = 0
    planned = {row.unit_key for row in plan_rows}
    reliefs: dict[tuple, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if row.relief:
            if row.unit_key not in planned:
                errors.append(
                    RowError(row.row, _("%(column)s is given but the unit has no row in sheet “%(sheet)s”") % {"column": RELIEF, "sheet": PLAN_SHEET})
                )
            reliefs[row.unit_key].append(row)
    for plan_row in plan_rows:
        street, community, estate, building, number = plan_row.unit_key
        unit = (
            Unit.objects.for_listing()
            .filter(
                number=number,
                building__number=building,
                building__estate__name=estate,
                building__estate__community__name=community,
                building__estate__community__street__name=street,
            )
            .first()
        )
        if unit is None:
            errors.append(in_plan_sheet(RowError(plan_row.row, _("this unit is neither in sheet “%(sheet)s” nor stored yet") % {"sheet": SHEET})))
            continue
        households = sorted(unit.households.all(), key=top_floor_first)
        by_room = {h.room: h for h in households}
        floors = plans.floors_of(unit, households)
        draft = plans.PlanDraft(
            total_cost=plan_row.total_cost,
            subsidy=plan_row.subsidy,
            coefficients=plan_row.coefficients or unit.street.coefficients_for(len(floors)),
            method=plan_row.method,
            entry_type=plan_row.entry_type,
            stops=unit.building.floors,
            floor_height=unit.building.floor_height,
            spacing=unit.building.spacing,
            reliefs={by_room[r.room].pk: r.relief for r in reliefs.get(plan_row.unit_key, [])},
            note=_("Imported from sheet “%(sheet)s”") % {"sheet": PLAN_SHEET},
        )
        relief_rows = {by_room[r.room].pk: r.row for r in reliefs.get(plan_row.unit_key, [])}
        try:
            plans.plan_save(unit=unit, draft=draft, by=by, households=households, check_stale=False)
        except plan_tables.ShareProblem as problem:
            pk = int(problem.field.removeprefix("relief_")) if problem.field.startswith("relief_") else None
            if pk in relief_rows:
                errors.append(RowError(relief_rows[pk], _("%(column)s: %(error)s") % {"column": RELIEF, "error": problem.message}))
            else:
                errors.append(in_plan_sheet(RowError(plan_row.row, problem.message)))
        except plans.NothingChanged:
            unchanged += 1
        except plans.PlanFrozen:
            signed = Plan.objects.filter(unit=unit, signed_at__isnull=False).values_list("version", flat=True).first()
            errors.append(
                in_plan_sheet(RowError(plan_row.row, _("plan version %(version)d of this unit is signed and cannot change") % {"version": signed or 0}))
            )
        else:
            created += 1
    if errors:
        raise ImportFailed(errors)
    return created, unchanged


def add_plan_sheet(workbook) -> None:
    """Add an example sheet 单元方案 to an openpyxl workbook (the ledger template)."""
    sheet = workbook.create_sheet(PLAN_SHEET)
    xlsx.append(sheet, list(PLAN_TEMPLATE_COLUMNS))
    xlsx.append(sheet, list(SAMPLE_PLAN_ROW))
    mark_sample_row(sheet, 2)
    for index, cell in enumerate(sheet[1], start=1):
        sheet.column_dimensions[cell.column_letter].width = 36 if index == len(PLAN_TEMPLATE_COLUMNS) else 14


def mark_sample_row(sheet, number: int) -> None:
    """Grey italics for a template's sample row, which the import skips."""
    for cell in sheet[number]:
        cell.font = Font(italic=True, color="808080")
