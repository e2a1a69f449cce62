"""Community staff record a vote from the floor grid on a phone, and the figures update in place."""

import re

import pytest
from playwright.sync_api import expect

from consultations.selectors import evaluate_unit, households_of
from tests.browser.conftest import assert_fits_the_phone
from tests.factories import add_flats, make_unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """With motion, as most phones are: the sheet slides in as a worker sees it (tests/browser/conftest.py
    asks the other browser tests' phone for reduced motion)."""
    return {**browser_context_args, "reduced_motion": "no-preference"}


def _consent(unit):
    return evaluate_unit(unit, households_of([unit])[unit.pk]).consent


def _background(locator):
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_staff_records_a_vote_in_the_bottom_sheet(world, live_server, log_in):
    # A second unit in the staff's estate, short of consent: 4 agree, 1 opposes, 7 have not said.
    unit = make_unit(world.community, estate=world.estate.name, building="2")
    flats = add_flats(unit, ["agree"] * 4 + ["oppose"] + ["undecided"] * 7)
    flat = flats[-1]  # 602, undecided
    before = _consent(unit)
    assert not before.threshold_met

    page = log_in(world.users["staff"])
    page.locator(f"a[href='/estates/{world.estate.pk}/']").click()
    page.locator(f"a[href='/units/{unit.pk}/']").click()
    agree_count = page.get_by_test_id("agree-count")
    needed = page.get_by_test_id("agrees-needed")
    expect(agree_count).to_contain_text(f"{before.agree}/{before.participants}")
    expect(needed).to_have_text(str(before.agrees_needed))

    cell = page.get_by_test_id(f"flat-{flat.room}")
    expect(cell).to_have_class(re.compile(r"\bvote-undecided\b"))
    assert_fits_the_phone(page)
    box = cell.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, f"a flat is too small to tap: {box}"
    colour_before, word_before = _background(cell), cell.locator(".flat-vote").inner_text()
    agree_word = page.get_by_test_id("flat-101").locator(".flat-vote").inner_text()
    page.evaluate("window.__sameDocument = true")  # gone if the save reloads the page
    cell.click()

    sheet = page.locator("#vote-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_test_id("vote-form")).to_contain_text(flat.room)
    sheet.locator("label.vote-agree").click()
    sheet.get_by_test_id("save-vote").click()

    expect(sheet).to_be_hidden()
    cell = page.get_by_test_id(f"flat-{flat.room}")
    expect(cell).to_have_class(re.compile(r"\bvote-agree\b"))
    expect(cell.locator(".flat-vote")).to_have_text(agree_word)
    assert agree_word != word_before
    assert _background(cell) != colour_before
    after = _consent(unit)
    assert (after.agree, after.agrees_needed) == (before.agree + 1, before.agrees_needed - 1)
    expect(agree_count).to_contain_text(f"{after.agree}/{after.participants}")
    expect(needed).to_have_text(str(after.agrees_needed))
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of swapping the figures"


def test_another_choice_empties_the_reason_box_and_the_first_choice_gives_it_back(world, live_server, log_in):
    """The reason belongs to one vote: an "oppose" reason is not saved with a new "agree"."""
    from consultations.models import Vote

    unit = make_unit(world.community, estate=world.estate.name, building="2")
    flat = add_flats(unit, ["agree", "oppose"])[1]
    Vote.objects.filter(household=flat).update(reason="担心噪音")
    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/units/{unit.pk}/")
    page.get_by_test_id(f"flat-{flat.room}").click()
    sheet = page.locator("#vote-sheet")
    reason = sheet.locator("textarea[name=reason]")
    expect(reason).to_have_value("担心噪音")
    sheet.locator("label.vote-agree").click()
    expect(reason).to_have_value("")
    sheet.locator("label.vote-oppose").click()
    expect(reason).to_have_value("担心噪音")
    sheet.locator("label.vote-agree").click()
    sheet.get_by_test_id("save-vote").click()
    expect(sheet).to_be_hidden()
    assert (Vote.objects.get(household=flat).value, Vote.objects.get(household=flat).reason) == ("agree", "")
