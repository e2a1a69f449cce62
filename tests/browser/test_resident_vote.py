"""A resident scans the stairwell QR code, enters the household code from the community worker and
changes the household's vote on a phone; the change lands in the vote history as "resident page"."""

import pytest
from playwright.sync_api import expect

from consultations.models import Vote, VoteChange, VoteSource
from residents import services
from tests.browser.conftest import assert_fits_the_phone
from tests.factories import plan_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_changes_the_households_vote_on_a_phone(world, live_server, page):
    unit = world.unit
    unit.stage = "consultation"
    unit.save()
    plan_for(unit)
    staff = world.users["staff"]
    link = services.public_link_issue(unit=unit, by=staff)
    household = world.flats[9]  # 502, undecided
    code = services.household_codes_issue(unit=unit, households=[household], by=staff)[0]

    page.goto(f"{live_server.url}/r/{link.token}/")
    expect(page.get_by_test_id("public-consent")).to_be_visible()
    expect(page.get_by_test_id("floor-shares")).to_be_visible()
    assert_fits_the_phone(page)

    # a wrong code first: an error, and the page stays where the form is
    page.locator("#id_code").fill("1111 1111")
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("code-error")).to_be_visible()

    page.locator("#id_code").fill(code.display)
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("own-room")).to_have_text(household.room)
    expect(page.get_by_test_id("own-name")).to_have_text(household.owner_name[0] + "*" * (len(household.owner_name) - 1))
    assert_fits_the_phone(page)

    page.locator("label.resident-choice.vote-agree").click()
    page.get_by_test_id("send-vote").click()
    expect(page.get_by_test_id("public-code")).to_be_visible()  # back on the unit page, thanked
    expect(page.locator(".alert-success")).to_be_visible()
    assert_fits_the_phone(page)

    assert Vote.objects.get(household=household).value == "agree"
    change = VoteChange.objects.get(household=household)
    assert (change.before, change.after, change.source, change.changed_by) == ("undecided", "agree", VoteSource.RESIDENT, None)

    # the code is used up: the household page is closed and the code does not open it again
    page.goto(f"{live_server.url}/r/{link.token}/mine/")
    expect(page.get_by_test_id("public-code")).to_be_visible()
    page.locator("#id_code").fill(code.code)
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("code-error")).to_be_visible()
