"""A person logs in through the form on a phone, in Chinese, and lands on the start page of their role
(the other browser tests start from a session made for them: tests/browser/conftest.py ``log_in``)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_the_phone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("persona", "start"),
    [("staff", "/"), ("leader", "/dashboard/street/{street}/")],
)
def test_a_person_logs_in_through_the_form_and_lands_on_their_start_page(
    live_server, page, world, log_in_through_the_form, persona, start
):
    page.goto(f"{live_server.url}/units/{world.unit.pk}/")  # not logged in: the login form, in Chinese
    expect(page.locator("form button[type=submit]")).to_be_visible()
    assert "/login/" in page.url
    assert_fits_the_phone(page)
    log_in_through_the_form(world.users[persona])
    assert page.url == live_server.url + start.format(street=world.street.pk)
    assert_fits_the_phone(page)
    page.wait_for_load_state("networkidle")  # the start page's own requests answered before the database is emptied
