"""Every cell the product writes to a workbook goes through here, so text is always written as text.

openpyxl stores a str that starts with ``=`` as a live formula and one of Excel's error words (``#N/A``)
as an error value. Owner names, remarks and vote reasons come from clerks and from residents on the
public page, so ``=HYPERLINK("http://…"&I2&J2, "详情")`` typed as a reason would become a link that sends a
neighbour's row to a stranger at a click. Here every str becomes a cell typed as text (``t="inlineStr"``),
kept exactly as typed — ``=``, ``+``, ``-`` and ``@`` included — so Excel, WPS and python-calamine all read
the same text back and none of them evaluates it. Control characters XML cannot hold (a vertical tab
pasted from Word) are dropped rather than failing the whole export.

``cell(ws, value, ...)`` makes one cell (with an optional number format, font and fill); ``row(ws, values)``
makes a row for ``ws.append``. Both work for a normal and a write-only worksheet. ``StreamedWorkbook`` writes
a large workbook with xlsxwriter instead, the same way: every str as a text cell (``write_string``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

TEXT = "s"


def cell(ws, value, number_format: str | None = None, *, font=None, fill=None):
    """A cell for ``ws.append``: str values are typed as text; other plain values pass through unstyled."""
    if isinstance(value, Cell):
        return value
    if not isinstance(value, str) and number_format is None and font is None and fill is None:
        return value  # numbers, dates and blanks: openpyxl types them itself
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold (pasted from Word)
    c = Cell(ws, row=1, column=1, value=value)  # placed by append, as openpyxl's WriteOnlyCell
    if isinstance(value, str):
        c.data_type = TEXT  # after the value: assigning a str starting with "=" sets "f"
    if number_format is not None:
        c.number_format = number_format
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    return c


def row(ws, values) -> list:
    """``values`` ready for ``ws.append``: every str a text cell."""
    return [cell(ws, value) for value in values]


def append(ws, values) -> None:
    ws.append(row(ws, values))


class StreamedWorkbook:
    """An .xlsx written by xlsxwriter in constant-memory mode: each row goes to a temporary file as soon as
    the next one starts, so a workbook of any size takes the same memory, several times faster than
    openpyxl. ``output`` is a path or a binary file; ``close()`` writes the workbook there."""

    def __init__(self, output):
        self.book = xlsxwriter.Workbook(output, {"constant_memory": True})
        self._formats: dict[tuple, object] = {}

    def sheet(self, name: str) -> StreamedSheet:
        return StreamedSheet(self.book.add_worksheet(name))

    def style(self, **properties):
        """The workbook's format of these xlsxwriter properties (num_format, bold, font_size, bg_color …),
        made once; None for no property. Look formats up once per column, not per cell."""
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(properties)
        return self._formats[key]

    def close(self) -> None:
        self.book.close()


class StreamedSheet:
    """A sheet of a ``StreamedWorkbook``, written row after row (constant memory allows no going back)."""

    def __init__(self, worksheet):
        self.ws, self.row = worksheet, 0
        # Each plain type's writer, looked up by the value's exact type (most cells), not by isinstance;
        # a subclass (a safe string, a pendulum date) is looked up by isinstance (``_writer``).
        self._writers = {
            bool: worksheet.write_boolean,
            int: worksheet.write_number,
            float: worksheet.write_number,
            Decimal: worksheet.write_number,
            date: worksheet.write_datetime,
            datetime: worksheet.write_datetime,
            str: self._write_text,
        }

    def set_width(self, column: int, width: float) -> None:
        """The column's width as openpyxl stores it: xlsxwriter adds the 5 pixels of padding Excel does."""
        self.ws.set_column(column, column, width - 5 / 7)

    def append(self, values, formats=()) -> None:
        """One row: ``values`` in order, None or "" an empty cell (as openpyxl leaves an empty str);
        ``formats`` each cell's (``style``), or fewer."""
        row, writers, write_text = self.row, self._writers, self.ws.write_string
        formats = [*formats, *[None] * (len(values) - len(formats))]
        for column, (value, cell_format) in enumerate(zip(values, formats, strict=False)):
            if value is None:
                continue
            if type(value) is str:
                if value:  # text, never a formula nor an error word
                    write_text(row, column, value if value.isprintable() else _printable(value), cell_format)
                continue
            (writers.get(type(value)) or self._writer(value))(row, column, value, cell_format)
        self.row += 1

    def _write_text(self, row: int, column: int, value: str, cell_format) -> None:
        if value:
            self.ws.write_string(row, column, _printable(str(value)), cell_format)

    def _writer(self, value):
        """The writer of a subclass of a plain type."""
        for kind, plain in ((str, str), (bool, bool), (int | float | Decimal, int), (date, date)):
            if isinstance(value, kind):
                return self._writers[plain]
        raise TypeError(f"no cell for {type(value).__name__}")


def _printable(text: str) -> str:
    """``text`` without what XML cannot hold (control characters pasted from Word); tabs and line breaks kept."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)
