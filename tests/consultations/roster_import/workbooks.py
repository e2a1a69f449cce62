"""Test ledgers: rows as dicts keyed by the ledger's own column names, written to .xlsx or .xls."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook

from consultations.models import Vote, VoteChange
from consultations.roster_import import columns
from units.models import Building, Community, Estate, Household, Street, Unit

HEADER = list(columns.TEMPLATE_COLUMNS)

# A new estate in the world fixture's community (红旗街道 / 绵纺社区), so scoping tests can reuse it.
BASE = {
    columns.STREET: "红旗街道",
    columns.COMMUNITY: "绵纺社区",
    columns.ESTATE: "新华小区",
    columns.BUILDING: "3",
    columns.UNIT: "1",
    columns.FLOOR: 1,
    columns.AREA: 80.5,
    columns.PHONE: "",
    columns.OCCUPANCY: "自住",
    columns.VOTE: "同意",
    columns.REASON: "",
    columns.HARDSHIP: "否",
    columns.NOTE: "",
    columns.AGE_BAND: "",
    columns.ID_NUMBER: "",
    columns.INSTITUTION: "",
}


def row(room="101", **changes) -> dict:
    """One ledger row; keyword arguments use the ledger's column names: row("302", 楼层=3, 意愿="反对")."""
    values = {**BASE, columns.ROOM: room, columns.OWNER: f"业主{room}"}
    values.update(changes)
    return values


def flats(count, *, per_floor=2, start_floor=1, vote="同意", **changes) -> list[dict]:
    """``count`` flats 101, 102, 201, … with distinct owners (no phone, so no shared owner)."""
    rows = []
    for index in range(count):
        floor, side = divmod(index, per_floor)
        floor += start_floor
        rows.append(row(f"{floor}{side + 1:02d}", **{columns.FLOOR: floor, columns.VOTE: vote, **changes}))
    return rows


def _lines(rows, header):
    for values in rows:
        yield [values.get(name) for name in header] if isinstance(values, dict) else list(values)


def write_xlsx(path: Path, rows=(), *, header=HEADER, sheet=columns.SHEET, merge=(), other_sheets=()) -> Path:
    """Write a workbook with openpyxl. ``merge`` takes ranges such as "A2:A3"."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    if header is not None:
        worksheet.append(list(header))
    for line in _lines(rows, header or HEADER):
        worksheet.append(line)
    for cells in merge:
        worksheet.merge_cells(cells)
    for name in other_sheets:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


def write_large_xlsx(path: Path, rows, *, header=HEADER, sheet=columns.SHEET) -> Path:
    """Write a workbook with xlsxwriter, for a large ledger: strings shared as Excel writes them, in half the
    time openpyxl takes (20,000 rows: 3.7 s against 7.5 s)."""
    with xlsxwriter.Workbook(path) as workbook:
        worksheet = workbook.add_worksheet(sheet)
        for number, line in enumerate(_lines([header, *rows], header)):
            worksheet.write_row(number, 0, line)
    return path


def write_xls(path: Path, rows=(), *, header=HEADER, sheet=columns.SHEET) -> Path:
    """Write a legacy .xls workbook with xlwt (dev dependency)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet(sheet)
    for column, name in enumerate(header):
        worksheet.write(0, column, name)
    for number, line in enumerate(_lines(rows, header), start=1):
        for column, value in enumerate(line):
            if value is not None:
                worksheet.write(number, column, value)
    workbook.save(str(path))
    return path


def set_cached_values(path: Path, values: dict[str, str]) -> Path:
    """Give formula cells a saved value, as Excel does when it saves: {"H2": "75.5"}.

    openpyxl writes formulas without one; a workbook that went through Excel has both.
    """
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    for cell, value in values.items():
        xml, found = re.subn(
            rf'(<c r="{cell}"[^>]*>)(<f>.*?</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml
        )
        assert found == 1, f"no formula in {cell}"
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


MODELS = (Street, Community, Estate, Building, Unit, Household, Vote, VoteChange)


def db_state() -> dict:
    """Everything an import could touch: row counts of every model, and every household's and vote's values."""
    state = {model.__name__: model.objects.count() for model in MODELS}
    state["households"] = list(
        Household.objects.order_by("pk").values_list(
            "pk",
            "unit_id",
            "room",
            "floor",
            "area",
            "owner_name",
            "phone",
            "occupancy",
            "hardship",
            "age_band",
            "note",
        )
    )
    state["votes"] = list(Vote.objects.order_by("pk").values_list("pk", "value", "reason", "version"))
    state["buildings"] = list(Building.objects.order_by("pk").values_list("pk", "floors"))
    return state
