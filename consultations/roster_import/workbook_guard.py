"""Inspect an uploaded workbook before any cell of it is read: refuse what would take the server down.

python-calamine allocates the whole rectangle between a sheet's first and last cell, trusts the sizes a
file declares, and keeps every shared string in memory. A 5 KB .xls with one cell in A1 and one in
IV65536 costs it a gigabyte; an .xlsx with cells in A1 and XFD1048576 hundreds of gigabytes (the process
aborts); a 2 MB .xlsx of two million empty rows holds a worker for a minute. So before calamine is
called, this module reads the file's structure itself, in bounded memory, and stops at the first bound
passed:

- .xlsx (a zip): the entries' declared sizes (total, ratio per entry), that each entry really holds
  what it declares, no DOCTYPE or ENTITY declaration in any part ("billion laughs"); for the sheets the
  import reads, the <dimension ref> (streaming the XML only up to it) and then a streaming count of
  <row> elements and the position of every cell; the number of shared strings.
- .xls (an OLE2 compound file holding BIFF records): every stream's declared size against the file, the
  shared-string count, and for the sheets the import reads their DIMENSIONS record and every cell
  record's row and column.
- anything else is not a workbook.

Plain Python, no Django: the limits are arguments. Messages are English msgids (marked with
``gettext_noop`` for makemessages) with their parameters; the caller translates them.
"""

from __future__ import annotations

import functools
import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.parsers import expat


def gettext_noop(message: str) -> str:
    return message


NOT_A_WORKBOOK = gettext_noop("The file is not an Excel workbook (.xlsx or .xls).")
DAMAGED = gettext_noop("The workbook is damaged and cannot be read safely (%(detail)s).")
TOO_BIG_FILE = gettext_noop("Ledger over the limit: at most %(limit)s MB (this file has %(size)s MB).")
TOO_BIG_UNPACKED = gettext_noop(
    "Ledger over the limit: at most %(limit)s MB once unpacked (this workbook declares %(size)s MB)."
)
ZIP_BOMB = gettext_noop(
    "Ledger refused: the part “%(part)s” unpacks to %(ratio)s times its packed size; a real ledger is far less repetitive."
)
ENTITIES = gettext_noop(
    "Ledger refused: the part “%(part)s” declares a DOCTYPE or XML entities, which Excel never writes."
)
TOO_MANY_ROWS = gettext_noop("Ledger over the limit: at most %(limit)s rows (the sheet “%(sheet)s” has %(found)s).")
CLAIMS_ROWS = gettext_noop("Ledger over the limit: at most %(limit)s rows (the sheet “%(sheet)s” declares %(found)s rows).")
CLAIMS_COLUMNS = gettext_noop(
    "Ledger over the limit: at most %(limit)s columns (the sheet “%(sheet)s” declares %(found)s columns)."
)
CELL_BEYOND = gettext_noop(
    "Ledger over the limit: at most %(rows)s rows and %(columns)s columns (the sheet “%(sheet)s” has a cell in %(cell)s)."
)
ROW_BEYOND = gettext_noop("Ledger over the limit: at most %(limit)s rows (the sheet “%(sheet)s” has row %(found)s).")
TOO_MANY_STRINGS = gettext_noop(
    "Ledger over the limit: at most %(limit)s different texts (this workbook declares %(found)s)."
)

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHUNK = 64 * 1024
MAX_ENTRIES = 2000  # parts in one .xlsx; Excel writes a few dozen
RATIO_FLOOR = 1024 * 1024  # entries smaller than this may compress as well as they like
MAX_RATIO = 100  # a 50,000-row ledger from Excel or openpyxl packs about 15:1
_DECLARATION = re.compile(
    b"|".join(
        re.escape(word.encode(encoding)) for word in ("<!doctype", "<!entity") for encoding in ("ascii", "utf-16-le", "utf-16-be")
    )
)
_OVERLAP = 20  # longest pattern above, minus one


class WorkbookRefused(Exception):
    """The workbook passes a bound or cannot be inspected; ``message % params`` says which (English msgid)."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _number(value: int) -> str:
    return f"{value:,}"


def inspect_workbook(
    path: str | Path,
    *,
    sheets: Iterable[str],
    max_rows: int,
    max_columns: int,
    max_uncompressed: int,
    max_bytes: int | None = None,
) -> None:
    """Raise WorkbookRefused unless reading ``sheets`` of the workbook at ``path`` stays within the bounds.

    ``max_rows`` and ``max_columns`` bound each inspected sheet (header row included), ``max_uncompressed``
    the bytes of an .xlsx once unpacked, ``max_bytes`` the file itself.
    """
    path = Path(path)
    limits = _Limits(max_rows, max_columns, max_uncompressed, tuple(sheets))
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        if max_bytes is not None and size > max_bytes:
            raise WorkbookRefused(TOO_BIG_FILE, limit=_number(max_bytes // 1024 // 1024), size=f"{size / 1024 / 1024:.1f}")
        fh.seek(0)
        head = fh.read(8)
        fh.seek(0)
        if head.startswith(ZIP_SIGNATURE):
            _inspect_xlsx(fh, limits)
        elif head == OLE_SIGNATURE:
            _inspect_xls(fh, size, limits)
        else:
            raise WorkbookRefused(NOT_A_WORKBOOK)


class _Limits:
    def __init__(self, rows, columns, uncompressed, sheets):
        self.rows, self.columns, self.uncompressed, self.sheets = rows, columns, uncompressed, sheets

    def cell(self, sheet: str, row: int, column: int) -> None:
        """Row and column are 1-based."""
        if row > self.rows or column > self.columns:
            raise WorkbookRefused(
                CELL_BEYOND, rows=_number(self.rows), columns=_number(self.columns), sheet=sheet, cell=_cell_name(row, column)
            )

    def dimension(self, sheet: str, rows: int, columns: int) -> None:
        if rows > self.rows:
            raise WorkbookRefused(CLAIMS_ROWS, limit=_number(self.rows), sheet=sheet, found=_number(rows))
        if columns > self.columns:
            raise WorkbookRefused(CLAIMS_COLUMNS, limit=_number(self.columns), sheet=sheet, found=_number(columns))


def _cell_name(row: int, column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


# --- .xlsx ---------------------------------------------------------------------------------------------

_REFERENCE = re.compile(r"\$?([A-Za-z]{0,3})\$?([0-9]{0,7})")


def _reference(text: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference such as "XFD1048576"; 0 where a part is missing."""
    match = _REFERENCE.fullmatch(text.strip())
    if not match:
        raise WorkbookRefused(DAMAGED, detail=f"reference {text[:20]!r}")
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2) or 0), column


@functools.lru_cache(maxsize=1024)
def _column(letters: str) -> int:
    """The 1-based column of "A", "BI", "XFD"; refused unless it is 1 to 3 letters."""
    if not (len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        raise WorkbookRefused(DAMAGED, detail=f"cell reference {letters[:20]!r}")
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _inspect_xlsx(fh, limits: _Limits) -> None:
    try:
        archive = zipfile.ZipFile(fh)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise WorkbookRefused(NOT_A_WORKBOOK) from exc
    if len(entries) > MAX_ENTRIES:
        raise WorkbookRefused(DAMAGED, detail=f"{len(entries)} parts")
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise WorkbookRefused(DAMAGED, detail="a part appears twice")
    if "xl/workbook.xml" not in names:
        raise WorkbookRefused(NOT_A_WORKBOOK)
    total = sum(entry.file_size for entry in entries)
    if total > limits.uncompressed:
        raise WorkbookRefused(
            TOO_BIG_UNPACKED, limit=_number(limits.uncompressed // 1024 // 1024), size=_number(total // 1024 // 1024)
        )
    for entry in entries:
        if entry.flag_bits & 0x1 or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRefused(DAMAGED, detail=f"{entry.filename}: encrypted or unusual compression")
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise WorkbookRefused(ZIP_BOMB, part=entry.filename, ratio=_number(entry.file_size // max(entry.compress_size, 1)))

    by_name = {entry.filename: entry for entry in entries}
    workbook_sheets = _parse_small(fh, by_name, "xl/workbook.xml", _SheetList())
    relations = _parse_small(fh, by_name, "xl/_rels/workbook.xml.rels", _Relations()) if "xl/_rels/workbook.xml.rels" in by_name else _Relations()
    targets: dict[str, str] = {}
    for name, relation in workbook_sheets.sheets:
        if name in limits.sheets and relation in relations.targets:
            target = relations.targets[relation]
            target = target[1:] if target.startswith("/") else target if target.startswith("xl/") else f"xl/{target}"
            targets.setdefault(target, name)
    # The sheets the import reads first: a hostile sheet is refused before anything else is unpacked.
    order = sorted(entries, key=lambda entry: entry.filename not in targets)
    for entry in order:
        if entry.filename in targets:
            if _plainly_within_bounds(fh, entry, limits):
                continue
            handler = _SheetBounds(targets[entry.filename], limits)
        elif entry.filename == "xl/sharedStrings.xml":
            handler = _SharedStrings(limits)
        else:
            handler = None
        _scan_entry(fh, entry, handler)


def _entry_chunks(fh, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes, unpacked chunk by chunk, refusing an entry that holds more (or less) than it declares."""
    fh.seek(entry.header_offset)
    header = fh.read(30)
    if len(header) != 30 or not header.startswith(ZIP_SIGNATURE):
        raise WorkbookRefused(DAMAGED, detail=f"{entry.filename}: no local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fh.seek(entry.header_offset + 30 + name_length + extra_length)
    packed_left = entry.compress_size
    produced = 0
    if entry.compress_type == zipfile.ZIP_STORED:
        decompressor = None
    else:
        decompressor = zlib.decompressobj(-15)
    while True:
        if decompressor is not None and decompressor.unconsumed_tail:
            data = decompressor.unconsumed_tail
        elif packed_left > 0:
            data = fh.read(min(CHUNK, packed_left))
            if not data:
                break
            packed_left -= len(data)
        else:
            break
        try:
            out = data if decompressor is None else decompressor.decompress(data, CHUNK)
        except zlib.error as exc:
            raise WorkbookRefused(DAMAGED, detail=f"{entry.filename}: {exc}") from exc
        produced += len(out)
        if produced > entry.file_size:
            raise WorkbookRefused(DAMAGED, detail=f"{entry.filename} holds more than it declares")
        if out:
            yield out
        if decompressor is not None and decompressor.eof:
            break
    if produced != entry.file_size:
        raise WorkbookRefused(DAMAGED, detail=f"{entry.filename} is shorter than it declares")


def _scan_entry(fh, entry: zipfile.ZipInfo, handler) -> None:
    """Unpack one entry in bounded memory: look for DOCTYPE/ENTITY, and feed the XML to ``handler`` if any."""
    parser = handler.parser(entry.filename) if handler is not None else None
    tail = b""
    for chunk in _entry_chunks(fh, entry):
        window = tail + chunk
        if (b"<!" in window or b"<\0!" in window) and _DECLARATION.search(window.lower()):
            raise WorkbookRefused(ENTITIES, part=entry.filename)
        tail = window[-_OVERLAP:]
        if parser is not None:
            _feed(parser, chunk, entry.filename)
    if parser is not None:
        _feed(parser, b"", entry.filename, final=True)


def _feed(parser, data: bytes, part: str, *, final: bool = False) -> None:
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        raise WorkbookRefused(DAMAGED, detail=f"{part}: {exc}") from exc


def _parse_small(fh, by_name: dict, name: str, handler):
    if name in by_name:
        _scan_entry(fh, by_name[name], handler)
    return handler


@functools.lru_cache(maxsize=8)
def _unusual(rows: int, columns: int) -> re.Pattern:
    """What a sheet plainly within the bounds never holds, as Excel, WPS and openpyxl write it: a cell
    (``<c``) or row whose first attribute is not a reference plainly inside the bounds (letters of a column
    below ``columns``, a row number below ``rows``), a <dimension>, or a declaration, comment or CDATA
    (``<!``). One branch a tag after the "<", each ending on its own: a tag of the ledger's body
    (<is>, <t>, </c> …) fails at its first letter. Prefixed elements are _PREFIXED's."""
    digits = str(rows)
    small = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    if digits[0] > "1":
        small.append(f"[1-{int(digits[0]) - 1}][0-9]{{{len(digits) - 1}}}")
    number = "|".join(small) or "(?!)"
    letters = 0  # the most letters every column of that many letters is within the bounds
    while 26 ** (letters + 1) <= columns and letters < 3:
        letters += 1
    column = f"[A-Z]{{1,{letters}}}" if letters else "(?!)"
    return re.compile(
        f'<(?:c(?! r="{column}(?:{number})")[\\s/>]|row(?! r="(?:{number})")[\\s/>]|dimension[\\s/>]|!)'.encode()
    )


# A prefixed c, row or dimension element (<x:c …>) is read as the plain one by calamine: a sheet holding
# one goes to the exact scan. Looked for from the colon, so text such as "备注:c " sends it there too.
_PREFIXED = re.compile(rb":(?:c|row|dimension)[\s/>]")


_PLAIN_TAG = re.compile(rb'<(?:(c|row) r="([A-Z]*)([0-9]*)"|dimension ref="([A-Z0-9:]*)")')


def _plainly_within_bounds(fh, entry: zipfile.ZipInfo, limits: _Limits) -> bool:
    """A quick look at a sheet in UTF-8 as writers write it: True when it is plainly within the bounds.

    False when the look cannot tell (another encoding, a cell without its reference first, a comment …)
    or a bound is passed: the exact scan (``_SheetBounds``) then decides and words the refusal. The
    ordinary tags (every cell of a ledger) are looked at by two regexes only, each unusual one here in
    Python: a tenth of what the exact scan, which calls Python for every element, costs.
    """
    unusual = _unusual(limits.rows, limits.columns)
    rows, carry, first = 0, b"", True
    for chunk in itertools.chain(_entry_chunks(fh, entry), (b"",)):
        window = carry + chunk
        if first and not _plain_utf8(window):
            return False
        first = False
        # A tag is never cut in two: what follows the last "<" waits for the next chunk.
        cut = window.rfind(b"<") if chunk else len(window)
        if cut < 0 or len(window) - cut > CHUNK:
            return False
        part, carry = window[:cut], window[cut:]
        if _PREFIXED.search(part):
            return False
        if not all(_plain_tag_within(part, match.start(), limits) for match in unusual.finditer(part)):
            return False
        rows += part.count(b"<row")  # <rowBreaks counted too: one row too many only means the exact scan
        if rows > limits.rows:
            return False
    return True


def _plain_utf8(head: bytes) -> bool:
    """The part starts with an ASCII tag or an XML declaration naming UTF-8 or no encoding (not UTF-16)."""
    if not head.startswith(b"<?xml "):
        return head[1:2].isalpha() and head.startswith(b"<")
    declared = re.search(rb"""encoding\s*=\s*["']([^"']*)""", head[: head.find(b"?>") + 2])
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def _plain_tag_within(part: bytes, start: int, limits: _Limits) -> bool:
    """An unusual tag at ``start`` that is still plain (its reference first, letters then digits) and
    within the bounds: a cell or row numbered at or past the regex's plain range, a <dimension>."""
    tag = _PLAIN_TAG.match(part, start)
    if tag is None:
        return False
    kind, letters, number, dimension = tag.groups()
    if dimension is not None:
        last = dimension.decode().rpartition(":")[2]
        try:
            rows, columns = _reference(last) if last else (0, 0)
        except WorkbookRefused:
            return False
        return rows <= limits.rows and columns <= limits.columns
    if not number or int(number) > limits.rows:
        return False
    if kind == b"row":
        return not letters
    return 0 < len(letters) <= 3 and _column(letters.decode()) <= limits.columns


class _Handler:
    """An expat parser that refuses any DOCTYPE or entity declaration, whatever its encoding."""

    def parser(self, part: str):
        parser = expat.ParserCreate()
        self.part = part

        def refuse(*args):
            raise WorkbookRefused(ENTITIES, part=part)

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        parser.StartElementHandler = self.start
        return parser

    def start(self, name, attributes):
        pass


class _SheetList(_Handler):
    """xl/workbook.xml: (sheet name, relationship id) in order."""

    def __init__(self):
        self.sheets: list[tuple[str, str]] = []

    def start(self, name, attributes):
        if _local(name) == "sheet":
            relation = next((value for key, value in attributes.items() if _local(key) == "id"), "")
            self.sheets.append((attributes.get("name", ""), relation))


class _Relations(_Handler):
    def __init__(self):
        self.targets: dict[str, str] = {}

    def start(self, name, attributes):
        if _local(name) == "Relationship":
            self.targets[attributes.get("Id", "")] = attributes.get("Target", "")


class _SheetBounds(_Handler):
    """A worksheet: its declared dimension, then every row and cell, refused at the first one past the bounds."""

    def __init__(self, sheet: str, limits: _Limits):
        self.sheet, self.limits = sheet, limits
        self.rows = 0  # <row> elements seen
        self.row = 0  # the current row's number (calamine counts on from the last one when r is missing)
        self.column = 0

    def parser(self, part):
        parser = super().parser(part)
        parser.ordered_attributes = True  # [name, value, name, value, …]: cheaper than a dict per cell
        return parser

    def start(self, name, attributes):
        # The hot path: called for every element of the sheet, so plain names are tried before prefixed ones.
        local = name if ":" not in name else _local(name)
        if local == "c":
            reference = _attribute(attributes, "r")
            if reference:
                letters = reference.rstrip("0123456789")
                digits = reference[len(letters) :]
                self.column = _column(letters) if letters else self.column + 1
                row = int(digits) if digits else self.row
            else:
                row, self.column = self.row, self.column + 1
            if row > self.limits.rows or self.column > self.limits.columns:
                self.limits.cell(self.sheet, max(row, 1), self.column)
        elif local == "row":
            self.rows += 1
            if self.rows > self.limits.rows:
                raise WorkbookRefused(
                    TOO_MANY_ROWS,
                    limit=_number(self.limits.rows),
                    sheet=self.sheet,
                    found=_number(self.rows) + "+",
                )
            number = _attribute(attributes, "r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            self.column = 0
            if self.row > self.limits.rows:
                raise WorkbookRefused(ROW_BEYOND, limit=_number(self.limits.rows), sheet=self.sheet, found=_number(self.row))
        elif local == "dimension":
            last = (_attribute(attributes, "ref") or "").rpartition(":")[2]
            if last:
                rows, columns = _reference(last)
                self.limits.dimension(self.sheet, rows, columns)


def _attribute(attributes: list, name: str) -> str | None:
    """An attribute from expat's ordered list [name, value, …]."""
    for index in range(0, len(attributes), 2):
        if attributes[index] == name:
            return attributes[index + 1]
    return None


class _SharedStrings(_Handler):
    """xl/sharedStrings.xml: no more texts than the cells of a sheet at the bounds could use."""

    def __init__(self, limits: _Limits):
        self.limit = limits.rows * limits.columns
        self.count = 0

    def start(self, name, attributes):
        local = _local(name)
        if local == "sst":
            declared = attributes.get("uniqueCount", "")
            if declared.isdigit() and int(declared) > self.limit:
                raise WorkbookRefused(TOO_MANY_STRINGS, limit=_number(self.limit), found=_number(int(declared)))
        elif local == "si":
            self.count += 1
            if self.count > self.limit:
                raise WorkbookRefused(TOO_MANY_STRINGS, limit=_number(self.limit), found=_number(self.count) + "+")


# --- .xls ----------------------------------------------------------------------------------------------

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_EOF, _BOUNDSHEET, _SST, _DIMENSIONS = 0x000A, 0x0085, 0x00FC, 0x0200
_CELL_RECORDS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6, 0x0406, 0x0002, 0x0003, 0x0004, 0x0005}
_MULTI_CELL_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column


def _inspect_xls(fh, size: int, limits: _Limits) -> None:
    stream = _CompoundFile(fh, size).workbook_stream()
    records = list(_records(stream))
    sheet_at: dict[int, str] = {}
    for _offset, kind, data in records:
        if kind == _BOUNDSHEET and len(data) >= 8:
            sheet_at[struct.unpack_from("<I", data)[0]] = _sheet_name(data[6:])
        elif kind == _SST and len(data) >= 8:
            declared = struct.unpack_from("<I", data, 4)[0]
            limit = limits.rows * limits.columns
            if declared > limit:
                raise WorkbookRefused(TOO_MANY_STRINGS, limit=_number(limit), found=_number(declared))
        elif kind == _EOF:
            break  # the workbook globals end here; the sheets follow
    index = {offset: position for position, (offset, _kind, _data) in enumerate(records)}
    for offset, name in sheet_at.items():
        if name not in limits.sheets:
            continue
        if offset not in index:
            raise WorkbookRefused(DAMAGED, detail=f"sheet {name} not found")
        for _offset, kind, data in records[index[offset] + 1 :]:
            if kind == _EOF:
                break
            if kind == _DIMENSIONS and len(data) >= 12:
                # BIFF8: first row, last row + 1 (32 bits each), first column, last column + 1
                _first, rows, _first_column, columns = struct.unpack_from("<IIHH", data)
                limits.dimension(name, rows, columns)
            elif kind in _CELL_RECORDS and len(data) >= 4:
                row, column = struct.unpack_from("<HH", data)
                limits.cell(name, row + 1, column + 1)
            elif kind in _MULTI_CELL_RECORDS and len(data) >= 6:
                row, _first_column = struct.unpack_from("<HH", data)
                (last_column,) = struct.unpack_from("<H", data, len(data) - 2)
                limits.cell(name, row + 1, last_column + 1)


def _sheet_name(data: bytes) -> str:
    """A BOUNDSHEET name: a ShortXLUnicodeString (count, flags, then Latin-1 or UTF-16 characters)."""
    if len(data) < 2:
        return ""
    count, flags = data[0], data[1]
    if flags & 0x1:
        return data[2 : 2 + 2 * count].decode("utf-16-le", "replace")
    return data[2 : 2 + count].decode("latin-1")


def _records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        yield position, kind, stream[position + 4 : position + 4 + length]
        position += 4 + length


class _CompoundFile:
    """Just enough of an OLE2 compound file to find the BIFF stream, checking every size it declares."""

    def __init__(self, fh, size: int):
        self.fh, self.size = fh, size
        header = self._read(0, 512)
        sector_shift, mini_shift = struct.unpack_from("<HH", header, 30)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise WorkbookRefused(DAMAGED, detail="compound file header")
        self.sector = 1 << sector_shift
        (fat_sectors, self.first_directory, _transactions, self.cutoff, first_mini_fat, _mini_fat_sectors, first_difat, difat_sectors) = (
            struct.unpack_from("<IIIIIIII", header, 44)
        )
        self.sectors = max((size - 512) // self.sector, 0)
        if fat_sectors > self.sectors or difat_sectors > self.sectors:
            raise WorkbookRefused(DAMAGED, detail="compound file header")
        difat = list(struct.unpack_from("<109I", header, 76))
        sector = first_difat
        for _ in range(difat_sectors):
            if sector >= self.sectors:
                break
            entries = struct.unpack(f"<{self.sector // 4}I", self._sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        fat_bytes = b"".join(self._sector(s) for s in difat[:fat_sectors] if s < self.sectors)
        self.fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes)
        self.directory = self._chain(self.first_directory, self.fat, self._sector)
        self.mini_fat_start = first_mini_fat

    def _read(self, offset: int, length: int) -> bytes:
        self.fh.seek(offset)
        data = self.fh.read(length)
        if len(data) != length:
            raise WorkbookRefused(DAMAGED, detail="compound file cut short")
        return data

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise WorkbookRefused(DAMAGED, detail="sector beyond the file")
        return self._read(512 + number * self.sector, self.sector)

    def _chain(self, start: int, fat, read) -> bytes:
        parts, seen, sector = [], set(), start
        while sector not in (_END_OF_CHAIN, _FREE):
            if sector in seen or sector >= len(fat):
                raise WorkbookRefused(DAMAGED, detail="broken sector chain")
            seen.add(sector)
            parts.append(read(sector))
            sector = fat[sector]
        return b"".join(parts)

    def workbook_stream(self) -> bytes:
        entries = {}
        for offset in range(0, len(self.directory) - 127, 128):
            entry = self.directory[offset : offset + 128]
            name_length, kind = struct.unpack_from("<HB", entry, 64)
            start, stream_size = struct.unpack_from("<IQ", entry, 116)
            if kind == 0:
                continue
            if kind in (2, 5) and stream_size > self.size:
                # calamine reserves what a stream declares: no stream is bigger than the file holding it
                raise WorkbookRefused(DAMAGED, detail="a stream declares more than the file holds")
            name = entry[: max(name_length - 2, 0)].decode("utf-16-le", "replace")
            entries.setdefault(name, (kind, start, stream_size))
        if "Root Entry" not in entries:
            raise WorkbookRefused(DAMAGED, detail="no root entry")
        found = entries.get("Workbook") or entries.get("Book")
        if not found:
            raise WorkbookRefused(NOT_A_WORKBOOK)
        _kind, start, stream_size = found
        if stream_size < self.cutoff:
            _root_kind, root_start, _root_size = entries["Root Entry"]
            mini_stream = self._chain(root_start, self.fat, self._sector)
            mini_fat_bytes = self._chain(self.mini_fat_start, self.fat, self._sector)
            mini_fat = struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes)

            def mini(number):
                return mini_stream[number * 64 : number * 64 + 64]

            data = self._chain(start, mini_fat, mini)
        else:
            data = self._chain(start, self.fat, self._sector)
        return data[:stream_size]
