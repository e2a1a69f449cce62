"""Without signal in the stairwell: votes and a visit are kept on the phone, shown as waiting, and recorded
exactly once, at the time they were taken and in the worker's name, when the signal returns."""

import re

import pytest
from django.test.testcases import QuietWSGIRequestHandler
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import ClientSave, Contact, Vote, VoteChange
from consultations.services import vote_record
from tests.browser.conftest import assert_fits_the_phone, shot
from tests.factories import add_flats, make_unit

pytestmark = pytest.mark.django_db(transaction=True)

@pytest.fixture
def signal(monkeypatch):
    """The stairwell's signal: ``signal(page, on=False)`` takes it away, ``on=True`` brings it back.

    Chromium's offline emulation reaches a page loaded meanwhile only a moment after its scripts start: the
    unit page opened from the phone's copy could see itself online and send what it keeps before the
    emulation caught up (once in about ten runs), which a phone without signal never can. So while the
    signal is gone the live server also drops every request it reads, unanswered, as no network would carry
    it: the page's send fails as it does in a stairwell."""
    gone = []
    parse = QuietWSGIRequestHandler.parse_request

    def parse_request(handler):
        if gone:  # read, never answered: the connection closes
            handler.close_connection = True
            return False
        return parse(handler)

    monkeypatch.setattr(QuietWSGIRequestHandler, "parse_request", parse_request)

    def switch(page, *, on):
        if on:
            gone.clear()
        else:
            gone.append(True)
        page.context.set_offline(not on)

    return switch


def _service_worker_controls(page):
    """The page is served through the worker (it registers on the first page, controls after a reload)."""
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    return page.evaluate("!!navigator.serviceWorker.controller")


def test_votes_and_a_visit_without_signal_are_recorded_once_when_it_returns(world, live_server, log_in, signal):
    unit = make_unit(world.community, estate=world.estate.name, building="2")
    flats = add_flats(unit, ["undecided"] * 6)
    staff = world.users["staff"]
    page = log_in(staff)
    unit_url = f"{live_server.url}/units/{unit.pk}/"

    # Online: the visit form of 302 and then the unit page are opened; the phone keeps them.
    page.goto(f"{live_server.url}/households/{flats[3].pk}/contacts/new/")
    assert _service_worker_controls(page), "the service worker does not control the page"
    page.goto(unit_url)
    expect(page.get_by_test_id("floor-grid")).to_be_visible()
    expect(page.get_by_test_id("pending-badge")).to_be_hidden()

    went_offline = timezone.now()
    signal(page, on=False)

    # The visit of 302, logged without signal: kept on the phone.
    page.goto(f"{live_server.url}/households/{flats[3].pk}/contacts/new/")
    form = page.get_by_test_id("contact-form")
    form.get_by_test_id("channel-visit").click()
    form.get_by_test_id("outcome-talked").click()
    page.fill("textarea[name=note]", "家里没人接电话，当面谈了")
    form.get_by_test_id("save-contact").click()
    expect(page.get_by_test_id("offline-contact-kept")).to_be_visible()
    expect(page.get_by_test_id("pending-badge")).to_have_text("待上传 1 条")

    # Back to the unit page, still without signal (the phone's copy): three votes in the sheet.
    page.goto(unit_url)
    expect(page.get_by_test_id("floor-grid")).to_be_visible()
    sheet = page.locator("#vote-sheet")
    for flat, value, reason in [(flats[0], "agree", ""), (flats[1], "oppose", "担心噪音"), (flats[2], "abstain", "")]:
        page.get_by_test_id(f"flat-{flat.room}").click()
        expect(sheet).to_be_visible()
        expect(sheet.get_by_test_id("offline-note")).to_be_visible()
        expect(sheet.get_by_test_id("vote-form")).to_contain_text(flat.room)
        sheet.locator(f"label.vote-{value}").click()
        sheet.locator("textarea[name=reason]").fill(reason)
        sheet.get_by_test_id("save-vote").click()
        expect(sheet).to_be_hidden()
        expect(page.get_by_test_id(f"pending-{flat.room}")).to_have_text("待上传")
    expect(page.get_by_test_id("pending-badge")).to_have_text("待上传 4 条")
    assert_fits_the_phone(page)
    shot(page, "unit-offline-390", full_page=True)
    page.get_by_test_id(f"flat-{flats[4].room}").click()
    expect(sheet.get_by_test_id("offline-note")).to_be_visible()
    shot(page, "vote-sheet-offline-390")
    page.locator("#vote-sheet .btn-close").click()
    expect(sheet).to_be_hidden()
    assert not VoteChange.objects.filter(household__unit=unit).exists() and not Contact.objects.filter(household=flats[3]).exists()

    came_back = timezone.now()
    signal(page, on=True)
    expect(page.get_by_test_id("pending-badge")).to_be_hidden(timeout=15000)
    expect(page.get_by_test_id(f"flat-{flats[1].room}")).to_have_class(re.compile(r"\bvote-oppose\b"))
    expect(page.locator(".flat-pending-tag")).to_have_count(0)
    shot(page, "unit-reconnected-390", full_page=True)

    # Each recorded exactly once, at the time it was taken on the phone (before the signal came back),
    # by the worker who was logged in.
    for flat, value, reason in [(flats[0], "agree", ""), (flats[1], "oppose", "担心噪音"), (flats[2], "abstain", "")]:
        change = VoteChange.objects.get(household=flat)
        assert (change.after, change.reason, change.changed_by) == (value, reason, staff)
        assert went_offline <= change.changed_at <= came_back
        assert Vote.objects.get(household=flat).value == value
    contact = Contact.objects.get(household=flats[3])
    assert (contact.channel, contact.outcome, contact.made_by) == ("visit", "talked", staff)
    assert went_offline <= contact.contacted_at <= came_back
    assert ClientSave.objects.filter(household__unit=unit, user=staff).count() == 4

    # Sending again (another tab, a lost answer) records nothing more.
    page.evaluate("window.retrofitOffline.sync()")
    assert VoteChange.objects.filter(household__unit=unit).count() == 3


def test_a_vote_changed_on_the_server_meanwhile_is_shown_beside_the_workers_to_choose(world, live_server, log_in, signal):
    unit = make_unit(world.community, estate=world.estate.name, building="2")
    flats = add_flats(unit, ["undecided"] * 4)
    flat = flats[1]
    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/units/{unit.pk}/")
    expect(page.get_by_test_id("floor-grid")).to_be_visible()
    signal(page, on=False)
    page.get_by_test_id(f"flat-{flat.room}").click()
    sheet = page.locator("#vote-sheet")
    sheet.locator("label.vote-agree").click()
    sheet.get_by_test_id("save-vote").click()
    expect(page.get_by_test_id(f"pending-{flat.room}")).to_have_text("待上传")

    # Meanwhile the leader records another vote for the flat.
    vote_record(household=flat, value="oppose", reason="不同意出钱", by=world.users["leader"])
    signal(page, on=True)
    expect(page.get_by_test_id(f"pending-{flat.room}")).to_have_text("待确认")
    assert Vote.objects.get(household=flat).value == "oppose"

    page.get_by_test_id("pending-badge").click()
    item = page.get_by_test_id("offline-item")
    conflict = item.get_by_test_id("offline-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("反对")
    expect(conflict).to_contain_text("不同意出钱")
    expect(conflict).to_contain_text("同意")
    assert_fits_the_phone(page)
    shot(page, "offline-conflict-390", full_page=True)
    item.get_by_test_id("keep-mine").click()
    expect(page.get_by_test_id("offline-item")).to_have_count(0)
    assert Vote.objects.get(household=flat).value == "agree"
    assert list(VoteChange.objects.filter(household=flat).order_by("id").values_list("after", flat=True)) == ["oppose", "agree"]


def test_a_sheet_opened_with_signal_and_saved_without_is_kept_with_its_key(world, live_server, log_in, signal):
    unit = make_unit(world.community, estate=world.estate.name, building="2")
    flat = add_flats(unit, ["undecided"] * 2)[0]
    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/units/{unit.pk}/")
    page.get_by_test_id(f"flat-{flat.room}").click()
    sheet = page.locator("#vote-sheet")
    expect(sheet.get_by_test_id("save-vote")).to_be_visible()
    # made on the phone when the sheet was shown (the page script fills it once htmx has settled the sheet)
    expect(sheet.locator("input[name=client_key]")).to_have_value(re.compile(r"^[0-9a-f-]{36}$"))
    key = sheet.locator("input[name=client_key]").input_value()

    signal(page, on=False)  # the signal goes while the worker talks
    sheet.locator("label.vote-agree").click()
    sheet.get_by_test_id("save-vote").click()
    expect(sheet).to_be_hidden()
    expect(page.get_by_test_id(f"pending-{flat.room}")).to_have_text("待上传")
    expect(page.get_by_test_id(f"flat-{flat.room}")).to_have_class(re.compile(r"\bvote-agree\b"))
    expect(page.get_by_test_id("pending-badge")).to_have_text("待上传 1 条")

    signal(page, on=True)
    expect(page.get_by_test_id("pending-badge")).to_be_hidden(timeout=15000)
    assert ClientSave.objects.get(household=flat).key == key
    assert VoteChange.objects.get(household=flat).after == "agree"
