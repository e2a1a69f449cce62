"""The report to the district as an editable Word document: A4, Chinese fonts, and an appendix that
lists the rows behind every figure the text cites."""

from __future__ import annotations

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from retrofit import words

from .district import DistrictLevelReport
from .report import DistrictReport, Paragraph, Ref, date_text

BODY_FONT, HEADING_FONT, TABLE_FONT = "仿宋", "黑体", "宋体"


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


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _document() -> Document:
    """An empty A4 document with the report's fonts: 仿宋 body, 黑体 headings."""
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
    return document


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


def _table(document, headers, rows, widths, *, merge_first=False):
    t = document.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.autofit = False
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(t.rows[0])
    for values in rows:
        for cell, text in zip(t.add_row().cells, values, strict=True):
            cell.text = str(text)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice and WPS follow
    for row in t.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = None
                p.paragraph_format.line_spacing = 1.0
                for r in p.runs:
                    r.font.size = Pt(10.5)
    if merge_first:
        # One cell per category: merge the runs of equal first cells.
        start = 1
        for index in range(2, len(t.rows) + 1):
            if index == len(t.rows) or rows[index - 1][0] != rows[start - 1][0]:
                if index - 1 > start:
                    top, bottom = t.cell(start, 0), t.cell(index - 1, 0)
                    text = rows[start - 1][0]
                    merged = top.merge(bottom)
                    merged.text = str(text)
                    for r in merged.paragraphs[0].runs:
                        r.font.size = Pt(10.5)
                start = index
    return t


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
    document = _document()
    _opening(document, report)
    document.add_heading(_("1. Basic situation"), level=1)
    for paragraph in report.basic:
        _body(document, paragraph)
    f = report.figures
    _table(
        document,
        _basic_headers(report),
        [(label, f[key].text, f[period].text if period else "") for label, key, period in report.basic_table],
        BASIC_WIDTHS,
    )
    document.add_heading(_("2. What worked"), level=1)
    for paragraph in report.worked:
        _body(document, paragraph)
    document.add_heading(_("3. Difficulties"), level=1)
    for difficulty in report.difficulties:
        if difficulty.paragraph is not None:
            _body(document, difficulty.paragraph)
    _table(
        document,
        [_("Category"), _("Item"), _("Count")],
        [(d.category, label, f[key].text) for d in report.difficulties for label, key in d.items],
        (4.3, 9.3, 2.2),
        merge_first=True,
    )
    document.add_heading(_("4. Next steps"), level=1)
    for number, paragraph in enumerate(report.next_steps, start=1):
        _body(document, Paragraph(paragraph.segments, lead=f"{number}. "))
    _sign_off(document, report)

    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(_("Appendix: what each figure counts"), level=1)
    for figure in report.appendix:
        document.add_heading(f"{figure.label}{words.colon()}{figure.text}", level=2)
        if not figure.rows:
            document.add_paragraph("—")
            continue
        rows = figure.rows[:APPENDIX_MAX_ROWS]
        _table(
            document,
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
    document = _document()
    _opening(document, report)
    document.add_heading(_("1. Basic situation"), level=1)
    for paragraph in report.basic:
        _body(document, paragraph)
    document.add_heading(_("2. The streets side by side"), level=1)
    _table(
        document,
        [_("Street"), *report.overview_headers],
        [(s.name, *s.overview) for s in report.streets_and_totals],
        (3.4, *(12.4 / len(report.overview_headers),) * len(report.overview_headers)),
    )
    document.add_heading(_("3. Each street's figures"), level=1)
    for street in report.streets_and_totals:
        document.add_heading(street.name, level=2)
        rows = [(label, by_end, "" if in_period is None else in_period) for label, by_end, in_period in street.table()]
        _table(document, _basic_headers(report), rows, BASIC_WIDTHS)
        if on_street is not None and street.pk is not None:
            on_street(street)
    _sign_off(document, report)
    document.save(output)
