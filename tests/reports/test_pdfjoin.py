"""Joining PDF parts as they come (reports/pdfjoin.py): every page of every part, in order, with its text,
fonts and images, in a file that pypdf and poppler read; a page's size inherited from its part's page tree
is kept; nothing of the part is copied but what its pages reach."""

import base64
import shutil
import subprocess
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject
from weasyprint import HTML

from reports.pdfjoin import PdfJoin

# Each part: its font and its pages' words (a page each), one with an image.
PARTS = [
    ("serif", ["第一份 甲页 alpha", "第一份 乙页 bravo", "第一份 丙页 charlie"]),
    ("monospace", ["第二份 独页 delta"]),
    ("sans-serif", ["第三份 上页 echo", "第三份 下页 foxtrot"]),
]


def _png() -> str:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _render(path, font: str, words: list[str], image: bool = False) -> None:
    pages = "".join(f'<section style="break-after: page">{text}</section>' for text in words)
    picture = f'<img src="{_png()}" style="width: 2cm">' if image else ""
    HTML(string=f'<html><body style="font-family: {font}">{picture}{pages}</body></html>').write_pdf(path)


@pytest.fixture
def parts(tmp_path):
    paths = []
    for number, (font, words) in enumerate(PARTS):
        path = tmp_path / f"part{number}.pdf"
        _render(path, font, words, image=number == 1)
        paths.append(path)
    return paths


def _join(paths, whole):
    with whole.open("wb") as handle:
        joined = PdfJoin(handle)
        for path in paths:
            joined.add(path)
        joined.close()
    return whole


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_page_of_every_part_in_order_with_its_text(parts, tmp_path):
    reader = PdfReader(_join(parts, tmp_path / "whole.pdf"), strict=True)
    expected = [text for _font, words in PARTS for text in words]
    assert len(reader.pages) == len(expected) == 6
    assert [_words(page.extract_text()) for page in reader.pages] == expected


def _embedded(font) -> bool:
    descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0]["/FontDescriptor"]
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_the_parts_fonts_and_images_come_along(parts, tmp_path):
    reader = PdfReader(_join(parts, tmp_path / "whole.pdf"), strict=True)
    fonts = [page["/Resources"]["/Font"].values() for page in reader.pages]
    assert all(_embedded(font) for page_fonts in fonts for font in page_fonts)
    subsets = [frozenset(font["/BaseFont"] for font in page_fonts) for page_fonts in fonts]
    assert subsets[0] == subsets[1] == subsets[2] and subsets[4] == subsets[5]  # a part's pages share its fonts
    assert len(set(subsets)) == 3  # serif, monospace, sans-serif: each part's own
    assert [len(page.images) for page in reader.pages] == [0, 0, 0, 1, 0, 0]
    assert reader.pages[3].images[0].image.size == (8, 8)


def test_every_object_of_the_table_is_there_and_every_page_points_to_the_one_page_tree(parts, tmp_path):
    reader = PdfReader(_join(parts + parts, tmp_path / "whole.pdf"), strict=True)
    tree = reader.trailer["/Root"]["/Pages"]
    assert tree["/Count"] == len(tree["/Kids"]) == len(reader.pages) == 12
    assert {page.raw_get("/Parent").idnum for page in reader.pages} == {tree.indirect_reference.idnum}
    # The parts' catalogs, page trees and outlines are not copied: only the two written at the end.
    objects = [reader.get_object(number) for number in range(1, reader.trailer["/Size"])]
    kinds = [obj.get("/Type") for obj in objects if isinstance(obj, DictionaryObject)]
    assert sorted(kind for kind in kinds if kind in ("/Catalog", "/Pages", "/Outlines")) == ["/Catalog", "/Pages"]


def test_a_page_keeps_the_size_it_inherits_from_its_part_s_page_tree(parts, tmp_path):
    writer = PdfWriter()
    page = writer.add_blank_page(200, 300)
    writer.root_object["/Pages"][NameObject("/MediaBox")] = page.pop("/MediaBox")
    inherited = tmp_path / "inherited.pdf"
    writer.write(inherited)
    reader = PdfReader(_join([parts[1], inherited], tmp_path / "whole.pdf"), strict=True)
    assert [float(side) for side in reader.pages[1].mediabox] == [0, 0, 200, 300]
    assert _words(reader.pages[0].extract_text()) == "第二份 独页 delta"


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler's pdfinfo is not installed")
def test_poppler_reads_the_whole_without_error(parts, tmp_path):
    whole = _join(parts, tmp_path / "whole.pdf")
    info = subprocess.run(["pdfinfo", whole], capture_output=True, text=True, check=True)
    assert info.stderr == "" and "Pages:           6" in info.stdout
    text = subprocess.run(["pdftotext", whole, "-"], capture_output=True, text=True, check=True)
    assert text.stderr == "" and text.stdout.count("\f") == 6 and "foxtrot" in text.stdout
