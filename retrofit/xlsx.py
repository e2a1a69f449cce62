"""Every cell the product writes to a workbook goes through here, so text is always written as text.

openpyxl stores a str that starts with ``=`` as a live formula and one of Excel's error words (``#N/A``)
as an error value. Owner names, remarks and vote reasons come from clerks and from residents on the
public page, so ``=HYPERLINK("http://…"&I2&J2, "详情")`` typed as a reason would become a link that sends a
neighbour's row to a stranger at a click. Here every str becomes a cell typed as text (``t="inlineStr"``),
kept exactly as typed — ``=``, ``+``, ``-`` and ``@`` included — so Excel, WPS and python-calamine all read
the same text back and none of them evaluates it. Control characters XML cannot hold (a vertical tab
pasted from Word) are dropped rather than failing the whole export.

``cell(ws, value, ...)`` makes one cell (with an optional number format, font and fill); ``row(ws, values)``
makes a row for ``ws.append``. Both work for a normal and a write-only worksheet.
"""

from __future__ import annotations

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
