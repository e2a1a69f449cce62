"""The district report's Word tables are written as XML in one go (reports/district/word.py ``_table``); the
document must be the one python-docx's cell by cell API makes, which the report used to be written with:
same text (tabs, line breaks, spaces at the ends, characters XML escapes), same style ids, widths, fonts,
spacing, a header row repeated on each page, one merged cell for each run of a category."""

from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

from reports.district.word import _document, _heading, _table

HEADERS = ["类别", "项目", "数量"]
ROWS = [
    ("安装意愿较难统一", "尚未达到表决要求的单元", 5),
    ("安装意愿较难统一", " 少数未同意\t的单元 ", 3),
    ("安装意愿较难统一", "观望的单元\n第二行\r\n第三行", ""),
    ("资金", "A & B <c>", 0),
    ("技术", "空间不足", 2),
    ("技术", "管线", 1),
]
WIDTHS = (4.3, 9.3, 2.2)


def python_docx_table(document, headers, rows, widths, *, merge_first=False):
    """The table as python-docx's API writes it, cell by cell (the report's writer until it was sped up)."""
    t = document.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.autofit = False
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        cell.paragraphs[0].runs[0].bold = True
    flag = t.rows[0]._tr.get_or_add_trPr().makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    t.rows[0]._tr.get_or_add_trPr().append(flag)
    for values in rows:
        for cell, text in zip(t.add_row().cells, values, strict=True):
            cell.text = str(text)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Cm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = None
                p.paragraph_format.line_spacing = 1.0
                for r in p.runs:
                    r.font.size = Pt(10.5)
    if merge_first:
        start = 1
        for index in range(2, len(t.rows) + 1):
            if index == len(t.rows) or rows[index - 1][0] != rows[start - 1][0]:
                if index - 1 > start:
                    merged = t.cell(start, 0).merge(t.cell(index - 1, 0))
                    merged.text = str(rows[start - 1][0])
                    for r in merged.paragraphs[0].runs:
                        r.font.size = Pt(10.5)
                start = index


def body_xml(document) -> bytes:
    return etree.tostring(document.element.body, method="c14n")


def test_the_tables_are_the_ones_python_docx_writes_cell_by_cell():
    fast, styles = _document()
    slow, _styles = _document()
    for merge_first in (True, False):
        _table(fast, styles, HEADERS, ROWS, WIDTHS, merge_first=merge_first)
        python_docx_table(slow, HEADERS, ROWS, WIDTHS, merge_first=merge_first)
    _table(fast, styles, ["#"], [], (1.2,))
    python_docx_table(slow, ["#"], [], (1.2,))
    assert body_xml(fast) == body_xml(slow)
    assert fast.tables[0].style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in fast.tables[1].rows][1:4] == [
        ["安装意愿较难统一", "尚未达到表决要求的单元", "5"],
        ["安装意愿较难统一", " 少数未同意\t的单元 ", "3"],
        ["安装意愿较难统一", "观望的单元\n第二行\n\n第三行", ""],
    ]


def test_headings_are_the_ones_python_docx_writes():
    fast, styles = _document()
    slow, _styles = _document()
    for text, level in (("一、基本情况", 1), ("指标：12", 2), ("", 2)):
        _heading(fast, styles, text, level)
        slow.add_heading(text, level=level)
    assert body_xml(fast) == body_xml(slow)
    assert [p.style.name for p in fast.paragraphs] == ["Heading 1", "Heading 2", "Heading 2"]
