"""The report to the district as an editable Word document: A4, Chinese fonts, and an appendix that
lists the rows behind every figure the text cites."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from retrofit import words

from .district import DistrictLevelReport
from .report import DistrictReport, Paragraph, Ref, date_text

BODY_FONT, HEADING_FONT, TABLE_FONT = "仿宋", "黑体", "宋体"
TABLE_STYLE, TABLE_FONT_SIZE = "Table Grid", Pt(10.5)


def _east_asian(style_or_run, name: str) -> None:
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


BASIC_WIDTHS = (8.8, 3.5, 3.5)  # the basic table's columns (cm): figure, by the end date, in the period
APPENDIX_MAX_ROWS = 300  # a figure with more rows lists the first ones and links to the full list


@dataclass(frozen=True)
class _Styles:
    """The ids of the styles the report names, looked up once a document: python-docx looks a style up by
    name each time one is set (an XPath over styles.xml and a scan for the default style, ~4 ms a time)."""

    table: str | None
    headings: dict[int, str | None]

    @classmethod
    def of(cls, document) -> _Styles:
        part = document.part
        return cls(
            table=part.get_style_id(TABLE_STYLE, WD_STYLE_TYPE.TABLE),
            headings={level: part.get_style_id(f"Heading {level}", WD_STYLE_TYPE.PARAGRAPH) for level in (1, 2)},
        )


def _document() -> tuple[Document, _Styles]:
    """An empty A4 document with the report's fonts: 仿宋 body, 黑体 headings; and its styles' ids."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    _east_asian(normal, BODY_FONT)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    for name, size in (("Heading 1", 15), ("Heading 2", 13)):
        style = document.styles[name]
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = None
        _east_asian(style, HEADING_FONT)
    return document, _Styles.of(document)


def _heading(document, styles: _Styles, text: str, level: int):
    """``document.add_heading(text, level)``, the style's id looked up once a document."""
    paragraph = document.add_paragraph(text)
    paragraph._p.style = styles.headings[level]
    return paragraph


def _opening(document, report) -> None:
    """The title, the period and the salutation."""
    title = document.add_paragraph()
    run = title.add_run(
        _("Report on adding elevators to old residential estates: %(scope)s") % {"scope": report.scope_name}
    )
    run.bold, run.font.size = True, Pt(20)
    _east_asian(run, HEADING_FONT)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = document.add_paragraph(f"{report.start.isoformat()} — {report.end.isoformat()}")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_("Dear District Head and leaders:"))


def _body(document, paragraph: Paragraph):
    p = document.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(28)
    if paragraph.lead:
        p.add_run(paragraph.lead).bold = True
    for segment in paragraph.segments:
        p.add_run(segment.text if isinstance(segment, Ref) else segment)
    return p


_BREAKS = re.compile(r"([\t\r\n])")


def _run_xml(text: str, *, bold: bool = False) -> str:
    """A table cell's run at the table's size, its text as python-docx's ``run.text = text`` writes it: a
    tab as <w:tab/>, a line break as <w:br/>, the rest in <w:t> (space kept where a piece starts or ends
    with it)."""
    content = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            content.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            content.append(f"<w:t{space}>{escape(piece)}</w:t>")
    size = round(TABLE_FONT_SIZE.pt * 2)
    return f'<w:r><w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/></w:rPr>{"".join(content)}</w:r>'


def _cell_xml(width: int, paragraph: str, merge: str = "") -> str:
    return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{merge}</w:tcPr>{paragraph}</w:tc>'


def _paragraph_xml(run: str) -> str:
    """A cell's paragraph: single line spacing, no first-line indent (the body's indent is not the table's)."""
    return f'<w:p><w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr>{run}</w:p>'


def _merged_runs(rows, merge_first: bool) -> dict[int, int]:
    """The rows (indexes into ``rows``) that start a run of two or more equal first cells, each with the
    length of its run; empty unless ``merge_first``."""
    runs = {}
    if merge_first:
        start = 0
        for index in range(1, len(rows) + 1):
            if index == len(rows) or rows[index][0] != rows[start][0]:
                if index - start > 1:
                    runs[start] = index - start
                start = index
    return runs


def _table(document, styles: _Styles, headers, rows, widths, *, merge_first=False) -> None:
    """A grid table at the end of the document: bold headers repeated on each page, fixed column widths
    (on the grid, which LibreOffice and WPS follow, and on each cell), 10.5 pt text in single spacing;
    with ``merge_first``, one merged first cell for each run of rows in the same category.

    Written as one piece of XML: python-docx's cell by cell API looks the style up by name and inserts
    each child on its own, some 25 ms a table. The document is the same as that API made it (the merged
    cell's paragraph keeps no spacing of its own, as python-docx's ``merge`` and ``cell.text`` left it).
    """
    twips = [Cm(width).twips for width in widths]
    merged = _merged_runs(rows, merge_first)
    parts = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>",
        f"<w:tblStyle w:val={quoteattr(styles.table)}/>" if styles.table else "",
        '<w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0"'
        ' w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in twips),
        '</w:tblGrid><w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>',
        *(
            _cell_xml(width, _paragraph_xml(_run_xml(str(text), bold=True)))
            for width, text in zip(twips, headers, strict=True)
        ),
        "</w:tr>",
    ]
    left = 0  # rows still under the merged cell above
    for index, values in enumerate(rows):
        parts.append("<w:tr>")
        for column, (width, text) in enumerate(zip(twips, values, strict=True)):
            if column == 0 and index in merged:
                left = merged[index] - 1
                top = f"<w:p>{_run_xml(str(text))}</w:p>"
                parts.append(_cell_xml(width, top, '<w:vMerge w:val="restart"/>'))
            elif column == 0 and left:
                left -= 1
                parts.append(_cell_xml(width, "<w:p/>", "<w:vMerge/>"))
            else:
                parts.append(_cell_xml(width, _paragraph_xml(_run_xml(str(text)))))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    document.element.body._insert_tbl(parse_xml("".join(parts)))  # as python-docx's add_table inserts one


def _basic_headers(report) -> list[str]:
    return [_("Figure"), _("By %(end)s") % {"end": report.end.isoformat()}, _("In the period")]


def _sign_off(document, report) -> None:
    sign = document.add_paragraph(report.scope_name)
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    day = document.add_paragraph(report.today.isoformat())
    day.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def write_district_docx(report: DistrictReport, output, *, base_url: str = "") -> None:
    """The report as an editable .docx: A4, Chinese fonts, an appendix listing each figure's rows.

    ``base_url`` (e.g. "https://host") makes the links to the full lists absolute.
    """
    document, styles = _document()
    _opening(document, report)
    _heading(document, styles, _("1. Basic situation"), 1)
    for paragraph in report.basic:
        _body(document, paragraph)
    f = report.figures
    _table(
        document,
        styles,
        _basic_headers(report),
        [(label, f[key].text, f[period].text if period else "") for label, key, period in report.basic_table],
        BASIC_WIDTHS,
    )
    _heading(document, styles, _("2. What worked"), 1)
    for paragraph in report.worked:
        _body(document, paragraph)
    _heading(document, styles, _("3. Difficulties"), 1)
    for difficulty in report.difficulties:
        if difficulty.paragraph is not None:
            _body(document, difficulty.paragraph)
    _table(
        document,
        styles,
        [_("Category"), _("Item"), _("Count")],
        [(d.category, label, f[key].text) for d in report.difficulties for label, key in d.items],
        (4.3, 9.3, 2.2),
        merge_first=True,
    )
    _heading(document, styles, _("4. Next steps"), 1)
    for number, paragraph in enumerate(report.next_steps, start=1):
        _body(document, Paragraph(paragraph.segments, lead=f"{number}. "))
    _sign_off(document, report)

    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    _heading(document, styles, _("Appendix: what each figure counts"), 1)
    for figure in report.appendix:
        _heading(document, styles, f"{figure.label}{words.colon()}{figure.text}", 2)
        if not figure.rows:
            document.add_paragraph("—")
            continue
        rows = figure.rows[:APPENDIX_MAX_ROWS]
        _table(
            document,
            styles,
            ["#", _("Item"), _("Date"), _("Detail")],
            [(i, row.label, date_text(row.date) if row.date else "", row.detail) for i, row in enumerate(rows, start=1)],
            (1.2, 7.6, 2.8, 4.2),
        )
        if len(figure.rows) > len(rows):
            document.add_paragraph(
                _("…and %(n)s more. The full list: %(url)s")
                % {"n": len(figure.rows) - len(rows), "url": base_url + report.figure_url(figure.key)}
            )
    document.save(output)


def write_district_level_docx(report: DistrictLevelReport, output, *, on_street=None) -> None:
    """The district's report as an editable .docx in the street report's form: the basic situation of the
    district, the streets side by side, then each street's table and the district's totals.

    ``on_street(street)``, when given, is told after each street's table (a background job's progress bar).
    """
    document, styles = _document()
    _opening(document, report)
    _heading(document, styles, _("1. Basic situation"), 1)
    for paragraph in report.basic:
        _body(document, paragraph)
    _heading(document, styles, _("2. The streets side by side"), 1)
    _table(
        document,
        styles,
        [_("Street"), *report.overview_headers],
        [(s.name, *s.overview) for s in report.streets_and_totals],
        (3.4, *(12.4 / len(report.overview_headers),) * len(report.overview_headers)),
    )
    _heading(document, styles, _("3. Each street's figures"), 1)
    for street in report.streets_and_totals:
        _heading(document, styles, street.name, 2)
        rows = [(label, by_end, "" if in_period is None else in_period) for label, by_end, in_period in street.table()]
        _table(document, styles, _basic_headers(report), rows, BASIC_WIDTHS)
        if on_street is not None and street.pk is not None:
            on_street(street)
    _sign_off(document, report)
    document.save(output)
