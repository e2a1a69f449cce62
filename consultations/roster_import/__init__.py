"""Import of the estate ledger (住户台账) from Excel: all rows or nothing.

The ledger is what staff keep today, so the import is forgiving about layout (columns found by name,
in any order, extra columns ignored) and strict about content: any bad row fails the whole import,
every error is listed with its row number, and the database is left as it was. An optional second
sheet, 单元方案, holds one plan per unit.

- columns.py: the ledger's words (sheets, columns, cell words, the template's sample rows)
- workbook_guard.py: a hostile workbook refused before any cell is read (plain Python)
- parsing.py: the rows read and checked, errors by row (no database)
- plan_sheet.py: the sheet 单元方案, read, written as plan versions, and templated
- writing.py: the transaction that writes households, votes and their history
- pending_uploads.py, views.py: the upload, its preview and its confirmation

Callers use the names below; the words are in ``columns``.
"""

from .parsing import ImportFailed, RosterRow, RowError, parse_table, read_sheet
from .plan_sheet import PlanRow, add_plan_sheet, mark_sample_row, parse_plan_table
from .writing import ImportReport, import_roster, import_rows

__all__ = [
    "ImportFailed",
    "ImportReport",
    "PlanRow",
    "RosterRow",
    "RowError",
    "add_plan_sheet",
    "import_roster",
    "import_rows",
    "mark_sample_row",
    "parse_plan_table",
    "parse_table",
    "read_sheet",
]
