"""The Simplified Chinese interface text (locale/zh_Hans) is complete, compiled and shown.

Added or changed a user-facing string? Run `make messages` (collects the new English strings into
locale/zh_Hans/LC_MESSAGES/django.po and compiles django.mo), translate the new empty entries in the
.po with the words it already uses (楼盘表, 还需同意业主数, 条件成熟…), delete any `#, fuzzy` line,
then run `make messages` again so the .mo matches. These tests fail until that is done.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import add_flats, make_unit

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# Every app of the project (a folder with an apps.py) and the templates: a new app is checked without
# anyone having to remember to add it here.
SOURCE_DIRS = (
    *sorted(path.parent.name for path in Path(settings.BASE_DIR).glob("*/apps.py")),
    "templates",
)

HOW_TO_FIX = (
    "run `make messages`, translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po, run it again"
)


class Entry:
    def __init__(self, line):
        self.line = line
        self.flags: set[str] = set()
        self.obsolete = False
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr = ""
        self.msgstr_plural: dict[int, str] = {}

    @property
    def translations(self):
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]

    def __repr__(self):
        return f"line {self.line}: {self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """A small .po reader. Entries are separated by blank lines, as makemessages writes them."""
    entries = []
    lines = path.read_text(encoding="utf-8").splitlines()
    entry, field = None, None
    for number, raw in enumerate([*lines, ""], start=1):
        line = raw.strip()
        if not line:
            if entry is not None and not entry.obsolete:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = Entry(number)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert field is not None, f"{path}:{number}: string outside an entry"
            name, index = field
            text = ast.literal_eval(line)
            if index is None:
                setattr(entry, name, getattr(entry, name) + text)
            else:
                entry.msgstr_plural[index] += text
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural:
                field = ("msgstr_plural", int(plural.group(1)))
                entry.msgstr_plural[field[1]] = text
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                field = (keyword, None)
                setattr(entry, keyword, text)
            else:
                raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


@pytest.fixture(scope="module")
def po():
    assert PO_FILE.exists(), HOW_TO_FIX
    entries = read_po(PO_FILE)
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    messages = [e for e in entries if e.msgid != "" or e.msgctxt is not None]
    assert len(header) == 1
    return header[0], messages


def test_po_header_is_chinese_with_one_plural_form(po):
    header, _ = po
    assert "fuzzy" not in header.flags
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr
    assert "charset=UTF-8" in header.msgstr


def test_every_entry_is_translated_and_not_fuzzy(po):
    _, messages = po
    assert len(messages) > 100  # the reader found the catalogue, not an empty file
    fuzzy = [e for e in messages if "fuzzy" in e.flags]
    untranslated = [e for e in messages if not all(t.strip() for t in e.translations)]
    assert not fuzzy, f"fuzzy entries (check the translation, then delete the flag): {fuzzy}"
    assert not untranslated, f"untranslated entries ({HOW_TO_FIX}): {untranslated}"


def test_plural_entries_have_exactly_one_form(po):
    _, messages = po
    for entry in messages:
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr_plural) == [0], entry


def placeholders(text):
    return sorted(re.findall(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfi]|\{\{.*?\}\}|\{%.*?%\}", text))


def test_translations_keep_every_placeholder(po):
    _, messages = po
    for entry in messages:
        for translation in entry.translations:
            assert placeholders(translation) == placeholders(entry.msgid), entry


def test_compiled_mo_matches_the_po(po):
    """django.mo is what Django reads: it must hold exactly what the .po says (not a stale build)."""
    _, messages = po
    assert MO_FILE.exists(), HOW_TO_FIX
    with MO_FILE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        if entry.msgid_plural is not None:
            if entry.msgctxt is not None:
                got = catalog.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
            else:
                got = catalog.ngettext(entry.msgid, entry.msgid_plural, 1)
            want = entry.msgstr_plural[0]
        else:
            got = (
                catalog.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else catalog.gettext(entry.msgid)
            )
            want = entry.msgstr
        if got != want:
            stale.append(entry)
    assert not stale, f"django.mo is older than django.po; run `make messages`: {stale}"


# Literal strings in the commonest forms: {% translate "…" %}, {% trans '…' %}, _("…"), gettext_lazy("…").
TEMPLATE_LITERAL = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])((?:(?!\1).)+)\1\s*(?:noop\s*)?%\}""")
# {% translate "…" context "…" %} (optionally "as name"): the pair must be in the catalogue.
CONTEXT_LITERAL = re.compile(
    r"""\{%\s*trans(?:late)?\s+(["'])((?:(?!\1).)+)\1\s+context\s+(["'])((?:(?!\3).)+)\3\s*(?:as\s+\w+\s*)?%\}"""
)
CALL_LITERAL = re.compile(r"""(?<![\w.])(?:_|gettext|gettext_lazy)\(\s*(["'])((?:(?!\1)[^\\\n])+)\1\s*\)""")


def source_texts():
    """(path from the project's root, suffix, text) of every file whose strings are translated."""
    base = Path(settings.BASE_DIR)
    for folder in SOURCE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            yield path.relative_to(base), path.suffix, path.read_text(encoding="utf-8")


def bare_literals(suffix, text):
    """The literal strings a file translates without a context: _("…") calls, and {% translate "…" %} tags."""
    found = [m.group(2) for m in CALL_LITERAL.finditer(text)]
    if suffix != ".py":
        found += [m.group(2) for m in TEMPLATE_LITERAL.finditer(text)]
    return found


def test_simple_literal_strings_in_the_source_are_in_the_po(po):
    """A cheap early warning that someone added a string without running `make messages`."""
    _, messages = po
    known = {e.msgid for e in messages if e.msgctxt is None}
    known_in_context = {(e.msgctxt, e.msgid) for e in messages}
    missing = []
    for path, suffix, text in source_texts():
        missing += [f"{path}: {s!r}" for s in bare_literals(suffix, text) if s not in known]
        if suffix != ".py":
            pairs = [(m.group(4), m.group(2)) for m in CONTEXT_LITERAL.finditer(text)]
            missing += [f"{path}: {p!r}" for p in pairs if p not in known_in_context]
    assert not missing, f"strings not in the catalogue ({HOW_TO_FIX}): {missing}"


# English interface text that must never show on a Chinese page.
ENGLISH = [
    "Floor grid",
    "Agrees needed",
    "Log out",
    "Taking part",
    "Consent reached",
    "Next step",
    "Estates",
    "Import ledger",
    "Situation",
    "Households",
    "Dashboard",
    "Meetings",
    "Visit list",
    "Plan and cost share",
    "Cost share",
]


def english_msgids(messages):
    """Every multi-word English msgid with no placeholder: none of them may appear once translated."""
    return [
        e.msgid
        for e in messages
        if " " in e.msgid and "%" not in e.msgid and re.search(r"[A-Za-z]{3}", e.msgid)
    ]


def assert_chinese(html, messages, *expected):
    for word in expected:
        assert word in html, word
    for english in [*ENGLISH, *english_msgids(messages)]:
        assert english not in html, english


# A page a persona opens, and words it must show (none of it in English).
PAGES_IN_CHINESE = {
    "unit": (
        "staff",
        lambda w: reverse("unit_detail", args=[w.unit.pk]),
        ["楼盘表", "表决情况", "已达到表决要求", "条件成熟", "参与表决", "退出登录", "1栋1单元", "6层", "未表态", "住户"],
    ),
    "estate": (
        "staff",
        lambda w: reverse("estate_detail", args=[w.estate.pk]),
        ["还需同意业主数", "参与表决", "1栋1单元", "摸排", "少数未同意", "意愿不足", "退出登录"],
    ),
    "plan": (
        "staff",
        lambda w: reverse("unit_plan", args=[w.unit.pk]),
        ["方案与费用分摊", "平层入户", "工程总价（元）", "按楼层系数", "困难减免", "另存为新版本", "退出登录"],
    ),
    "dashboard": (
        "leader",
        lambda w: reverse("dashboard", kwargs={"level": "street", "pk": w.street.pk}),
        ["进度看板", "意愿漏斗", "各阶段单元数", "今日需关注", "条件成熟", "摸排", "退出登录"],
    ),
}


@pytest.mark.parametrize("page", PAGES_IN_CHINESE)
def test_page_is_in_chinese(world, login, po, page):
    _, messages = po
    username, url, words = PAGES_IN_CHINESE[page]
    html = login(world.users[username]).get(url(world)).content.decode()
    assert_chinese(html, messages, *words)


def test_home_and_vote_sheet_are_in_chinese(world, login, po):
    _, messages = po
    client = login(world.users["staff"])
    home = client.get(reverse("home")).content.decode()
    assert_chinese(home, messages, "小区", "1 个单元", "12 户", "导入台账")
    sheet = client.get(
        reverse("household_vote", args=[world.flats[0].pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert_chinese(sheet, messages, "保存意愿", "联系不上", "原因或备注")


def test_visit_list_is_in_chinese(world, login, po):
    _, messages = po
    unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="2")
    add_flats(unit, ["agree"] * 3 + ["oppose"] * 3)  # 5 of 6 must agree: 2 short
    client = login(world.users["staff"])
    html = client.get(reverse("unit_visits", args=[unit.pk])).content.decode()
    assert_chinese(html, messages, "走访清单", "还差 2 名业主同意", "记录走访", "从未联系", "反对", "退出登录")
    printed = client.get(reverse("unit_visits_print", args=[unit.pk])).content.decode()
    assert_chinese(printed, messages, "走访清单", "需走访 3 名业主", "差业主数")


def test_import_errors_read_as_chinese(db):
    from consultations.roster_import import ImportFailed, parse_table

    with pytest.raises(ImportFailed) as failed:
        parse_table([["街道", "社区"], ["红旗街道", "绵纺社区"]])
    message = str(failed.value)
    assert message.startswith("第 1 行：缺少列：小区、楼栋"), message
