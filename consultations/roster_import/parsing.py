"""Reading the estate ledger (住户台账) from Excel: pure parsing of its rows into RosterRow, errors by row.

The ledger is what staff keep today, so the import is forgiving about layout (columns found by name,
in any order, extra columns ignored) and strict about content: any bad row fails the whole import,
and every error is listed with its row number. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from python_calamine import CalamineWorkbook

from consultations import rules
from retrofit import co_owners, owner_ids, phones
from units.models import Occupancy
from units.roster_words import (
    AGE_BAND,
    AGE_BAND_WORDS,
    AREA,
    FLOOR,
    HARDSHIP,
    HARDSHIP_WORDS,
    ID_NUMBER,
    INSTITUTION,
    INVALID_PHONE,
    NOTE,
    OCCUPANCY,
    OCCUPANCY_WORDS,
    OWNER,
    PHONE,
    ROOM,
)

from . import workbook_guard
from .columns import (
    BUILDING,
    COMMUNITY,
    ESTATE,
    MAX_AREA,
    MAX_ID_NUMBER,
    MAX_LENGTH,
    MAX_MONEY,
    PLAN_LEDGER_COLUMNS,
    PLAN_SHEET,
    REASON,
    RELIEF,
    REQUIRED_COLUMNS,
    SAMPLE_ESTATE,
    SHEET,
    STREET,
    TEMPLATE_COLUMNS,
    UNIT,
    VOTE,
    VOTE_LABEL,
    VOTE_WORDS,
)

# Never echoes the number: an error message is shown and may be copied anywhere.
INVALID_ID_NUMBER = _lazy(
    "%(column)s is not a certificate number: give letters and digits only (at most %(limit)d), e.g. an ID card's 18 characters"
)
ID_NUMBER_AS_NUMBER = _lazy(
    "%(column)s is stored as a number, so Excel has dropped its last digits: format the column as text and type the numbers again"
)
MORE_PHONES_THAN_OWNERS = _lazy(
    "%(column)s gives %(phones)d phone numbers for %(owners)d owner(s) named in %(owner_column)s: give co-owners' phones in the order of their names"
)
ID_NUMBER_CHARACTERS = re.compile(r"[0-9A-Z()\-]+")
# One owner's name, no longer than the column holds, with nothing that could separate co-owners' names.
ONE_OWNER = re.compile(rf"[^、，,;；和]{{1,{MAX_LENGTH[OWNER]}}}")

ONLY_SAMPLES = _lazy(
    "The sheet “%(sheet)s” holds only the sample row (row %(rows)s), which is skipped; fill in the households below it."
)


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


@dataclass(slots=True)
class PlaceRow:
    """A row of a sheet that names its unit by place: street → community → estate → building → unit."""

    row: int
    street: str
    community: str
    estate: str
    building: str
    unit: str

    @property
    def unit_key(self) -> tuple[str, str, str, str, str]:
        return (self.street, self.community, self.estate, self.building, self.unit)


@dataclass(slots=True)  # one for every household of the ledger: no __dict__ each
class RosterRow(PlaceRow):
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
    # The certificate number as kept (retrofit/owner_ids.py): its keyed hash and last four; never the number.
    id_hash: str = ""
    id_last4: str = ""
    has_id_number: bool = False  # the ledger has the column: a blank cell clears what is stored
    institution: str = ""  # 产权单位, or the owner's name when the street lists it as an institution (writing.py)
    has_institution: bool = False
    # A co-owned flat (共有): the co-owners after the first-named one, as Household.co_owners keeps them.
    co_owners: str = ""

    @property
    def owner_key(self) -> tuple:
        """The consent engine's owner key of this row (rules.owner_key)."""
        return rules.owner_key(self.room, self.owner_name, self.phone, self.id_hash, self.institution)


# --- reading -------------------------------------------------------------------------------------


def read_sheet(path: str | Path) -> list[list]:
    """The ledger sheet as rows of Python values (python-calamine reads .xlsx and .xls)."""
    return _read_sheet(path)[0]


def _read_sheet(path: str | Path) -> tuple[list[list], list]:
    """The ledger sheet's rows, and its merged cell ranges as ((first row, first col), (last row, last col))."""
    table, merged, _plan = read_workbook(path)
    return table, merged


def read_workbook(path: str | Path) -> tuple[list[list], list, tuple[list[list], list] | None]:
    """The ledger sheet (rows, merged ranges), and the plan sheet likewise when the workbook has one."""
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
    """Refuse, before calamine reads a cell, a workbook past the limits in settings (workbook_guard.py)."""
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


def cell_text(value) -> str:
    if type(value) is str:
        return value.strip()  # most cells: tried first
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


CENT = Decimal("0.01")


@dataclass(frozen=True)
class _Measure:
    """A number the ledger holds in cents (a flat's area, an amount in yuan): how a cell is read, its bounds,
    and what a cell that breaks them is told (``%(column)s``, and ``%(value)s`` the cell as written)."""

    not_a_number: str  # a yes/no or a date cell
    unreadable: str  # text that is no number
    below: str  # less than 0, or 0 where ``zero`` is no value
    zero: bool
    maximum: Decimal  # the first value too large
    too_large: str

    def read(self, value, text: str, column: str) -> Decimal:
        """The cell's number, exact: a float as Python prints it, else ``text`` (the cell as the caller cleaned it)."""
        words = {"column": column, "value": value}
        if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
            raise ValueError(self.not_a_number % words)
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(text)
        except InvalidOperation:
            raise ValueError(self.unreadable % words) from None
        if not number.is_finite() or number < 0 or (number == 0 and not self.zero):
            raise ValueError(self.below % words)
        if number >= self.maximum:
            raise ValueError(self.too_large % words)
        if number != number.quantize(CENT):
            raise ValueError(_("%(column)s has at most two decimals, not %(value)s") % words)
        return number.quantize(CENT)


AREA_MEASURE = _Measure(
    not_a_number=_lazy("%(column)s must be a number of square metres"),
    unreadable=_lazy("%(column)s must be a number of square metres, not “%(value)s”"),
    below=_lazy("%(column)s must be greater than 0, not %(value)s"),
    zero=False,
    maximum=MAX_AREA,
    too_large=_lazy("%(column)s of %(value)s m² is not a flat's area"),
)
MONEY_MEASURE = _Measure(
    not_a_number=_lazy("%(column)s must be an amount in yuan"),
    unreadable=_lazy("%(column)s must be an amount in yuan, not “%(value)s”"),
    below=_lazy("%(column)s must be an amount of at least 0, not %(value)s"),
    zero=True,
    maximum=MAX_MONEY,
    too_large=_lazy("%(column)s of %(value)s yuan is too large"),
)


def _area(value) -> Decimal:
    if _is_blank(value):
        raise ValueError(_("%(column)s is empty") % {"column": AREA})
    return AREA_MEASURE.read(value, str(value).strip(), AREA)


def money(value, column: str, *, required: bool = True, blank: Decimal | None = None) -> Decimal | None:
    """An amount in yuan, at most two decimals; "560,000" and "560000元" are read too.

    A blank cell is an error when ``required``, else it gives ``blank``.
    """
    if _is_blank(value):
        if not required:
            return blank
        raise ValueError(_("%(column)s is empty") % {"column": column})
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    return MONEY_MEASURE.read(value, text, column)


def _is_blank(value) -> bool:
    # A formula saved without its value (written by a program, never opened in Excel) also reads as "".
    return value is None or (isinstance(value, str) and not value.strip())


def choice(value, words: dict, column: str):
    text = cell_text(value)
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


def merged_errors(merged, header: list[str]) -> list[RowError]:
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


def _text(column, value) -> tuple[str | None, str | None]:
    """The cell as text, or None and what is wrong (a date where text belongs)."""
    try:
        return cell_text(value), None
    except ValueError as exc:
        return None, _("%(column)s %(error)s") % {"column": column, "error": exc}


# Checks of one cell value, value → (what it reads as, its problem or None): pure, so that a column's
# repeated values are checked once (read_column), and a single row's the same way (RowReader).
def required_check(column):
    """Text that must be given, no longer than the column's field holds."""

    def check(value):
        text, problem = _text(column, value)
        if text is None:
            return "", problem
        if not text:
            return text, _("%(column)s is empty") % {"column": column}
        if len(text) > MAX_LENGTH[column]:
            return text, _("%(column)s is longer than %(limit)d characters") % {"column": column, "limit": MAX_LENGTH[column]}
        return text, None

    return check


def optional_check(column, limit=2000):
    """Text that may be blank, at most ``limit`` characters."""

    def check(value):
        text, problem = _text(column, value)
        if text is None:
            return "", problem
        if len(text) > limit:
            return text, _("%(column)s is longer than %(limit)d characters") % {"column": column, "limit": limit}
        return text, None

    return check


def parsed_check(parse):
    """``parse(value)``, its ValueError the problem."""

    def check(value):
        try:
            return parse(value), None
        except ValueError as exc:
            return None, str(exc)

    return check


def id_number_check(column):
    """A certificate number as kept, (keyed hash, last four characters); ("", "") when blank or wrong."""

    def check(value):
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10**15:
            # Excel keeps 15 digits of a number: an 18-digit ID card typed as a number has lost its last ones.
            return ("", ""), ID_NUMBER_AS_NUMBER % {"column": column}
        try:
            number = owner_ids.normalise(cell_text(value))
        except ValueError:
            number = "?"  # a date cell: no certificate number
        if not number:
            return ("", ""), None
        if len(number) > MAX_ID_NUMBER or not ID_NUMBER_CHARACTERS.fullmatch(number):
            return ("", ""), INVALID_ID_NUMBER % {"column": column, "limit": MAX_ID_NUMBER}
        return (owner_ids.digest(number), owner_ids.last_four(number)), None

    return check


class RowReader:
    """Reads one row's cells by column name, collecting every problem instead of stopping at the first."""

    def __init__(self, values: list, positions: dict[str, int]):
        self.values, self.positions, self.errors = values, positions, []

    def cell(self, column):
        index = self.positions.get(column)
        return None if index is None or index >= len(self.values) else self.values[index]

    def _checked(self, column, check):
        result, problem = check(self.cell(column))
        if problem is not None:
            self.errors.append(problem)
        return result

    def read(self, column, parse):
        return self._checked(column, parsed_check(parse))

    def required_text(self, column) -> str:
        return self._checked(column, required_check(column))

    def optional_text(self, column, limit=2000) -> str:
        return self._checked(column, optional_check(column, limit))

    def owners(self, owner_column, phone_column) -> tuple[str, str, str]:
        """The flat's owner (the first-named co-owner), their phone, and the other co-owners as stored
        (retrofit/co_owners.py, docs/rules.md "Co-owned flats"); wrong cells are listed."""
        written, text = self.cell(owner_column), self.cell(phone_column)
        if type(written) is str and (text is None or type(text) is str):
            name, number = written.strip(), (text or "").strip()
            if ONE_OWNER.fullmatch(name) and (not number or phones.MOBILE.fullmatch(number)):
                return name, number, ""  # one owner and a mobile in its one form, or none: most rows, checked at once
        written = self.required_text(owner_column)
        names = co_owners.split_names(written)
        if written and not names:
            self.errors.append(_("%(column)s is empty") % {"column": owner_column})
        limit = 30 * max(len(names), 1)
        text = self.optional_text(phone_column, limit=limit)
        try:
            numbers = co_owners.split_phones(text) if len(text) <= limit else []  # too long: listed already
        except phones.InvalidPhone as wrong:
            self.errors.append(INVALID_PHONE % {"column": phone_column, "value": wrong.args[0] or text})
            numbers = []
        if len(numbers) > max(len(names), 1):
            self.errors.append(
                MORE_PHONES_THAN_OWNERS
                % {"column": phone_column, "phones": len(numbers), "owners": len(names), "owner_column": owner_column}
            )
        numbers += [""] * (len(names) - len(numbers))
        pairs = list(zip(names, numbers, strict=False))  # more phones than names: listed above
        first_name, first_phone = pairs[0] if pairs else ("", numbers[0] if numbers else "")
        return first_name, first_phone, co_owners.dump(pairs[1:])



def parse_table(table: list[list], merged=(), skipped: list[int] | None = None) -> list[RosterRow]:
    """Check every row; raise ImportFailed with all errors, or return the rows.

    ``merged`` lists the sheet's merged cell ranges (0-based, as python-calamine gives them). The
    template's sample rows (estate SAMPLE_ESTATE) are left out; their row numbers go into ``skipped``.
    """
    samples = [] if skipped is None else skipped
    if not table or not any(safe_text(c) for c in table[0]):
        raise ImportFailed([RowError(1, _("the header row is empty; the first row must hold the column names"))])
    header = [safe_text(c) for c in table[0]]
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
    errors.extend(merged_errors(merged, header))

    width = len(header)
    numbers: list[int] = []  # the lines' row numbers in the sheet
    table_rows: list[list] = []  # their cells, every line as wide as the header (no bounds check per cell)
    for number, values in enumerate(table[1:], start=2):
        first = values[0] if values else None
        if not (type(first) is str and first.strip()) and not any(safe_text(v) for v in values):
            continue  # blank lines between blocks are common in hand-kept ledgers
        numbers.append(number)
        table_rows.append(values if len(values) >= width else [*values, *[None] * (width - len(values))])
    sample_lines = where(column_cells(table_rows, positions.get(ESTATE)), _is_sample_estate)
    if sample_lines:
        samples.extend(numbers[n] for n in sample_lines)
        kept = sorted(set(range(len(numbers))) - set(sample_lines))
        numbers, table_rows = [numbers[n] for n in kept], [table_rows[n] for n in kept]
    problems: dict[int, list[str]] = {}  # the problems of a line (by position), in the order they are listed

    def column(name, check):
        return read_column(column_cells(table_rows, positions.get(name)), problems, check)

    # Column by column, in the order a row's problems are listed.
    places = [column(c, required_check(c)) for c in (STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ROOM)]
    floors = column(FLOOR, parsed_check(_floor))
    areas = column(AREA, parsed_check(_area))
    owners, phone_numbers, others = read_owners(table_rows, positions, problems)
    occupancies = column(OCCUPANCY, parsed_check(_occupancy))
    votes = column(VOTE, parsed_check(_vote))
    hardships = column(HARDSHIP, parsed_check(_hardship))
    age_bands = column(AGE_BAND, parsed_check(_age_band))
    reasons = column(REASON, optional_check(REASON, limit=500))
    notes = column(NOTE, optional_check(NOTE))
    reliefs = column(RELIEF, parsed_check(_relief))
    ids = column(ID_NUMBER, id_number_check(ID_NUMBER))
    institutions = column(INSTITUTION, optional_check(INSTITUTION, limit=MAX_LENGTH[INSTITUTION]))
    has_age_band, has_id_number, has_institution = AGE_BAND in positions, ID_NUMBER in positions, INSTITUTION in positions

    spaced = {name: " ".join(name.split()) for name in set(institutions)}
    institutions = list(map(spaced.__getitem__, institutions))
    rows: list[RosterRow] = []
    # The fields in RosterRow's order (PlaceRow's first), a line each: no keyword to match per row.
    for n, (number, street, community, estate, building, unit, room, floor, area, owner, phone, co_owned, occupancy, vote,
            reason, hardship, note, age_band, relief, (id_hash, id_last4), institution) in enumerate(zip(
                numbers, *places, floors, areas, owners, phone_numbers, others, occupancies, votes, reasons, hardships,
                notes, age_bands, reliefs, ids, institutions, strict=True)):
        if n in problems:
            errors.extend(RowError(number, message) for message in problems[n])
            continue
        rows.append(
            RosterRow(
                number, street, community, estate, building, unit, room, floor, area, owner, phone, occupancy, vote, reason,
                hardship, note, age_band, has_age_band, relief, id_hash, id_last4, has_id_number, institution, has_institution,
                co_owned,
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


# The readers of parse_table's cells, made once rather than once a row.
OCCUPANCY_CELL_WORDS = {**OCCUPANCY_WORDS, "": Occupancy.OWNER}


def column_cells(rows: list[list], index: int | None) -> list:
    """One column's cells, a line each (the lines as wide as the header); None for a column the sheet lacks."""
    if index is None:
        return [None] * len(rows)
    return list(map(itemgetter(index), rows))


def _distinct(cells: list) -> tuple[list, dict]:
    """Each cell's key, and the distinct keys with their cell's value. A cell is its own key when the
    column holds values of one type (most columns); else the type goes with it, as 1, 1.0 and True are
    equal values that read differently. No tuple per cell in the common case: 180,000 of them kept the
    garbage collector busy."""
    if len(set(map(type, cells))) == 1:
        return cells, {value: value for value in set(cells)}
    keys = list(zip(map(type, cells), cells, strict=True))
    return keys, {key: key[1] for key in set(keys)}


def read_column(cells: list, problems: dict[int, list[str]], check) -> list:
    """``check`` of one column's ``cells``, each problem added to its line's ``problems`` (by position);
    worked out once per distinct value, as a ledger repeats its street, estates, floors and words on every row."""
    keys, distinct = _distinct(cells)
    results, wrong = {}, {}
    for key, value in distinct.items():
        results[key], problem = check(value)
        if problem is not None:
            wrong[key] = problem
    if wrong:
        for n, key in enumerate(keys):
            if key in wrong:
                problems.setdefault(n, []).append(wrong[key])
    return list(map(results.__getitem__, keys))


def where(cells: list, test) -> list[int]:
    """The positions of the cells that pass ``test``, each distinct value tested once."""
    keys, distinct = _distinct(cells)
    passing = {key for key, value in distinct.items() if test(value)}
    return [n for n, key in enumerate(keys) if key in passing] if passing else []


def read_owners(
    rows: list[list], positions: dict[str, int], problems: dict[int, list[str]]
) -> tuple[list[str], list[str], list[str]]:
    """Each line's owner, phone and co-owners (``RowReader.owners``), three lists (strings, no tuple a
    line), its problems added to the line's. One owner with a mobile in its one form, or none, most rows,
    is read at once; each distinct name is looked at once."""
    names = column_cells(rows, positions.get(OWNER))
    numbers = column_cells(rows, positions.get(PHONE))
    one_owner: dict[str, str | None] = {}
    owners, owner_phones, others = [], [], []
    mobile = phones.MOBILE.fullmatch
    for n, (written, text) in enumerate(zip(names, numbers, strict=True)):
        if type(written) is str and (text is None or type(text) is str):
            name = one_owner.get(written, "")
            if name == "":
                stripped = written.strip()
                name = one_owner[written] = stripped if ONE_OWNER.fullmatch(stripped) else None
            number = (text or "").strip()
            if name is not None and (not number or mobile(number)):
                owners.append(name)
                owner_phones.append(number)
                others.append("")
                continue
        reader = RowReader(rows[n], positions)
        reader.errors = problems.get(n, [])
        owner, phone, co_owned = reader.owners(OWNER, PHONE)
        owners.append(owner)
        owner_phones.append(phone)
        others.append(co_owned)
        if reader.errors:
            problems[n] = reader.errors
    return owners, owner_phones, others


def _is_sample_estate(value) -> bool:
    return safe_text(value) == SAMPLE_ESTATE


def _floor(value) -> int:
    floor = _integer(value, FLOOR)
    if not 1 <= floor <= 60:
        raise ValueError(_("%(column)s %(value)s is outside 1–60") % {"column": FLOOR, "value": floor})
    return floor


def _occupancy(value) -> str:
    return choice(value, OCCUPANCY_CELL_WORDS, OCCUPANCY)


def _vote(value) -> str:
    return choice(value, VOTE_WORDS, VOTE)


def _hardship(value) -> bool:
    return choice(value, HARDSHIP_WORDS, HARDSHIP)


def _age_band(value) -> str:
    return choice(value, AGE_BAND_WORDS, AGE_BAND)


def _relief(value) -> Decimal:
    return money(value, RELIEF, required=False, blank=Decimal("0"))


def is_sample(line: RowReader) -> bool:
    return safe_text(line.cell(ESTATE)) == SAMPLE_ESTATE


def safe_text(value) -> str:
    try:
        return cell_text(value)
    except ValueError:
        return "?"


def _check_rows_together(rows: list[RosterRow]) -> list[RowError]:
    """Rules across rows: one room per unit; one owner's flats carry one vote.

    Flats already stored are checked again when writing (``_owner_conflicts``); checking the file here
    lists these errors together with every other row error.
    """
    errors: list[RowError] = []
    by_unit: dict[tuple, list[RosterRow]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_key, []).append(row)
    # Unit by unit: each room's row, each owner's first flat, kept only while the unit is looked at.
    for flats in by_unit.values():
        seen: dict[str, int] = {}
        distinct = []  # the unit's flats, a room each
        for row in flats:
            if row.room in seen:
                errors.append(
                    RowError(row.row, _("room %(room)s appears again (first in row %(first)d)") % {"room": row.room, "first": seen[row.room]})
                )
                continue
            seen[row.room] = row.row
            distinct.append(row)
        if not rules.owner_keys_may_repeat(
            [row.owner_name for row in distinct], [row.id_hash for row in distinct], [row.institution for row in distinct]
        ):
            continue  # every flat its own owner (most units): no owner key to make
        first: dict[tuple, RosterRow] = {}
        more: dict[tuple, list[RosterRow]] = {}  # the owners of several flats, all of them (most own one)
        for row in distinct:
            owner = row.owner_key
            if owner[0] != "room":
                held = first.setdefault(owner, row)
                if held is not row:
                    more.setdefault(owner, [held]).append(row)
        for held in more.values():
            errors += one_vote_errors(held[0].owner_name, [(row.row, row.room, row.vote) for row in held])
    return errors


def one_vote_errors(owner: str, held: list[tuple[int | None, str, str]]) -> list[RowError]:
    """One owner, one vote: when an owner's flats (row, room, vote; row None for a flat only stored) carry
    different votes, an error on each of their rows in the file, naming every flat and its vote."""
    if len({vote for _row, _room, vote in held}) < 2:
        return []
    described = "、".join(f"{room}（{VOTE_LABEL.get(vote, vote)}）" for _row, room, vote in sorted(held, key=lambda h: h[1]))
    message = _("owner %(owner)s holds several flats with different votes: %(flats)s; one owner has one vote")
    return [RowError(row, message % {"owner": owner, "flats": described}) for row, _room, _vote in held if row is not None]
