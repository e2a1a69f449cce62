"""Every Chinese sentence the demo prints reads as Chinese: no word doubled by gluing two strings
("由住户按按楼层系数分摊") and no ASCII mark beside a Chinese character ("联系不上 0. 一名业主…",
"阶段: 公示", "入户宣传, 微信群"). Checked over the demo's printouts — the public notice, the share table,
the unit status sheet, the visit lists — and the report to the district, page and .docx."""

import html
import io
import re

from django.urls import reverse
from django.utils.html import strip_tags

from consultations.models import Notice
from retrofit.models import User
from units.models import Household, Street, Unit

CJK = "\u4e00-\u9fff"
# A sequence of one to four Chinese characters written twice in a row.
DOUBLED = re.compile(rf"([{CJK}]{{1,4}})\1")
# An ASCII mark touching a Chinese character, or between a Chinese sentence and the next one.
MIXED = re.compile(rf"[{CJK}][.,;:!?]|[.,;:!?][{CJK}]|(?<![\d\s])[.,;:!?] +[{CJK}]|[{CJK}] *[0-9]+[.,;:!?] +[{CJK}]")
# Words that are Chinese with a doubled character (坝坝会 a yard meeting; 会议|议定 meeting's decision).
REAL_WORDS = ("坝坝会", "会议议定")
# A numbered list keeps "1. " at the start of a line.
LIST_MARK = re.compile(r"^\s*\d+\. ", re.M)


def doubled(text):
    found = []
    for match in DOUBLED.finditer(text):
        around = text[max(0, match.start() - 3) : match.end() + 3]
        if not any(word in around and _covers(text, match, word) for word in REAL_WORDS):
            found.append(around)
    return found


def _covers(text, match, word):
    start = text.find(word, max(0, match.start() - len(word)))
    return start != -1 and start <= match.start() and match.end() <= start + len(word)


def mixed(text):
    return [text[max(0, m.start() - 8) : m.end() + 8] for m in MIXED.finditer(LIST_MARK.sub("", text))]


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(strip_tags(page))


def without_names(text):
    """Owners' names may well repeat a character (姚玉玉): they are not the product's sentences."""
    names = set()
    for name, co_owners in Household.objects.values_list("owner_name", "co_owners"):
        names.add(name)
        names.update(part for part in re.split(r"[、,;，；\n]", co_owners or "") if part)
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = text.replace(name, "·")
    return text


def test_the_demos_printouts_and_district_report_read_as_chinese(demo_street, client):
    from docx import Document

    client.force_login(User.objects.get(username="leader"))
    urls = [reverse("notice_print", args=[pk]) for pk in Notice.objects.values_list("pk", flat=True)]
    street = Street.objects.get(name="红旗街道")  # the story's street, not its generated neighbour
    for pk in Unit.objects.filter(building__estate__community__street=street).values_list("pk", flat=True):
        urls += [reverse(name, args=[pk]) for name in ("plan_print", "unit_sheet_print", "unit_visits_print")]
    urls += [reverse("community_visits_print", args=[pk]) for pk in street.communities.values_list("pk", flat=True)]
    urls.append(reverse("district_report_print", args=["street", street.pk]))
    texts = {url: without_names(page_text(client, url)) for url in urls}

    response = client.get(reverse("district_report_docx", args=["street", street.pk]))
    document = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    texts["report.docx"] = without_names(
        "\n".join([p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells])
    )
    assert any("按楼层系数" in text for text in texts.values())  # the notices' plan text was read

    problems = {url: doubled(text) + mixed(text) for url, text in texts.items()}
    problems = {url: found for url, found in problems.items() if found}
    assert not problems, problems
