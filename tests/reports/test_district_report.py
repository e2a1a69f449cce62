"""The report to the district: figures from the data for a date range, each traceable to the list behind
it (links on the print page, an appendix in the .docx), scope by role, and a fixed query budget."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Meeting
from reports.district import report as district_report
from retrofit.models import ExportFormat, ExportKind, ExportLog
from tests.factories import add_flats, at_stage, make_unit, plan_for
from units import contracts
from units.models import Contract, Stage, Unit
from works.models import AcceptanceCheck, Construction

from .conftest import FULL_NAMES, FULL_PHONES, body, xlsx_text

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)


def report_url(name, level, obj, **query):
    url = reverse(name, kwargs={"level": level, "pk": obj.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def progressed(company):
    """world.unit signed 10 days ago; sibling_unit installed 30 days ago and accepted 20 days ago
    (no contract date on record: it counts by the end date, not in any period); a regular meeting."""
    world = company
    plan_for(world.unit)
    at_stage(world.unit, Stage.SIGNING)
    contracts.contract_start(unit=world.unit, by=world.users["staff"])
    Contract.objects.filter(unit=world.unit).update(signed_on=TODAY - timedelta(days=10))
    at_stage(world.unit, Stage.APPROVAL)
    at_stage(world.sibling_unit, Stage.IN_SERVICE)
    Construction.objects.create(
        unit=world.sibling_unit, started_on=TODAY - timedelta(days=90), completed_on=TODAY - timedelta(days=30)
    )
    for level, ago in (("supervisory", 28), ("district", 25), ("city", 20)):
        AcceptanceCheck.objects.create(
            unit=world.sibling_unit, level=level, result="pass", date=TODAY - timedelta(days=ago), inspector="检验所"
        )
    Meeting.objects.create(
        street=world.street, kind="regular", held_on=TODAY - timedelta(days=5),
        created_by=world.users["leader"], created_at=timezone.now(),
    )
    return world


def build(world, start=START, end=TODAY, user="leader"):
    units = Unit.objects.visible_to(world.users[user]).filter(building__estate__community__street=world.street)
    return district_report.build("street", world.street, units, start=start, end=end, user=world.users[user])


def test_the_figures_count_what_happened_by_and_within_the_period(progressed):
    report = build(progressed)
    f = report.figures
    assert (f["estates"].value, f["buildings"].value, f["units"].value, f["households"].value) == (2, 2, 2, 18)
    assert f["signed"].value == 2 and f["signed_period"].value == 1
    assert [r.date for r in f["signed_period"].rows] == [TODAY - timedelta(days=10)]
    assert f["installed"].value == 1 and f["installed_period"].value == 1
    assert f["accepted"].value == 1 and [r.date for r in f["accepted"].rows] == [TODAY - timedelta(days=20)]
    assert f["leadership_meetings"].value == 1 and f["meetings_regular"].value == 1
    assert f["passed_city"].value == 1
    # Every unit-count figure lists exactly the units it counts, each linking to its page.
    for figure in f.values():
        if not figure.money and figure.key not in {"households", "owners_agree", "contacts", "visits",
                                                   "converted", "relief", "hardship", "refused", "arrears",
                                                   "objections"} and not figure.key.startswith("holdouts_"):
            assert figure.value == len(figure.rows), figure.key
    assert f["signed_period"].rows[0].url == reverse("unit_detail", args=[progressed.unit.pk])


def test_a_period_before_the_work_counts_nothing_in_it(progressed):
    report = build(progressed, start=TODAY - timedelta(days=400), end=TODAY - timedelta(days=100))
    f = report.figures
    assert f["signed_period"].value == 0 and f["installed"].value == 0 and f["accepted"].value == 0
    assert f["signed"].value == 1  # the sibling unit: signed, no date on record


@pytest.mark.parametrize(
    ("role", "street", "community"),
    [
        ("leader", 200, 200),
        ("viewer", 200, 200),
        ("staff", 404, 200),  # their community's report, not the street's
        ("sibling_staff", 404, 404),
        ("unit_leader", 404, 404),
        ("outsider", 404, 404),
        ("company", 404, 404),
    ],
)
def test_who_may_draft_the_report(client, company, role, street, community):
    client.force_login(company.users[role])
    assert client.get(report_url("district_report_print", "street", company.street)).status_code == street
    assert client.get(report_url("district_report_docx", "community", company.community)).status_code == community


def test_every_number_on_the_page_links_to_the_list_behind_it(client, progressed):
    client.force_login(progressed.users["leader"])
    query = {"from": START.isoformat(), "to": TODAY.isoformat()}
    html = client.get(report_url("district_report_print", "street", progressed.street, **query)).content.decode()
    links = re.findall(r'<a class="fig" href="([^"]+)" data-figure="([^"]+)">([^<]+)</a>', html)
    report = build(progressed)
    assert {key for _href, key, _text in links} >= {"units", "signed", "signed_period", "installed", "accepted"}
    for _href, key, text in links:
        assert key in report.figures and text == report.figures[key].text
    hrefs = {key: href for href, key, _text in links}
    page = client.get(hrefs["signed_period"].replace("&amp;", "&"))
    assert page.status_code == 200
    assert page.context["figure"].value == 1
    assert "绵纺厂宿舍小区 1栋1单元" in page.content.decode()
    nonsense = reverse("district_report_figure", kwargs={"level": "street", "pk": progressed.street.pk, "key": "nonsense"})
    assert client.get(nonsense).status_code == 404


def test_the_docx_is_filled_and_lists_the_units_behind_each_count(client, progressed):
    from docx import Document

    client.force_login(progressed.users["viewer"])
    response = client.get(
        report_url("district_report_docx", "street", progressed.street, **{"from": START.isoformat(), "to": TODAY.isoformat()})
    )
    assert response["Content-Type"].endswith("wordprocessingml.document")
    data = body(response)
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "红旗街道" in text and START.isoformat() in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["1", "绵纺厂宿舍小区 1栋1单元", (TODAY - timedelta(days=10)).isoformat(), ""] in cells
    assert ["1", "光华小区 1栋1单元", (TODAY - timedelta(days=20)).isoformat(), ""] in cells
    # No personal data in a report that leaves the street office.
    raw = xlsx_text(data)
    assert not any(n in raw for n in FULL_NAMES) and not any(p in raw for p in FULL_PHONES)
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.format) == (progressed.users["viewer"], ExportKind.DISTRICT_REPORT, ExportFormat.DOCX)
    assert log.object_ids == {"level": "street", "pk": progressed.street.pk, "from": START.isoformat(), "to": TODAY.isoformat()}


def test_the_period_defaults_and_bad_dates_are_ignored(client, progressed):
    client.force_login(progressed.users["leader"])
    page = client.get(report_url("district_report_print", "street", progressed.street, **{"from": "nonsense"}))
    report = page.context["report"]
    assert report.end == TODAY and report.start == TODAY.replace(month=1, day=1)
    page = client.get(report_url("district_report_print", "street", progressed.street, **{"from": TODAY, "to": START}))
    assert (page.context["report"].start, page.context["report"].end) == (START, TODAY)


def test_query_count_does_not_grow_with_units(client, progressed, django_assert_num_queries):
    """31 queries: session and user (2); the street and the scope check (2); the default period (1); the
    units with their records (1) and stored consent (1); stage history and acceptance checks (2);
    meetings, action items, rounds, contacts, votes won, notices, relief, joint visits (8); holdouts,
    objections, hardship, refusals (4); the attention list's seven sources (7); arrears (1); the support
    pattern (1); the export log (1)."""
    client.force_login(progressed.users["leader"])
    url = report_url("district_report_docx", "street", progressed.street)
    client.get(url)  # the stored consent tallies exist after a first look, as on the dashboard
    with django_assert_num_queries(31):
        client.get(url)
    for number in range(2, 5):
        unit = make_unit(progressed.community, estate="新小区", building=str(number))
        add_flats(unit, ["agree", "oppose", "undecided"] * 2)
        at_stage(unit, Stage.IN_SERVICE)
    client.get(url)
    with django_assert_num_queries(31):
        client.get(url)


def test_owners_who_came_round_count_once_however_many_flats_they_hold(world):
    """The law counts owners (docs/rules.md, "Words"): one owner of two flats who came round to agree is one,
    though the change is recorded on both flats."""
    from consultations.models import VoteChange

    unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="5")
    flats = add_flats(unit, ["agree", "agree", "agree"])
    flats[1].owner_name, flats[1].phone = flats[0].owner_name, flats[0].phone  # 101 and 102: one owner
    flats[1].save()
    when = timezone.now() - timedelta(days=3)
    for flat in flats:
        VoteChange.objects.create(household=flat, before="undecided", after="agree", changed_at=when)
    converted = build(world).figures["converted"]
    assert converted.value == 2
