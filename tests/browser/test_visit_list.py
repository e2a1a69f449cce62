"""Community staff work through the morning visit list on a phone: log a contact in a few taps, with the
vote it brought, and watch the list re-order itself."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Contact, VoteChange
from tests.browser.conftest import assert_fits_the_phone, shot
from tests.browser.test_tap_targets import small_targets
from tests.factories import add_flats, make_unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_work_through_the_visit_list_on_a_phone(world, live_server, log_in):
    estate = world.estate.name
    one_short = make_unit(world.community, estate=estate, building="2", unit="1")
    add_flats(one_short, ["agree"] * 7 + ["oppose"] * 3 + ["undecided"] * 2, owner_prefix="甲")
    four_short = make_unit(world.community, estate=estate, building="2", unit="2")
    add_flats(four_short, ["agree"] * 2 + ["oppose"] * 2 + ["undecided"] * 8, owner_prefix="乙")

    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/visits/")
    expect(page).to_have_url(re.compile(rf"/communities/{world.community.pk}/visits/$"))
    rows = page.get_by_test_id("visit-row")
    expect(rows).to_have_count(5 + 10)
    assert_fits_the_phone(page)

    # The unit one agreement short comes first, and its first owner is the one who would carry it.
    first = rows.first
    assert first.get_attribute("data-unit") == str(one_short.pk)
    expect(first.get_by_test_id("agrees-needed")).to_contain_text("1")
    expect(first.get_by_test_id("last-contact")).to_have_attribute("data-channel", "never")
    household = int(first.get_attribute("data-household"))
    first.get_by_test_id("log-contact").click()

    form = page.get_by_test_id("contact-form")
    expect(form).to_be_visible()
    assert_fits_the_phone(page)
    form.get_by_test_id("channel-visit").click()
    form.get_by_test_id("outcome-talked").click()
    form.get_by_test_id("vote-agree").click()
    page.fill("textarea[name=note]", "看了方案，同意加装")
    form.get_by_test_id("save-contact").click()

    # Back on the list, at the same place; the unit now passes and leaves the list for the notice.
    expect(page).to_have_url(re.compile(rf"/communities/{world.community.pk}/visits/#visit-{household}$"))
    expect(page.get_by_test_id("ready-units").locator(f"[data-unit='{one_short.pk}']")).to_have_count(1)
    expect(rows).to_have_count(10)
    assert {rows.nth(i).get_attribute("data-unit") for i in range(10)} == {str(four_short.pk)}
    contact = Contact.objects.get(household_id=household)
    assert (contact.channel, contact.outcome, contact.made_by) == ("visit", "talked", world.users["staff"])
    assert VoteChange.objects.get(household_id=household, contact=contact).after == "agree"

    # A call nobody answers: logged in three taps; the owner drops behind those never contacted.
    now_first = int(rows.first.get_attribute("data-household"))
    rows.first.get_by_test_id("log-contact").click()
    page.get_by_test_id("channel-phone").click()
    page.get_by_test_id("outcome-no_answer").click()
    page.get_by_test_id("save-contact").click()
    expect(page).to_have_url(re.compile(rf"#visit-{now_first}$"))
    card = page.locator(f"#visit-{now_first}")
    expect(card.get_by_test_id("last-contact")).to_have_attribute("data-channel", "phone")
    assert int(rows.first.get_attribute("data-household")) != now_first
    assert_fits_the_phone(page)


def test_staff_reach_the_31st_owner_a_page_at_a_time(world, live_server, log_in):
    """The list shows 30 owners a page, best visit first; the worker taps on to the next page, logs a
    contact there and comes back to that page, at that owner."""
    estate = world.estate.name
    units = [make_unit(world.community, estate=estate, building="3", unit=str(n)) for n in range(1, 4)]
    for n, unit in enumerate(units):
        add_flats(unit, ["undecided"] * 12, owner_prefix=f"丙{n}-")  # 36 owners to visit

    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/communities/{world.community.pk}/visits/")
    rows = page.get_by_test_id("visit-row")
    expect(rows).to_have_count(30)
    expect(page.get_by_test_id("visits-total")).to_contain_text("共 36 名业主待走访")
    expect(page.get_by_test_id("visits-previous")).to_have_count(0)
    last_of_first = rows.nth(29).get_attribute("data-household")
    shot(page, "visit-list-page-1", full_page=True)

    page.get_by_test_id("visits-next").click()
    expect(page).to_have_url(re.compile(r"/visits/\?page=2$"))
    expect(rows).to_have_count(6)
    expect(rows.first.locator(".visit-rank")).to_have_text("31")
    assert last_of_first not in {rows.nth(i).get_attribute("data-household") for i in range(6)}
    expect(page.get_by_test_id("visits-next")).to_have_count(0)
    assert_fits_the_phone(page)
    assert not small_targets(page), small_targets(page)
    shot(page, "visit-list-page-2", full_page=True)

    household = rows.first.get_attribute("data-household")
    rows.first.get_by_test_id("log-contact").click()
    page.get_by_test_id("channel-phone").click()
    page.get_by_test_id("outcome-no_answer").click()
    page.get_by_test_id("save-contact").click()
    expect(page).to_have_url(re.compile(rf"/visits/\?page=2#visit-{household}$"))
    expect(page.locator(f"#visit-{household}").get_by_test_id("last-contact")).to_have_attribute("data-channel", "phone")
    assert Contact.objects.filter(household_id=household).count() == 1

    page.get_by_test_id("visits-previous").click()
    expect(page).to_have_url(re.compile(r"/visits/\?page=1$"))
    expect(rows).to_have_count(30)
