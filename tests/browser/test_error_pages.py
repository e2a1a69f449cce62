"""A resident scans a replaced QR code on a phone; staff open a link outside their community: both get a
Chinese page that fits a 390 px screen, the resident's with the community's contact to call."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from residents import services
from residents.models import CommunityContact
from tests.browser.conftest import assert_fits_the_phone

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stale_qr_code_on_a_phone_gives_the_contact(world, live_server, page):
    CommunityContact.objects.create(
        community=world.community, name="李干事", phone="028-87654321", office="绵纺社区居委会二楼（纺织路12号院内）",
        hours="周一至周五 9:00-17:00", updated_at=timezone.now(),
    )
    old = services.public_link_issue(unit=world.unit, by=world.users["staff"])
    services.public_link_issue(unit=world.unit, by=world.users["staff"])
    response = page.goto(f"{live_server.url}/r/{old.token}/")
    assert response.status == 404
    card = page.get_by_test_id("stale-link")
    expect(card).to_contain_text("李干事")
    expect(card.locator("a[href='tel:02887654321']")).to_be_visible()
    assert_fits_the_phone(page)

    response = page.goto(f"{live_server.url}/r/no-such-token/")
    assert response.status == 404
    expect(page.get_by_test_id("unknown-link")).to_be_visible()
    assert_fits_the_phone(page)


def test_an_out_of_scope_link_on_a_phone(world, live_server, log_in):
    page = log_in(world.users["staff"])
    response = page.goto(f"{live_server.url}/units/{world.far_unit.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_contain_text("页面不存在")
    assert_fits_the_phone(page)
