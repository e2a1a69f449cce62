"""Community staff work through the morning visit list on a phone: log a contact in a few taps, with the
vote it brought, and watch the list re-order itself."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Contact, VoteChange
from tests.browser.conftest import assert_fits_the_phone
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
