"""Hostile ledgers (consultations/roster_import/workbook_guard.py): refused before python-calamine reads a cell, quickly, in Chinese.

Each workbook is written by hand with zipfile (or xlwt, then patched), small on disk. Calamine is
replaced by a tripwire in these tests: the old code handed these files to it, where the sparse ones
allocate hundreds of gigabytes and abort the process; now none of them may reach it.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zipfile
from io import StringIO
from pathlib import Path

import pytest
import python_calamine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from consultations.roster_import import ImportFailed, import_roster, workbook_guard

from .workbooks import db_state, flats, write_large_xlsx, write_xls, write_xlsx

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)


def xlsx(path: Path, sheet_xml: str | bytes, *, shared_strings=None, extra=(), sheet="住户台账") -> Path:
    """A minimal workbook: one sheet named ``sheet`` holding ``sheet_xml`` (the content of <sheetData> and around)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        body = sheet_xml if isinstance(sheet_xml, bytes) else sheet_xml.encode()
        if not body.startswith(b"<?xml"):
            body = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">'.encode() + body + b"</worksheet>"
        archive.writestr("xl/worksheets/sheet1.xml", body)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        for name, content in extra:
            archive.writestr(name, content)
    return path


def sparse(path):
    return xlsx(
        path,
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>街道</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )


def sparse_without_dimension(path):
    return xlsx(path, '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')


def two_million_rows(path):
    return xlsx(path, b"<sheetData>" + b"<row/>" * 2_000_000 + b"</sheetData>")


def sixty_thousand_rows(path):
    return xlsx(path, b"<sheetData>" + b"".join(b'<row r="%d"/>' % n for n in range(1, 60_001)) + b"</sheetData>")


def wide(path):
    cells = "".join(f'<c t="inlineStr"><is><t>列{n}</t></is></c>' for n in range(61))  # no r: counted on from A
    return xlsx(path, f"<sheetData><row>{cells}</row></sheetData>")


def many_shared_strings(path):
    strings = f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="4000000" uniqueCount="4000000">' + "<si><t>x</t></si>" * 10 + "</sst>"
    return xlsx(path, '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', shared_strings=strings)


def deep_shared_strings(path):
    strings = f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si>' + "<r>" * 200_000 + "</r>" * 200_000 + "</si></sst>"
    return xlsx(path, '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', shared_strings=strings)


def laughs_in_the_sheet(path):
    body = LAUGHS + f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    return xlsx(path, body.encode())


def laughs_in_shared_strings(path):
    strings = LAUGHS + f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    return xlsx(path, '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', shared_strings=strings)


def laughs_in_utf16(path):
    strings = (LAUGHS.replace('"1.0"?', '"1.0" encoding="UTF-16"?') + f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>').encode("utf-16")
    return xlsx(path, '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', shared_strings=strings)


def zip_bomb_entry(path):
    return xlsx(path, "<sheetData/>", extra=[("xl/media/image1.png", b"\0" * 50_000_000)])


def too_big_unpacked(path):
    # 120 parts of 1 MB: each small enough to pack as well as it likes, together over the 100 MB total
    block = b" " * 1024 * 1024
    return xlsx(path, "<sheetData/>", extra=[(f"docProps/custom{n}.xml", block) for n in range(120)])


def sparse_xls(path):
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("住户台账")
    sheet.write(0, 0, "街道")
    sheet.write(65535, 255, "x")
    workbook.save(str(path))
    return path


def sparse_xls_hiding_its_dimension(path):
    """The sparse .xls with its DIMENSIONS record rewritten to claim A1:B2: the cells themselves are checked."""
    sparse_xls(path)
    data = bytearray(path.read_bytes())
    record = struct.pack("<HH", 0x0200, 14)
    at = data.index(record + struct.pack("<II", 0, 65536))
    data[at + 4 : at + 16] = struct.pack("<IIHH", 0, 2, 0, 2)
    path.write_bytes(bytes(data))
    return path


HOSTILE = {
    "sparse": (sparse, ".xlsx", ["50,000", "1,048,576"]),
    "sparse-without-dimension": (sparse_without_dimension, ".xlsx", ["1,048,576"]),
    "two-million-rows": (two_million_rows, ".xlsx", []),
    "sixty-thousand-rows": (sixty_thousand_rows, ".xlsx", ["50,000"]),
    "61-columns": (wide, ".xlsx", ["60"]),
    "many-shared-strings": (many_shared_strings, ".xlsx", ["4,000,000"]),
    "deep-shared-strings": (deep_shared_strings, ".xlsx", []),
    "laughs-in-the-sheet": (laughs_in_the_sheet, ".xlsx", ["DOCTYPE"]),
    "laughs-in-shared-strings": (laughs_in_shared_strings, ".xlsx", ["DOCTYPE"]),
    "laughs-in-utf16": (laughs_in_utf16, ".xlsx", ["DOCTYPE"]),
    "zip-bomb-entry": (zip_bomb_entry, ".xlsx", ["xl/media/image1.png"]),
    "100-mb-unpacked": (too_big_unpacked, ".xlsx", ["100"]),
    "sparse-xls": (sparse_xls, ".xls", ["50,000", "65,536"]),
    "sparse-xls-hiding-its-dimension": (sparse_xls_hiding_its_dimension, ".xls", ["IV65536"]),
}


class ReachedCalamine(BaseException):
    """Not an Exception: the import's own ``except Exception`` around calamine must not swallow it."""


@pytest.fixture
def calamine_tripwire(monkeypatch):
    """Fail the test (instead of aborting the process) if a hostile file reaches calamine."""

    def tripped(*args, **kwargs):
        raise ReachedCalamine("the hostile workbook reached python-calamine")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", tripped)


@pytest.fixture
def hostile(tmp_path):
    def make(kind):
        build, suffix, words = HOSTILE[kind]
        if suffix == ".xls":
            pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls test workbook")
        path = build(tmp_path / f"{kind}{suffix}")
        assert path.stat().st_size < 2_000_000  # small on disk, whatever it claims
        return path, words

    return make


def refused_in_chinese(message: str, words) -> None:
    assert "台账" in message or "工作簿" in message, message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_import_refuses_a_hostile_workbook_before_calamine(db, hostile, calamine_tripwire, kind):
    path, words = hostile(kind)
    before = db_state()
    with translation.override("zh-hans"), pytest.raises(ImportFailed) as failed:
        import_roster(path)
    assert [error.row for error in failed.value.errors] == [None]
    refused_in_chinese(str(failed.value.errors[0]), words)
    assert db_state() == before


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_import_page_refuses_it_and_keeps_no_file(client, world, settings, tmp_path, hostile, calamine_tripwire, kind):
    settings.MEDIA_ROOT = tmp_path / "media"
    path, words = hostile(kind)
    client.force_login(world.users["staff"])
    upload = SimpleUploadedFile(f"台账{path.suffix}", path.read_bytes(), content_type=XLSX)
    response = client.post(reverse("import_upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    page = response.content.decode()
    refused_in_chinese(page, words)
    imports_dir = Path(settings.MEDIA_ROOT) / "imports"
    assert not imports_dir.exists() or not any(imports_dir.iterdir())


@pytest.mark.parametrize("kind", ["sparse", "two-million-rows", "laughs-in-the-sheet", "zip-bomb-entry", "sparse-xls"])
def test_the_command_refuses_it(db, hostile, calamine_tripwire, kind):
    path, words = hostile(kind)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), stderr=err)
    refused_in_chinese(err.getvalue(), words)


def test_the_command_exits_with_an_error_not_an_abort(tmp_path):
    """The process that used to die with SIGABRT (exit 134) now ends with the refusal on stderr."""
    path = sparse(tmp_path / "sparse.xlsx")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_roster", str(path)],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "retrofit.settings"},
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "1,048,576" in result.stderr


# --- the bounds themselves -----------------------------------------------------------------------------


def inspect(path, **limits):
    options = {"sheets": ("住户台账",), "max_rows": 50_000, "max_columns": 60, "max_uncompressed": 100 * 1024 * 1024}
    workbook_guard.inspect_workbook(path, **{**options, **limits})


def test_a_ledger_at_the_bounds_passes_and_one_more_row_or_column_does_not(tmp_path):
    rows = "".join(f'<row r="{n}"><c r="C{n}"><v>1</v></c></row>' for n in range(1, 11))
    inspect(xlsx(tmp_path / "ten.xlsx", f'<dimension ref="A1:C10"/><sheetData>{rows}</sheetData>'), max_rows=10, max_columns=3)
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(xlsx(tmp_path / "eleven.xlsx", f"<sheetData>{rows}<row/></sheetData>"), max_rows=10, max_columns=3)
    assert refused.value.message == workbook_guard.TOO_MANY_ROWS
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(xlsx(tmp_path / "wide.xlsx", f'<sheetData>{rows}<row><c r="D11"><v>1</v></c></row></sheetData>'), max_rows=11, max_columns=3)
    assert refused.value.params["cell"] == "D11"


def test_a_plain_sheet_passes_the_quick_look_and_anything_else_goes_to_the_exact_scan(tmp_path, monkeypatch):
    """The quick look passes a sheet as writers write it; a cell without its reference first, a comment or a
    cell past the bounds sends the sheet to the exact scan, which decides and words the refusal."""
    scanned = []
    exact = workbook_guard._SheetBounds
    monkeypatch.setattr(workbook_guard, "_SheetBounds", lambda *args: scanned.append(args[0]) or exact(*args))
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c><c r="C{n}" t="s"><v>0</v></c></row>' for n in range(1, 10))
    plain = f'<dimension ref="A1:C10"/><sheetData>{rows}<row r="10"><c r="C10"><v>1</v></c></row></sheetData>'
    inspect(xlsx(tmp_path / "plain.xlsx", plain), max_rows=10, max_columns=3)
    assert scanned == []
    inspect(xlsx(tmp_path / "comment.xlsx", plain.replace("</sheetData>", "<!-- a note --></sheetData>")), max_rows=10, max_columns=3)
    inspect(xlsx(tmp_path / "no-reference.xlsx", f'<sheetData>{rows}<row r="10"><c><v>1</v></c></row></sheetData>'), max_rows=10, max_columns=3)
    assert scanned == ["住户台账", "住户台账"]
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(xlsx(tmp_path / "far.xlsx", f'<sheetData>{rows}<row r="10"><c r="D10"><v>1</v></c></row></sheetData>'), max_rows=10, max_columns=3)
    assert refused.value.params["cell"] == "D10" and len(scanned) == 3
    # A prefixed cell is a cell to calamine: past the bounds, the exact scan refuses it too.
    prefixed = f'<sheetData xmlns:x="{MAIN}">{rows}<row r="10"><x:c r="D10"><v>1</v></x:c></row></sheetData>'
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(xlsx(tmp_path / "prefixed.xlsx", prefixed), max_rows=10, max_columns=3)
    assert refused.value.params["cell"] == "D10" and len(scanned) == 4


def test_the_dimension_is_read_without_reading_the_rest_of_the_sheet(tmp_path):
    """A sheet declaring too much is refused at its <dimension>: the broken XML after it is never reached."""
    path = xlsx(tmp_path / "claims.xlsx", b'<?xml version="1.0"?><worksheet><dimension ref="A1:B60001"/><sheetData><row <<<')
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(path)
    assert refused.value.message == workbook_guard.CLAIMS_ROWS
    assert refused.value.params["found"] == "60,001"


def test_other_sheets_are_not_bounded(tmp_path):
    """Only the sheets the import reads are bounded: calamine never opens the others."""
    path = xlsx(tmp_path / "other.xlsx", '<dimension ref="A1:XFD1048576"/><sheetData/>', sheet="统计")
    inspect(path)


def test_an_entry_holding_more_than_it_declares_is_refused(tmp_path):
    path = xlsx(tmp_path / "liar.xlsx", "<sheetData>" + "<row/>" * 1000 + "</sheetData>")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # the central directory names the part after its local header: set the size it declares there to 100 bytes
    name = b"xl/worksheets/sheet1.xml"
    record = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    struct.pack_into("<I", data, record + 24, 100)
    path.write_bytes(bytes(data))
    assert info.file_size > 100
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(path)
    assert refused.value.message == workbook_guard.DAMAGED


@pytest.mark.parametrize("content", [b"", b"plain text", b"PK\x03\x04 not really a zip", os.urandom(2048)])
def test_anything_else_is_not_a_workbook(tmp_path, content):
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(content)
    with pytest.raises(workbook_guard.WorkbookRefused) as refused:
        inspect(path)
    assert refused.value.message == workbook_guard.NOT_A_WORKBOOK


def test_every_refusal_is_translated():
    messages = [value for name, value in vars(workbook_guard).items() if name.isupper() and isinstance(value, str) and "%" in value or name == "NOT_A_WORKBOOK"]
    assert len(messages) >= 10
    with translation.override("zh-hans"):
        for message in messages:
            assert translation.gettext(message) != message, message


# --- normal ledgers still import -----------------------------------------------------------------------


def test_a_normal_ledger_still_imports(db, tmp_path):
    report = import_roster(write_xlsx(tmp_path / "ok.xlsx", flats(40)))
    assert report.households_created == 40


def test_a_normal_xls_ledger_still_imports(db, tmp_path):
    pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls test workbook")
    report = import_roster(write_xls(tmp_path / "ok.xls", flats(40)))
    assert report.households_created == 40


def test_a_ledger_of_20000_rows_passes_the_inspection(tmp_path):
    # How long the inspection takes is measured by `make bench` (docs/benchmarks.md), not asserted here.
    path = write_large_xlsx(tmp_path / "big.xlsx", flats(20_000, per_floor=4000))
    inspect(path)  # refuses by raising


# --- no file is left behind in MEDIA_ROOT -----------------------------------------------------------------


def waiting(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def old_upload(settings, name="0ld.xlsx", age=2 * 3600) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"PK\x03\x04")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_a_crash_during_the_preview_keeps_no_file(client, world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.users["staff"])

    def crash(*args, **kwargs):
        raise RuntimeError("the reader crashed")

    monkeypatch.setattr("consultations.roster_import.writing.import_roster", crash)
    path = write_xlsx(tmp_path / "ok.xlsx", flats(2))
    with pytest.raises(RuntimeError):
        client.post(reverse("import_upload"), {"file": SimpleUploadedFile("台账.xlsx", path.read_bytes(), content_type=XLSX)})
    assert waiting(settings) == []


def test_a_new_upload_removes_previews_older_than_an_hour(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    stale = old_upload(settings)
    recent = old_upload(settings, "recent.xlsx", age=10 * 60)
    client.force_login(world.users["staff"])
    path = write_xlsx(tmp_path / "ok.xlsx", flats(2))
    response = client.post(reverse("import_upload"), {"file": SimpleUploadedFile("台账.xlsx", path.read_bytes(), content_type=XLSX)})
    assert response.status_code == 200
    files = waiting(settings)
    assert stale not in files and recent in files and len(files) == 2  # the recent one and the new preview


def test_clean_uploads_removes_only_stale_previews(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    stale = old_upload(settings)
    recent = old_upload(settings, "recent.xlsx", age=10 * 60)
    out = StringIO()
    call_command("clean_uploads", stdout=out)
    assert waiting(settings) == [recent] and not stale.exists()
    assert "1" in out.getvalue()
    call_command("clean_uploads", "--max-age", "60", stdout=out)
    assert waiting(settings) == []
