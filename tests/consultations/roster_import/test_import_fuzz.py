"""Generated broken ledgers (hypothesis) and 10 MB of junk: each ends in a clear error and an unchanged database.

test_imports.py holds the hand-made cases, one per kind of mistake. Here hypothesis writes workbooks
nobody thought of: any cell of any column holding text, numbers, dates, numbers formatted as dates,
booleans, formulas without a saved value or nothing; columns shuffled, left out or doubled; merged
cells; empty sheets. Whatever comes in, the import either succeeds or raises ImportFailed with
messages that name a row (or the file), and a failed import writes nothing. One broken cell in an
otherwise good ledger always fails the whole ledger, naming that row.
"""

from __future__ import annotations

import datetime
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from consultations.roster_import import ImportFailed, columns, import_roster

from .workbooks import BASE, HEADER, db_state

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_AS_NUMBER = "date-as-number"  # a number shown as a date: calamine reads it back as a date

def refused_rows(path) -> list[int | None]:
    """The rows named when the import refuses the file (None: the file as a whole); nothing is written."""
    before = db_state()
    with pytest.raises(ImportFailed) as failed:
        import_roster(path)
    assert db_state() == before
    return [e.row for e in failed.value.errors]


cell_values = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=30),  # what a cell can hold
    st.sampled_from(["同意", "反对", "自住", "出租", "是", "否", "3层", "80.5㎡", "  ", "#N/A", "—"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
    st.dates(min_value=datetime.date(1900, 3, 1)).map(lambda day: datetime.datetime.combine(day, datetime.time(9, 30))),
    st.sampled_from(["=1+1", "=SUM(A1:A3)", '=VLOOKUP(B2,Sheet2!A:B,2,FALSE)', "=1/0"]),
    st.tuples(st.just(DATE_AS_NUMBER), st.integers(min_value=1, max_value=60000)),
)
headers = st.one_of(
    st.permutations(HEADER),
    st.lists(st.sampled_from([*HEADER, "序号", "Unnamed", "", "楼层 "]), max_size=20),
)


def write(path: Path, header, rows, merges=()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = columns.SHEET
    if header is not None:
        sheet.append(list(header))
    for values in rows:
        sheet.append([v[1] if isinstance(v, tuple) else v for v in values])
        for column, value in enumerate(values, start=1):
            if isinstance(value, tuple):  # DATE_AS_NUMBER
                sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def import_or_clear_error(path: Path):
    """The import succeeds, or fails with ImportFailed naming a row or the file and writing nothing."""
    before = db_state()
    try:
        return import_roster(path)
    except ImportFailed as failed:
        assert failed.errors
        for error in failed.errors:
            assert error.row is None or error.row >= 1
            assert str(error).strip()
        assert db_state() == before
        return None


@FUZZ
@given(
    header=st.one_of(st.none(), headers),
    rows=st.lists(st.lists(cell_values, max_size=18), max_size=6),
    merge=st.lists(st.sampled_from(["A2:A3", "B2:C2", "D3:E4", "H2:H5", "A1:B1"]), max_size=2, unique=True),
)
def test_any_workbook_ends_in_a_report_or_a_clear_error(db, header, rows, merge):
    with tempfile.TemporaryDirectory() as folder:
        import_or_clear_error(write(Path(folder) / "fuzz.xlsx", header, rows, merge))


# Cells that no column can take, by the column's kind.
BROKEN = {
    columns.FLOOR: st.one_of(st.integers(max_value=0), st.integers(min_value=61, max_value=10**6), st.just(2.5),
                             st.just("三楼"), st.dates(), st.booleans(), st.just(""), st.tuples(st.just(DATE_AS_NUMBER), st.integers(1, 60))),
    columns.AREA: st.one_of(st.floats(max_value=0, allow_nan=False, allow_infinity=False), st.just(80.555),
                            st.just("八十平"), st.just(10**5), st.dates(), st.booleans(), st.just(None),
                            st.tuples(st.just(DATE_AS_NUMBER), st.integers(30, 200))),
    columns.VOTE: st.one_of(st.just("支持"), st.just("yes"), st.integers(min_value=1), st.dates()),
    columns.OCCUPANCY: st.one_of(st.just("租住"), st.integers(min_value=1), st.dates()),
    columns.HARDSHIP: st.one_of(st.just("不是"), st.integers(min_value=2), st.dates()),
    columns.AGE_BAND: st.one_of(st.just("老年"), st.integers(min_value=1), st.dates()),
    columns.ROOM: st.one_of(st.just(None), st.just("  "), st.just("1" * 21), st.dates()),
    columns.OWNER: st.one_of(st.just(None), st.just(""), st.just("张" * 51), st.dates()),
    columns.STREET: st.one_of(st.just(None), st.just("街" * 101), st.dates()),
    columns.NOTE: st.one_of(st.just("备" * 2001), st.dates()),
}


@FUZZ
@given(
    count=st.integers(min_value=1, max_value=6),
    data=st.data(),
)
def test_one_broken_cell_fails_the_whole_ledger_naming_its_row(db, count, data):
    rows = [{**BASE, columns.ROOM: f"{n + 1}01", columns.FLOOR: n + 1, columns.OWNER: f"业主{n}"} for n in range(count)]
    broken_row = data.draw(st.integers(min_value=0, max_value=count - 1), label="row")
    column = data.draw(st.sampled_from(sorted(BROKEN)), label="column")
    rows[broken_row][column] = data.draw(BROKEN[column], label="value")
    order = data.draw(st.permutations(HEADER), label="column order")
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / "broken.xlsx", order, [[r.get(c) for c in order] for r in rows])
        assert broken_row + 2 in refused_rows(path)


# --- 10 MB of junk --------------------------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024


def test_ten_megabytes_of_random_bytes(db, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(os.urandom(TEN_MB))
    assert refused_rows(path) == [None]


def test_a_zip_holding_ten_megabytes_of_junk_named_like_a_workbook(db, tmp_path):
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", os.urandom(TEN_MB // 2))
        archive.writestr("xl/worksheets/sheet1.xml", os.urandom(TEN_MB // 2))
    assert refused_rows(path) == [None]


def test_a_real_workbook_full_of_junk_text_is_refused_row_by_row(db, tmp_path):
    # About 10 MB of incompressible text in the ledger's own columns: every row is wrong somewhere.
    junk = os.urandom(TEN_MB // 2).hex()
    width = 2500  # longer than any column takes
    header = HEADER
    rows = [[junk[i : i + width] for i in range(start, start + width * len(header), width)] for start in range(0, len(junk) - width * len(header), width * len(header))]
    path = write(tmp_path / "junk.xlsx", header, rows)
    assert path.stat().st_size > 5 * 1024 * 1024
    assert set(refused_rows(path)) == set(range(2, len(rows) + 2))


def test_ten_megabytes_through_the_upload_page(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.users["staff"])
    before = db_state()
    at_limit = SimpleUploadedFile("台账.xlsx", os.urandom(settings.ROSTER_MAX_BYTES), content_type=XLSX)
    response = client.post(reverse("import_upload"), {"file": at_limit})
    assert response.status_code == 422 and [e.row for e in response.context["errors"]] == [None]
    over = SimpleUploadedFile("台账.xlsx", os.urandom(settings.ROSTER_MAX_BYTES + 1), content_type=XLSX)
    response = client.post(reverse("import_upload"), {"file": over})
    assert response.status_code == 422 and "file" in response.context["form"].errors
    assert db_state() == before
    assert not (tmp_path / "media" / "imports").exists() or not any((tmp_path / "media" / "imports").iterdir())
