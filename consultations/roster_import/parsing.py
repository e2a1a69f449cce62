"""Import of the estate ledger (住户台账) from Excel: all rows or nothing.

The ledger is what staff keep today, so the import is forgiving about layout (columns found by name,
in any order, extra columns ignored) and strict about content: any bad row fails the whole import,
every error is listed with its row number, and the database is left as it was.

An optional second sheet, 单元方案, holds one plan per unit (entry type, total cost, subsidy, split
method, coefficients); the ledger's optional column 困难减免 gives a flat hardship relief in that plan.
Each row becomes the unit's next plan version (units.plans.plan_save), in the same transaction, so a bad
plan row fails the whole import too; its errors name the sheet.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from time import monotonic

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from consultations import rules
from consultations.models import Vote, VoteChange, VoteSource
from retrofit import xlsx
from units import lifecycle, plan_tables, plans
from units.models import (
    AgeBand,
    Building,
    Community,
    EntryType,
    Estate,
    Household,
    HouseholdChange,
    Occupancy,
    Plan,
    RosterSource,
    SplitMethod,
    Street,
    Unit,
)

from . import workbook_guard

SHEET = "住户台账"
PLAN_SHEET = "单元方案"  # optional: one row per unit with its plan (一单元一策)

# Column headers are the ledger's own words: they are data, not interface text.
STREET, COMMUNITY, ESTATE, BUILDING, UNIT = "街道", "社区", "小区", "楼栋", "单元"
ROOM, FLOOR, AREA, OWNER, PHONE = "房号", "楼层", "建筑面积", "业主姓名", "联系电话"
OCCUPANCY, VOTE, REASON, HARDSHIP, NOTE, AGE_BAND = "居住情况", "意愿", "反对原因", "困难户", "备注", "年龄段"
RELIEF = "困难减免"  # yuan off this flat's share in the plan of sheet 单元方案
ENTRY, TOTAL_COST, SUBSIDY, METHOD, COEFFICIENTS = "入户方式", "工程总价", "政府补助", "分摊方式", "楼层系数"

# Only 年龄段 may be left out: a ledger without 困难户 or 备注 would otherwise reset them on re-import.
REQUIRED_COLUMNS = (
    STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ROOM, FLOOR, AREA, OWNER, PHONE, OCCUPANCY, VOTE, REASON, HARDSHIP, NOTE,
)
OPTIONAL_COLUMNS = (AGE_BAND,)
# Read when present, for the plans of sheet 单元方案; not part of the plain ledger template.
PLAN_LEDGER_COLUMNS = (RELIEF,)
# 政府补助 empty: the street's rule; 楼层系数 empty: the street's default table.
PLAN_REQUIRED_COLUMNS = (STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ENTRY, TOTAL_COST, METHOD)
PLAN_OPTIONAL_COLUMNS = (SUBSIDY, COEFFICIENTS)
PLAN_TEMPLATE_COLUMNS = (STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ENTRY, TOTAL_COST, SUBSIDY, METHOD, COEFFICIENTS)
ENTRY_WORDS = {"平层入户": EntryType.FLAT, "半层入户": EntryType.HALF}
METHOD_WORDS = {"按楼层系数": SplitMethod.FLOOR, "按楼层系数×面积": SplitMethod.FLOOR_AREA}
MAX_MONEY = Decimal("10000000000")  # the fields hold 12 digits with 2 decimals
TEMPLATE_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
# The model fields' max_length: longer text would fail in PostgreSQL instead of being reported.
MAX_LENGTH = {STREET: 100, COMMUNITY: 100, ESTATE: 100, BUILDING: 20, UNIT: 20, ROOM: 20, OWNER: 50}

VOTE_WORDS = {
    "同意": rules.AGREE,
    "反对": rules.OPPOSE,
    "弃权": rules.ABSTAIN,
    "未表态": rules.UNDECIDED,
    "联系不上": rules.UNREACHABLE,
    "": rules.UNDECIDED,
}
OCCUPANCY_WORDS = {"自住": Occupancy.OWNER, "出租": Occupancy.RENTED, "空置": Occupancy.EMPTY}
HARDSHIP_WORDS = {"是": True, "否": False, "": False}
AGE_BAND_WORDS = {
    "": "",
    "40岁以下": AgeBand.UNDER_40,
    "40-59岁": AgeBand.FROM_40,
    "60-74岁": AgeBand.FROM_60,
    "75岁及以上": AgeBand.OVER_75,
}
AGE_BAND_LABEL = {value: word for word, value in AGE_BAND_WORDS.items() if word}
VOTE_LABEL = {value: word for word, value in VOTE_WORDS.items() if word}
OCCUPANCY_LABEL = {value: word for word, value in OCCUPANCY_WORDS.items()}

MAX_AREA = Decimal("10000")

# The template's sample rows carry this estate name: the reader skips them (and says so), so a sample
# left in the sheet never writes over a real flat.
SAMPLE_ESTATE = "示例小区（本行为示例，导入时跳过）"
SAMPLE_STREET, SAMPLE_COMMUNITY = "示例街道", "示例社区"

# The household fields a ledger row writes, with the ledger's word for each (in the ledger's order).
ROSTER_FIELDS = {
    "floor": FLOOR,
    "area": AREA,
    "owner_name": OWNER,
    "phone": PHONE,
    "occupancy": OCCUPANCY,
    "hardship": HARDSHIP,
    "note": NOTE,
    "age_band": AGE_BAND,
}
# What an import may not change once a unit has reached signing: the signed shares and the contract rest
# on them (owner identity, area and floor coefficient). Phones, occupancy, notes and votes still change.
SIGNED_FIELDS = ("owner_name", "area", "floor")

SAMPLE_SKIPPED = _lazy("Row %(row)d is a sample row; skipped")
PLAN_SAMPLE_SKIPPED = _lazy("Sheet %(sheet)s, row %(row)d is a sample row; skipped")
ONLY_SAMPLES = _lazy(
    "The sheet “%(sheet)s” holds only the sample row (row %(rows)s), which is skipped; fill in the households below it."
)
SIGNED_CHANGE = _lazy(
    "%(unit)s has reached the signing stage; an import cannot change its owners, areas or floors (%(changes)s). "
    "The signed shares and the contract rest on them: ask the street office to correct them."
)
SIGNED_NEW_FLAT = _lazy(
    "%(unit)s has reached the signing stage; an import cannot add flat %(room)s to it. "
    "The signed shares and the contract cover its flats as they are: ask the street office."
)
PREVIEW_OUTDATED = _lazy(
    "These households have changed since the preview (someone saved in the meantime), so nothing was written. "
    "Upload the ledger again and check the new preview."
)


def stored_text(value) -> str:
    """A household field's value as HouseholdChange keeps it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return "" if value is None else str(value)


def field_label(field_name: str) -> str:
    """The ledger's word for a household field (业主姓名, 建筑面积 …); the vote has its own history."""
    return ROSTER_FIELDS.get(field_name, field_name)


def value_label(field_name: str, text: str) -> str:
    """A stored value (``stored_text``) in the ledger's words: 自住, 是, 60-74岁 …; "" stays ""."""
    if field_name == "occupancy":
        return OCCUPANCY_LABEL.get(text, text)
    if field_name == "hardship":
        return {"true": "是", "false": "否"}.get(text, text)
    if field_name == "age_band":
        return AGE_BAND_LABEL.get(text, text)
    return text


@dataclass(frozen=True)
class RowError:
    row: int | None  # the Excel row number, or None for a problem with the whole file
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class RosterRow:
    row: int
    street: str
    community: str
    estate: str
    building: str
    unit: str
    room: str
    floor: int
    area: Decimal
    owner_name: str
    phone: str
    occupancy: str
    vote: str
    reason: str
    hardship: bool
    note: str
    age_band: str
    has_age_band: bool
    relief: Decimal = Decimal("0")

    @property
    def unit_key(self) -> tuple[str, str, str, str, str]:
        return (self.street, self.community, self.estate, self.building, self.unit)


@dataclass(frozen=True)
class FieldChange:
    field: str  # the model field (owner_name …), or "vote" / "reason"
    column: str  # the ledger's word for it
    before: str  # in the ledger's words; "" when empty
    after: str
    stored_before: str = ""  # as HouseholdChange keeps it
    stored_after: str = ""


@dataclass(frozen=True)
class HouseholdDiff:
    """One stored household a ledger row changes, field by field (the preview lists these)."""

    row: int
    unit: str  # estate and unit, as the report names units
    room: str
    fields: tuple[FieldChange, ...]

    def describe(self, fields=None) -> str:
        return "；".join(
            f"{f.column} {f.before or '—'} → {f.after or '—'}" for f in self.fields if fields is None or f.field in fields
        )


@dataclass
class ImportReport:
    rows: int = 0
    streets_created: int = 0
    communities_created: int = 0
    estates_created: int = 0
    buildings_created: int = 0
    units_created: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    votes_changed: int = 0
    plans_created: int = 0
    plans_unchanged: int = 0
    units: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Each stored household the ledger changes, in row order; the preview asks for them to be checked.
    changes: list[HouseholdDiff] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # the sample rows left out, each said in a sentence

    @property
    def changes_digest(self) -> str:
        """A fingerprint of ``changes``: the confirmed import must make exactly the changes previewed."""
        data = [[c.row, c.unit, c.room, [[f.field, f.before, f.after] for f in c.fields]] for c in self.changes]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


# --- reading -------------------------------------------------------------------------------------


def read_sheet(path: str | Path) -> list[list]:
    """The ledger sheet as rows of Python values (python-calamine reads .xlsx and .xls)."""
    return _read_sheet(path)[0]


def _read_sheet(path: str | Path) -> tuple[list[list], list]:
    """The ledger sheet's rows, and its merged cell ranges as ((first row, first col), (last row, last col))."""
    table, merged, _plan = _read_workbook(path)
    return table, merged


def _read_workbook(path: str | Path) -> tuple[list[list], list, tuple[list[list], list] | None]:
    """The ledger sheet (rows, merged ranges), and the plan sheet likewise when the workbook has one."""
    from python_calamine import CalamineWorkbook

    _check_bounds(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for anything that is not a workbook
        raise ImportFailed([RowError(None, _("The file is not an Excel workbook (.xlsx or .xls) that can be read: %(error)s") % {"error": exc})]) from exc
    if SHEET not in workbook.sheet_names:
        raise ImportFailed(
            [RowError(None, _("The workbook has no sheet named “%(sheet)s”. Sheets found: %(found)s") % {"sheet": SHEET, "found": "、".join(workbook.sheet_names) or "—"})]
        )
    sheets = []
    for name in (SHEET, PLAN_SHEET):
        if name not in workbook.sheet_names:
            sheets.append(None)
            continue
        try:
            sheet = workbook.get_sheet_by_name(name)
            sheets.append((sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or ())))
        except Exception as exc:
            raise ImportFailed([RowError(None, _("The sheet “%(sheet)s” cannot be read: %(error)s") % {"sheet": name, "error": exc})]) from exc
    (table, merged), plan = sheets
    return table, merged, plan


def _check_bounds(path: str | Path) -> None:
    """Refuse, before calamine reads a cell, a workbook past the limits in settings (units/workbook_guard.py)."""
    try:
        workbook_guard.inspect_workbook(
            path,
            sheets=(SHEET, PLAN_SHEET),
            max_rows=settings.ROSTER_MAX_ROWS,
            max_columns=settings.ROSTER_MAX_COLUMNS,
            max_uncompressed=settings.ROSTER_MAX_UNCOMPRESSED,
            max_bytes=settings.ROSTER_MAX_BYTES,
        )
    except workbook_guard.WorkbookRefused as refused:
        raise ImportFailed([RowError(None, _(refused.message) % refused.params)]) from None
    except OSError:
        pass  # a file that cannot be opened holds nothing to bound: calamine reports it as before


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        raise ValueError(_("is a date, expected text"))
    return str(value).strip()


def _integer(value, column: str) -> int:
    if _is_blank(value):
        raise ValueError(_("%(column)s is empty") % {"column": column})
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        raise ValueError(_("%(column)s must be a whole number") % {"column": column})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("%(column)s must be a whole number, not %(value)s") % {"column": column, "value": value})
        return int(value)
    text = str(value or "").strip().removesuffix("层").strip()
    if not re.fullmatch(r"\d+", text):
        raise ValueError(_("%(column)s must be a whole number, not “%(value)s”") % {"column": column, "value": value or ""})
    return int(text)


def _area(value) -> Decimal:
    if _is_blank(value):
        raise ValueError(_("%(column)s is empty") % {"column": AREA})
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        raise ValueError(_("%(column)s must be a number of square metres") % {"column": AREA})
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("%(column)s must be a number of square metres, not “%(value)s”") % {"column": AREA, "value": value}) from None
    if not number.is_finite() or number <= 0:
        raise ValueError(_("%(column)s must be greater than 0, not %(value)s") % {"column": AREA, "value": value})
    if number >= MAX_AREA:
        raise ValueError(_("%(column)s of %(value)s m² is not a flat's area") % {"column": AREA, "value": value})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("%(column)s has at most two decimals, not %(value)s") % {"column": AREA, "value": value})
    return number.quantize(Decimal("0.01"))


def _money(value, column: str, *, required: bool = True, blank: Decimal | None = None) -> Decimal | None:
    """An amount in yuan, at most two decimals; "560,000" and "560000元" are read too.

    A blank cell is an error when ``required``, else it gives ``blank``.
    """
    if _is_blank(value):
        if not required:
            return blank
        raise ValueError(_("%(column)s is empty") % {"column": column})
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        raise ValueError(_("%(column)s must be an amount in yuan") % {"column": column})
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        else:
            number = Decimal(str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip())
    except InvalidOperation:
        raise ValueError(_("%(column)s must be an amount in yuan, not “%(value)s”") % {"column": column, "value": value}) from None
    if not number.is_finite() or number < 0:
        raise ValueError(_("%(column)s must be an amount of at least 0, not %(value)s") % {"column": column, "value": value})
    if number >= MAX_MONEY:
        raise ValueError(_("%(column)s of %(value)s yuan is too large") % {"column": column, "value": value})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("%(column)s has at most two decimals, not %(value)s") % {"column": column, "value": value})
    return number.quantize(Decimal("0.01"))


def _is_blank(value) -> bool:
    # A formula saved without its value (written by a program, never opened in Excel) also reads as "".
    return value is None or (isinstance(value, str) and not value.strip())


def _choice(value, words: dict, column: str):
    text = _text(value)
    if text not in words:
        allowed = "、".join(w for w in words if w)
        raise ValueError(_("%(column)s “%(value)s” is not one of: %(allowed)s") % {"column": column, "value": text, "allowed": allowed})
    return words[text]


def _cell_name(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


def _merged_errors(merged, header: list[str]) -> list[RowError]:
    """A merged cell holds its value in its first row only: the rows below it would read as blank."""
    errors = []
    for (first_row, first_col), (last_row, last_col) in merged:
        if last_row < 1:
            continue  # merged header cells leave no row without its value
        columns = "、".join(header[c] for c in range(first_col, last_col + 1) if c < len(header) and header[c])
        errors.append(
            RowError(
                max(first_row, 1) + 1,
                _("cells %(cells)s (%(columns)s) are merged; unmerge them and fill in every row")
                % {"cells": f"{_cell_name(first_row, first_col)}:{_cell_name(last_row, last_col)}", "columns": columns or "—"},
            )
        )
    return errors


class _RowReader:
    """Reads one row's cells by column name, collecting every problem instead of stopping at the first."""

    def __init__(self, values: list, positions: dict[str, int]):
        self.values, self.positions, self.errors = values, positions, []

    def cell(self, column):
        index = self.positions.get(column)
        return None if index is None or index >= len(self.values) else self.values[index]

    def read(self, column, parse):
        try:
            return parse(self.cell(column))
        except ValueError as exc:
            self.errors.append(str(exc))
            return None

    def _text(self, column) -> str | None:
        try:
            return _text(self.cell(column))
        except ValueError as exc:
            self.errors.append(_("%(column)s %(error)s") % {"column": column, "error": exc})
            return None

    def required_text(self, column) -> str:
        text = self._text(column)
        if text is None:
            return ""
        if not text:
            self.errors.append(_("%(column)s is empty") % {"column": column})
        elif len(text) > MAX_LENGTH[column]:
            self.errors.append(
                _("%(column)s is longer than %(limit)d characters") % {"column": column, "limit": MAX_LENGTH[column]}
            )
        return text

    def optional_text(self, column, limit=2000) -> str:
        text = self._text(column)
        if text is None:
            return ""
        if len(text) > limit:
            self.errors.append(_("%(column)s is longer than %(limit)d characters") % {"column": column, "limit": limit})
        return text


def parse_table(table: list[list], merged=(), skipped: list[int] | None = None) -> list[RosterRow]:
    """Check every row; raise ImportFailed with all errors, or return the rows.

    ``merged`` lists the sheet's merged cell ranges (0-based, as python-calamine gives them). The
    template's sample rows (estate SAMPLE_ESTATE) are left out; their row numbers go into ``skipped``.
    """
    samples = [] if skipped is None else skipped
    if not table or not any(_safe_text(c) for c in table[0]):
        raise ImportFailed([RowError(1, _("the header row is empty; the first row must hold the column names"))])
    header = [_safe_text(c) for c in table[0]]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, name in enumerate(header):
        if not name:
            continue
        if name in positions and (name in TEMPLATE_COLUMNS or name in PLAN_LEDGER_COLUMNS):
            errors.append(RowError(1, _("column “%(column)s” appears twice") % {"column": name}))
        positions.setdefault(name, index)
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        errors.append(RowError(1, _("missing column(s): %(columns)s") % {"columns": "、".join(missing)}))
    if errors:
        raise ImportFailed(errors)
    errors.extend(_merged_errors(merged, header))

    rows: list[RosterRow] = []
    for number, values in enumerate(table[1:], start=2):
        if not any(_safe_text(v) for v in values):
            continue  # blank lines between blocks are common in hand-kept ledgers
        line = _RowReader(values, positions)
        if _is_sample(line):
            samples.append(number)
            continue
        read, required_text, optional_text, row_errors = line.read, line.required_text, line.optional_text, line.errors

        street = required_text(STREET)
        community = required_text(COMMUNITY)
        estate = required_text(ESTATE)
        building = required_text(BUILDING)
        unit = required_text(UNIT)
        room = required_text(ROOM)
        floor = read(FLOOR, lambda v: _integer(v, FLOOR))
        if floor is not None and not 1 <= floor <= 60:
            row_errors.append(_("%(column)s %(value)s is outside 1–60") % {"column": FLOOR, "value": floor})
            floor = None
        area = read(AREA, _area)
        owner = required_text(OWNER)
        phone = optional_text(PHONE, limit=30)
        occupancy = read(OCCUPANCY, lambda v: _choice(v, {**OCCUPANCY_WORDS, "": Occupancy.OWNER}, OCCUPANCY))
        vote = read(VOTE, lambda v: _choice(v, VOTE_WORDS, VOTE))
        hardship = read(HARDSHIP, lambda v: _choice(v, HARDSHIP_WORDS, HARDSHIP))
        age_band = read(AGE_BAND, lambda v: _choice(v, AGE_BAND_WORDS, AGE_BAND))
        reason = optional_text(REASON, limit=500)
        note = optional_text(NOTE)
        relief = read(RELIEF, lambda v: _money(v, RELIEF, required=False, blank=Decimal("0")))
        if row_errors:
            errors.extend(RowError(number, message) for message in row_errors)
            continue
        rows.append(
            RosterRow(
                row=number,
                street=street,
                community=community,
                estate=estate,
                building=building,
                unit=unit,
                room=room,
                floor=floor,
                area=area,
                owner_name=owner,
                phone=phone,
                occupancy=occupancy,
                vote=vote,
                reason=reason,
                hardship=hardship,
                note=note,
                age_band=age_band,
                has_age_band=AGE_BAND in positions,
                relief=relief,
            )
        )
    if not rows and not errors and samples:
        errors.append(RowError(None, ONLY_SAMPLES % {"sheet": SHEET, "rows": "、".join(map(str, samples))}))
    elif not rows and not errors:
        errors.append(RowError(None, _("The sheet “%(sheet)s” has no households below its header row.") % {"sheet": SHEET}))
    errors.extend(_check_rows_together(rows))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: (e.row or 0)))
    return rows


def _is_sample(line: _RowReader) -> bool:
    return _safe_text(line.cell(ESTATE)) == SAMPLE_ESTATE


def _safe_text(value) -> str:
    try:
        return _text(value)
    except ValueError:
        return "?"


def _check_rows_together(rows: list[RosterRow]) -> list[RowError]:
    """Rules across rows: one room per unit; one owner's flats carry one vote.

    Flats already stored are checked again when writing (``_owner_conflicts``); checking the file here
    lists these errors together with every other row error.
    """
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    by_owner: dict[tuple, list[RosterRow]] = defaultdict(list)
    for row in rows:
        key = (*row.unit_key, row.room)
        if key in seen:
            errors.append(
                RowError(row.row, _("room %(room)s appears again (first in row %(first)d)") % {"room": row.room, "first": seen[key]})
            )
            continue
        seen[key] = row.row
        if row.phone:
            by_owner[(*row.unit_key, row.owner_name, row.phone)].append(row)
    for flats in by_owner.values():
        if len({row.vote for row in flats}) > 1:
            described = "、".join(f"{row.room}（{VOTE_LABEL.get(row.vote, row.vote)}）" for row in sorted(flats, key=lambda r: r.room))
            errors.extend(
                RowError(row.row, _("owner %(owner)s holds several flats with different votes: %(flats)s; one owner has one vote") % {"owner": row.owner_name, "flats": described})
                for row in flats
            )
    return errors


# --- the plan sheet (单元方案) ------------------------------------------------------------------------


@dataclass
class PlanRow:
    row: int
    street: str
    community: str
    estate: str
    building: str
    unit: str
    entry_type: str
    total_cost: Decimal
    subsidy: Decimal | None  # None: the street's rule
    method: str
    coefficients: dict[int, Decimal] | None  # None: the street's default table

    @property
    def unit_key(self) -> tuple[str, str, str, str, str]:
        return (self.street, self.community, self.estate, self.building, self.unit)


def _in_plan_sheet(error: RowError) -> RowError:
    """The same error, its message naming the plan sheet (row numbers alone would point at the ledger)."""
    return RowError(error.row, _("sheet “%(sheet)s”: %(message)s") % {"sheet": PLAN_SHEET, "message": error.message})


def _method_word(value) -> str:
    text = _text(value).replace(" ", "")
    for sign in ("x", "X", "*", "＊", "乘"):
        text = text.replace(sign, "×")
    return text


def parse_plan_table(table: list[list], merged=(), skipped: list[int] | None = None) -> list[PlanRow]:
    """Check every row of sheet 单元方案; raise ImportFailed with all errors (naming the sheet), or return the rows.

    Sample rows are left out as in the ledger sheet (``parse_table``); their numbers go into ``skipped``.
    """
    samples = [] if skipped is None else skipped
    if not table or not any(_safe_text(c) for c in table[0]):
        raise ImportFailed([_in_plan_sheet(RowError(1, _("the header row is empty; the first row must hold the column names")))])
    header = [_safe_text(c) for c in table[0]]
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
        raise ImportFailed([_in_plan_sheet(e) for e in errors])
    errors.extend(_merged_errors(merged, header))

    rows: list[PlanRow] = []
    seen: dict[tuple, int] = {}
    for number, values in enumerate(table[1:], start=2):
        if not any(_safe_text(v) for v in values):
            continue
        line = _RowReader(values, positions)
        if _is_sample(line):
            samples.append(number)
            continue
        read, required_text, row_errors = line.read, line.required_text, line.errors

        key = tuple(required_text(c) for c in (STREET, COMMUNITY, ESTATE, BUILDING, UNIT))
        entry_type = read(ENTRY, lambda v: _choice(v, ENTRY_WORDS, ENTRY))
        total = read(TOTAL_COST, lambda v: _money(v, TOTAL_COST))
        if total is not None and total <= 0:
            row_errors.append(_("%(column)s must be more than 0") % {"column": TOTAL_COST})
        subsidy = read(SUBSIDY, lambda v: _money(v, SUBSIDY, required=False))
        if subsidy is not None and total is not None and subsidy > total:
            row_errors.append(_("%(column)s is more than %(total)s") % {"column": SUBSIDY, "total": TOTAL_COST})
        method = read(METHOD, lambda v: _choice(_method_word(v), METHOD_WORDS, METHOD))
        coefficients = None
        text = _safe_text(line.cell(COEFFICIENTS))
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
        raise ImportFailed([_in_plan_sheet(e) for e in sorted(errors, key=lambda e: e.row or 0)])
    return rows


def _write_plans(plan_rows: list[PlanRow], rows: list[RosterRow], by, report: ImportReport) -> None:
    """A new plan version for each row of 单元方案, with the ledger's 困难减免; all or nothing."""
    errors: list[RowError] = []
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
            errors.append(_in_plan_sheet(RowError(plan_row.row, _("this unit is neither in sheet “%(sheet)s” nor stored yet") % {"sheet": SHEET})))
            continue
        households = sorted(unit.households.all(), key=lambda h: (-h.floor, plan_tables.natural_key(h.room)))
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
                errors.append(_in_plan_sheet(RowError(plan_row.row, problem.message)))
        except plans.NothingChanged:
            report.plans_unchanged += 1
        except plans.PlanFrozen:
            signed = Plan.objects.filter(unit=unit, signed_at__isnull=False).values_list("version", flat=True).first()
            errors.append(
                _in_plan_sheet(RowError(plan_row.row, _("plan version %(version)d of this unit is signed and cannot change") % {"version": signed or 0}))
            )
        else:
            report.plans_created += 1
    if errors:
        raise ImportFailed(errors)


def add_plan_sheet(workbook) -> None:
    """Add an example sheet 单元方案 to an openpyxl workbook (the ledger template)."""
    sheet = workbook.create_sheet(PLAN_SHEET)
    xlsx.append(sheet, list(PLAN_TEMPLATE_COLUMNS))
    xlsx.append(sheet, [SAMPLE_STREET, SAMPLE_COMMUNITY, SAMPLE_ESTATE, "1", "1", "平层入户", 620000, "", "按楼层系数", "1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5"])
    mark_sample_row(sheet, 2)
    for index, cell in enumerate(sheet[1], start=1):
        sheet.column_dimensions[cell.column_letter].width = 36 if index == len(PLAN_TEMPLATE_COLUMNS) else 14


def mark_sample_row(sheet, number: int) -> None:
    """Grey italics for a template's sample row, which the import skips."""
    from openpyxl.styles import Font

    for cell in sheet[number]:
        cell.font = Font(italic=True, color="808080")


# --- writing -------------------------------------------------------------------------------------


def _units_for(rows: list[RosterRow], floors_by_building: dict, report: ImportReport) -> dict[tuple, Unit]:
    """Find or create every street … unit the rows name, one level at a time, counting what is created.

    Each level costs one lookup and, when something is new, one bulk insert, however many units the
    ledger holds (the lookups filter by the names in the file and match whole keys here). Parents are
    set on their children, so unit.building.estate.community.street costs no query afterwards.
    """
    keys = {row.unit_key for row in rows}
    names = [{key[level] for key in keys} for level in range(5)]

    streets = {s.name: s for s in Street.objects.filter(name__in=names[0])}
    new = [Street(name=name) for name in sorted(names[0] - streets.keys())]
    Street.objects.bulk_create(new)
    streets.update((s.name, s) for s in new)
    report.streets_created += len(new)

    wanted = {key[:2] for key in keys}
    by_street_pk = {s.pk: name for name, s in streets.items()}
    communities = {}
    for community in Community.objects.filter(street_id__in=by_street_pk, name__in=names[1]):
        key = (by_street_pk[community.street_id], community.name)
        if key in wanted:
            community.street = streets[key[0]]
            communities[key] = community
    new = [Community(street=streets[s], name=c) for s, c in sorted(wanted - communities.keys())]
    Community.objects.bulk_create(new)
    communities.update(((c.street.name, c.name), c) for c in new)
    report.communities_created += len(new)

    wanted = {key[:3] for key in keys}
    by_community_pk = {c.pk: key for key, c in communities.items()}
    estates = {}
    for estate in Estate.objects.filter(community_id__in=by_community_pk, name__in=names[2]):
        key = (*by_community_pk[estate.community_id], estate.name)
        if key in wanted:
            estate.community = communities[key[:2]]
            estates[key] = estate
    new = [Estate(community=communities[k[:2]], name=k[2]) for k in sorted(wanted - estates.keys())]
    Estate.objects.bulk_create(new)
    estates.update(((*by_community_pk[e.community.pk], e.name), e) for e in new)
    report.estates_created += len(new)

    wanted = {key[:4] for key in keys}
    by_estate_pk = {e.pk: key for key, e in estates.items()}
    buildings = {}
    for building in Building.objects.filter(estate_id__in=by_estate_pk, number__in=names[3]):
        key = (*by_estate_pk[building.estate_id], building.number)
        if key in wanted:
            building.estate = estates[key[:3]]
            buildings[key] = building
    new = [Building(estate=estates[k[:3]], number=k[3], floors=floors_by_building[k]) for k in sorted(wanted - buildings.keys())]
    Building.objects.bulk_create(new)
    buildings.update(((*by_estate_pk[b.estate.pk], b.number), b) for b in new)
    report.buildings_created += len(new)

    by_building_pk = {b.pk: key for key, b in buildings.items()}
    units = {}
    # Through the estates (few ids) rather than the buildings (thousands for a whole district's ledger).
    for unit in Unit.objects.filter(building__estate_id__in=by_estate_pk, number__in=names[4]):
        key = by_building_pk.get(unit.building_id)
        if key is not None and (*key, unit.number) in keys:
            unit.building = buildings[key]
            units[(*key, unit.number)] = unit
    new = [Unit(building=buildings[k[:4]], number=k[4]) for k in sorted(keys - units.keys())]
    Unit.objects.bulk_create(new)
    units.update(((*by_building_pk[u.building.pk], u.number), u) for u in new)
    report.units_created += len(new)
    return units


def _scope_errors(rows: list[RosterRow], user) -> list[RowError]:
    if user is None or user.is_superuser:
        return []
    if not user.can_edit:
        # The pages refuse these roles already; the service refuses them too, whoever calls it.
        return [RowError(None, _("Your role can read this page but not change it."))]
    errors = []
    for row in rows:
        if user.street_id and row.street != user.street.name:
            errors.append(RowError(row.row, _("street “%(street)s” is not yours (%(own)s)") % {"street": row.street, "own": user.street.name}))
        elif user.community_id and (row.community != user.community.name or row.street != user.community.street.name):
            errors.append(
                RowError(row.row, _("community “%(community)s” is not yours (%(own)s)") % {"community": row.community, "own": user.community.name})
            )
    return errors


def import_roster(path: str | Path, *, by=None, dry_run: bool = False, reviewed: str | None = None) -> ImportReport:
    """Read, check and write the ledger (and its plan sheet) in one transaction. Raises ImportFailed, writing nothing.

    Errors of the ledger come first, then those of the plan sheet, each list in row order.
    """
    table, merged, plan_sheet = _read_workbook(path)
    errors: list[RowError] = []
    rows: list[RosterRow] = []
    plan_rows: list[PlanRow] = []
    samples: list[int] = []
    plan_samples: list[int] = []
    try:
        rows = parse_table(table, merged, skipped=samples)
    except ImportFailed as failed:
        errors.extend(failed.errors)
    if plan_sheet is not None:
        try:
            plan_rows = parse_plan_table(*plan_sheet, skipped=plan_samples)
        except ImportFailed as failed:
            errors.extend(failed.errors)
    if errors:
        raise ImportFailed(errors)
    skipped = [SAMPLE_SKIPPED % {"row": n} for n in samples]
    skipped += [PLAN_SAMPLE_SKIPPED % {"sheet": PLAN_SHEET, "row": n} for n in plan_samples]
    return import_rows(rows, by=by, dry_run=dry_run, plan_rows=plan_rows, skipped=skipped, reviewed=reviewed)


def import_rows(
    rows: list[RosterRow],
    *,
    by=None,
    dry_run: bool = False,
    plan_rows: list[PlanRow] = (),
    skipped: list[str] = (),
    reviewed: str | None = None,
) -> ImportReport:
    """Write the checked rows in one transaction (rolled back for a dry run).

    ``reviewed`` is the ``changes_digest`` of the preview the user confirmed: when given, the import is
    refused, writing nothing, unless it changes exactly those households, fields and values.
    """
    errors = _scope_errors(rows, by)
    if plan_rows and not (errors and errors[0].row is None):
        errors.extend(_in_plan_sheet(e) for e in _scope_errors(plan_rows, by))
    if errors:
        raise ImportFailed(errors)
    report = ImportReport(rows=len(rows), dry_run=dry_run, skipped=list(skipped))
    with transaction.atomic():
        _write(rows, by, report)
        if reviewed is not None and report.changes_digest != reviewed:
            raise ImportFailed([RowError(None, str(PREVIEW_OUTDATED))])
        _write_plans(plan_rows, rows, by, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(rows: list[RosterRow], by, report: ImportReport) -> None:
    floors_by_building: dict[tuple, int] = defaultdict(int)
    for row in rows:
        floors_by_building[row.unit_key[:4]] = max(floors_by_building[row.unit_key[:4]], row.floor)

    unit_by_key = _units_for(rows, floors_by_building, report)
    unit_of_row = {row.row: unit_by_key[row.unit_key] for row in rows}
    units = {unit.pk: unit for unit in unit_of_row.values()}

    errors: list[RowError] = []
    for row in rows:
        building = unit_of_row[row.row].building
        if row.floor > building.floors:
            errors.append(
                RowError(row.row, _("floor %(floor)d is above the top floor of building %(building)s (%(floors)d)") % {"floor": row.floor, "building": building.number, "floors": building.floors})
            )

    existing: dict[tuple[int, str], Household] = {
        (h.unit_id, h.room): h for h in Household.objects.filter(unit_id__in=units).select_related("vote")
    }
    errors.extend(_owner_conflicts(rows, unit_of_row, existing))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row or 0))

    now = timezone.now()
    fields = ("floor", "area", "owner_name", "phone", "occupancy", "hardship", "note")
    signed_units = lifecycle.units_from_signing(units.values())
    to_create: list[RosterRow] = []  # flats not stored yet (plain rows: see _insert)
    to_update: list[Household] = []
    votes_to_update: list[Vote] = []
    votes_to_create: list[Vote] = []
    changes: list[VoteChange] = []
    roster_history: list[tuple] = []  # (household, field, before, after): HouseholdChange rows
    for row in rows:
        unit = unit_of_row[row.row]
        values = {
            "floor": row.floor,
            "area": row.area,
            "owner_name": row.owner_name,
            "phone": row.phone,
            "occupancy": row.occupancy,
            "hardship": row.hardship,
            "note": row.note,
        }
        if row.has_age_band:
            values["age_band"] = row.age_band
        household = existing.get((unit.pk, row.room))
        if household is None:
            if unit.pk in signed_units:
                errors.append(RowError(row.row, SIGNED_NEW_FLAT % {"unit": unit, "room": row.room}))
            to_create.append(row)
            continue
        dirty = [name for name in ROSTER_FIELDS if name in values and getattr(household, name) != values[name]]
        field_changes = [_field_change(name, getattr(household, name), values[name]) for name in dirty]
        for name in dirty:
            setattr(household, name, values[name])
        vote = getattr(household, "vote", None) if _has_vote(household) else None
        before = vote.value if vote else rules.UNDECIDED
        before_reason = vote.reason if vote else ""
        vote_dirty = before != row.vote or before_reason != row.reason
        if before != row.vote:
            field_changes.append(FieldChange("vote", VOTE, VOTE_LABEL.get(before, before), VOTE_LABEL.get(row.vote, row.vote)))
        if before_reason != row.reason:
            field_changes.append(FieldChange("reason", REASON, before_reason, row.reason))
        if field_changes:
            diff = HouseholdDiff(row.row, _unit_name(unit), row.room, tuple(field_changes))
            report.changes.append(diff)
            if unit.pk in signed_units and any(name in SIGNED_FIELDS for name in dirty):
                errors.append(RowError(row.row, SIGNED_CHANGE % {"unit": unit, "changes": diff.describe(SIGNED_FIELDS)}))
        if dirty:
            to_update.append(household)
            roster_history.extend((household.pk, f.field, f.stored_before, f.stored_after) for f in field_changes if f.field in ROSTER_FIELDS)
        if vote_dirty:
            if vote is None:
                votes_to_create.append(Vote(household=household, value=row.vote, reason=row.reason, recorded_by=by, recorded_at=now, version=1))
            else:
                vote.value, vote.reason, vote.recorded_by, vote.recorded_at = row.vote, row.reason, by, now
                vote.version += 1
                votes_to_update.append(vote)
            # A new reason is a history line too, as when staff record it on the vote sheet.
            changes.append(VoteChange(household=household, before=before, after=row.vote, reason=row.reason, source=VoteSource.IMPORT, changed_by=by, changed_at=now))
        if dirty or vote_dirty:
            report.households_updated += 1
        else:
            report.households_unchanged += 1
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row or 0))

    if to_update:
        Household.objects.bulk_update(to_update, [*fields, "age_band"], batch_size=500)
    # New flats, their votes and their first history line go in as plain rows (_insert): a ledger of
    # 10,000 new flats would otherwise spend most of its time building and compiling 30,000 ORM inserts.
    _insert(
        Household,
        ("unit", "room", "floor", "area", "owner_name", "phone", "occupancy", "hardship", "note", "age_band"),
        [
            (unit_of_row[r.row].pk, r.room, r.floor, r.area, r.owner_name, r.phone, r.occupancy, r.hardship, r.note, r.age_band)
            for r in to_create
        ],
    )
    if to_create:
        new_rooms = {(unit_of_row[r.row].pk, r.room) for r in to_create}
        ids = {
            (unit_id, room): pk
            for unit_id, room, pk in Household.objects.filter(unit_id__in=units).values_list("unit_id", "room", "pk")
            if (unit_id, room) in new_rooms
        }
    when = VoteChange._meta.get_field("changed_at").get_db_prep_save(now, connection)
    by_id = by.pk if by is not None else None
    votes = [(v.household_id, v.value, v.reason, by_id, when, v.version) for v in votes_to_create]
    history = [(c.household_id, c.before, c.after, c.reason, c.source, by_id, when) for c in changes]
    for row in to_create:
        pk = ids[(unit_of_row[row.row].pk, row.room)]
        votes.append((pk, row.vote, row.reason, by_id, when, 1))
        history.append((pk, "", row.vote, row.reason, VoteSource.IMPORT, by_id, when))
    _insert(Vote, ("household", "value", "reason", "recorded_by", "recorded_at", "version"), votes)
    if votes_to_update:
        Vote.objects.bulk_update(votes_to_update, ["value", "reason", "recorded_by", "recorded_at", "version"], batch_size=500)
    _insert(VoteChange, ("household", "before", "after", "reason", "source", "changed_by", "changed_at"), history)
    _insert(
        HouseholdChange,
        ("household", "field", "before", "after", "source", "changed_by", "changed_at"),
        [(pk, name, before, after, RosterSource.IMPORT, by_id, when) for pk, name, before, after in roster_history],
    )

    report.households_created = len(to_create)
    report.votes_changed = sum(1 for c in changes if c.before and c.before != c.after)
    report.units = sorted({_unit_name(u) for u in units.values()})
    # Bulk writes send no signals: drop the stored consent figures of every unit touched.
    from consultations.signals import drop_tallies

    drop_tallies(units)


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Write plain value tuples (already in the database's terms): COPY on PostgreSQL, one executemany
    on SQLite.

    What bulk_create writes, without building a model instance and compiling SQL for every row (most of
    a 10,000-row import's time went there); no signal fires, as with bulk_create, and the database's
    constraints and triggers still check every row. The COPY is entered in the query log like any query.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
            return
        sql = f"COPY {table} ({columns}) FROM STDIN"
        started = monotonic()
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        if connection.queries_logged:
            connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": f"{monotonic() - started:.3f}"})


def _unit_name(unit: Unit) -> str:
    return str(unit.building.estate) + " " + str(unit)


def _field_change(name: str, before, after) -> FieldChange:
    stored_before, stored_after = stored_text(before), stored_text(after)
    return FieldChange(
        name, field_label(name), value_label(name, stored_before), value_label(name, stored_after), stored_before, stored_after
    )


def _has_vote(household: Household) -> bool:
    try:
        return household.vote is not None
    except Vote.DoesNotExist:
        return False


def _owner_conflicts(rows, unit_of_row, existing) -> list[RowError]:
    """One owner, one vote: the flats an owner holds in a unit (in the file or already stored) must agree."""
    final: dict[tuple[int, str], tuple[str, str, str, int | None]] = {}
    for (unit_id, room), household in existing.items():
        vote = household.vote.value if _has_vote(household) else rules.UNDECIDED
        final[(unit_id, room)] = (household.owner_name, household.phone, vote, None)
    for row in rows:
        final[(unit_of_row[row.row].pk, row.room)] = (row.owner_name, row.phone, row.vote, row.row)
    by_owner: dict[tuple, list[tuple[str, str, int | None]]] = defaultdict(list)
    for (unit_id, room), (name, phone, vote, number) in final.items():
        if phone:
            by_owner[(unit_id, name, phone)].append((room, vote, number))
    errors = []
    for (_unit, name, _phone), flats in by_owner.items():
        if len({vote for _room, vote, _n in flats}) > 1:
            described = "、".join(f"{room}（{VOTE_LABEL.get(vote, vote)}）" for room, vote, _n in sorted(flats))
            for _room, _vote, number in flats:
                if number is not None:
                    errors.append(
                        RowError(number, _("owner %(owner)s holds several flats with different votes: %(flats)s; one owner has one vote") % {"owner": name, "flats": described})
                    )
    return errors
