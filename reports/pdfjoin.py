"""Joining PDF files into one while keeping the memory flat, however many parts there are.

pypdf's ``PdfWriter`` (and pikepdf) keep every copied page in memory until the whole is written: about
0.16 MB a unit of status sheets, over 1 GB for a district's 7,000 units. ``PdfJoin`` writes each part's
objects to the output file as soon as the part is read, renumbered after the objects already written,
and keeps only what the end of the file needs: the offset of each object (for the cross-reference table)
and the number of each page (for the page tree). Each part is read with pypdf and let go before the next.

Only the pages are carried over, with everything they reach (contents, resources, fonts, images,
annotations); a part's outline, named destinations, forms and document information are not, as with
``PdfWriter.append(..., import_outline=False)``.
"""

from __future__ import annotations

from array import array
from collections import deque
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NullObject, PdfObject

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"  # the binary comment tells transfer tools the file is binary
PAGES = 1  # the page tree's root, written at the end
CATALOG = 2


class PdfJoin:
    """Writes to ``out`` (a binary file open for writing, at its start) the pages of every part ``add``-ed,
    in order; ``close`` writes the page tree, the catalog, the cross-reference table and the trailer."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets = array("Q", [0, 0])  # offsets[n - 1]: where object n starts; the two at the end first
        self.pages = array("Q")  # the output's page objects, in order
        out.write(HEADER)

    def add(self, path: Path) -> None:
        """Copies the part's pages and all they reach to the output, renumbered; nothing of the part is kept
        afterwards but its pages' numbers."""
        copy = _PartCopy(self, PdfReader(path))
        pages = copy.reader.pages  # each with what it inherits from its page tree, which is not copied
        numbers = [copy.page_number(page.indirect_reference) for page in pages]
        for number, page in zip(numbers, pages, strict=True):
            page.pop("/Parent", None)
            page = copy.renumber(page)
            page[NameObject("/Parent")] = IndirectObject(PAGES, 0, None)
            self.write(number, page)
            self.pages.append(number)
        copy.write_reached()

    def close(self) -> None:
        """Ends the file: the page tree (one node holding every page), the catalog, the xref table and the
        trailer. The caller closes ``out``."""
        self._write_pages()
        self._start_object(CATALOG)
        self.out.write(b"<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % PAGES)
        xref = self.out.tell()
        self.out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.offsets) + 1))
        for offset in self.offsets:
            self.out.write(b"%010d 00000 n \n" % offset)
        self.out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(self.offsets) + 1, CATALOG))
        self.out.write(b"startxref\n%d\n%%%%EOF\n" % xref)

    def new_number(self) -> int:
        """The next free object number of the output; its offset is filled in when it is written."""
        self.offsets.append(0)
        return len(self.offsets)

    def write(self, number: int, obj: PdfObject) -> None:
        """Writes an object whose references are already the output's."""
        self._start_object(number)
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def _start_object(self, number: int) -> None:
        self.offsets[number - 1] = self.out.tell()
        self.out.write(b"%d 0 obj\n" % number)

    def _write_pages(self) -> None:
        """The page tree's root, its /Kids written a line at a time rather than built as one object."""
        self._start_object(PAGES)
        self.out.write(b"<< /Type /Pages /Count %d /Kids [\n" % len(self.pages))
        for number in self.pages:
            self.out.write(b"%d 0 R\n" % number)
        self.out.write(b"] >>\nendobj\n")


class _PartCopy:
    """One part's objects on their way to the output: the numbers given to the part's objects met so far,
    and those still to be written (a page reaches its resources, which reach fonts, and so on)."""

    def __init__(self, join: PdfJoin, reader: PdfReader) -> None:
        self.join = join
        self.reader = reader
        self.numbers: dict[tuple[int, int], int] = self._tree_numbers()
        self.waiting: deque[IndirectObject] = deque()

    def _tree_numbers(self) -> dict[tuple[int, int], int]:
        """The part's catalog and page tree stand for the output's: an annotation pointing at them is kept
        valid, and they are not copied."""
        root = self.reader.trailer.raw_get("/Root")
        numbers = {(root.idnum, root.generation): CATALOG}
        tree = self.reader.root_object.raw_get("/Pages")
        if isinstance(tree, IndirectObject):
            numbers[(tree.idnum, tree.generation)] = PAGES
        return numbers

    def page_number(self, reference: IndirectObject) -> int:
        """The output's number for one of the part's pages, written by ``PdfJoin.add``, not queued."""
        number = self.join.new_number()
        self.numbers[(reference.idnum, reference.generation)] = number
        return number

    def number_of(self, reference: IndirectObject) -> int:
        """The output's number for an object of the part, given (and the object queued) when first met."""
        key = (reference.idnum, reference.generation)
        if key not in self.numbers:
            self.numbers[key] = self.join.new_number()
            self.waiting.append(reference)
        return self.numbers[key]

    def write_reached(self) -> None:
        """Writes every object reached from what was written, until none is left."""
        while self.waiting:
            reference = self.waiting.popleft()
            found = self.reader.get_object(reference)
            number = self.numbers[(reference.idnum, reference.generation)]
            self.join.write(number, NullObject() if found is None else self.renumber(found))

    def renumber(self, obj: PdfObject) -> PdfObject:
        """The object with each of the part's references replaced by one to the output's object. Containers
        are changed in place (the reader is dropped after the part); a reference already renumbered (in a
        dictionary that pages share, their inherited /Resources) is no longer the reader's and stays."""
        if isinstance(obj, IndirectObject) and obj.pdf is self.reader:
            return IndirectObject(self.number_of(obj), 0, None)
        if isinstance(obj, DictionaryObject):
            for key, value in list(dict.items(obj)):
                dict.__setitem__(obj, key, self.renumber(value))
        elif isinstance(obj, ArrayObject):
            for index, value in enumerate(obj):
                obj[index] = self.renumber(value)
        return obj
