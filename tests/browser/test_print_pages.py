"""The printouts read on a phone and still print on A4.

Every print page (base_print.html) has the viewport tag, so a phone lays it out at its own width instead of
a 980 px desktop page shrunk to 40 %; at 390 px nothing sticks out sideways (a wide table scrolls inside its
box). Printed, the page is still A4: Chromium's PDF of it, at the page size the CSS asks for, is 210×297 mm.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations import services as consultations
from tests.browser.conftest import assert_fits_the_phone
from tests.factories import add_flats, make_unit, plan_for

pytestmark = pytest.mark.django_db(transaction=True)

# A4 in PDF points (1/72 inch): 210 × 297 mm.
A4 = (595.3, 841.9)
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def assert_reads_on_a_phone_and_prints_on_a4(page):
    url = page.url
    viewport = page.locator("meta[name=viewport]")
    expect(viewport).to_have_count(1)
    assert "width=device-width" in viewport.get_attribute("content")
    assert_fits_the_phone(page)
    body = page.evaluate("document.body.scrollWidth")
    assert body <= page.viewport_size["width"], f"{url}: the body is {body} px wide on a 390 px phone"

    pdf = page.pdf(prefer_css_page_size=True)
    sizes = {(float(w), float(h)) for w, h in MEDIA_BOX.findall(pdf)}
    assert sizes and all(abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2 for w, h in sizes), f"{url}: pages of {sizes} pt"


def test_every_printout_reads_on_a_phone_and_prints_on_a4(world, live_server, log_in):
    staff = world.users["staff"]
    short = make_unit(world.community, estate=world.estate.name, building="2")
    add_flats(short, ["agree"] * 6 + ["oppose"] * 3 + ["undecided"] * 3, owner_prefix="甲")
    plan_for(world.unit)
    today = timezone.localdate()
    consultations.round_open(unit=world.unit, deadline=today + timedelta(days=10), channels=["notice"], by=staff)
    notice = consultations.notice_start(
        unit=world.unit, draft_signed_on=today, starts_on=today, by=staff, contact_phone="028-8765 4321",
        plan_summary="平层入户，总造价 60 万元，财政补贴 24 万元，按楼层系数分摊。",
    )

    page = log_in(staff)
    base = live_server.url
    for path in [
        f"/communities/{world.community.pk}/visits/print/",  # the morning round
        f"/units/{short.pk}/visits/print/",
        f"/notices/{notice.pk}/print/",  # the A4 notice
        f"/units/{world.unit.pk}/plan/print/",  # the share table
        f"/units/{world.unit.pk}/export/sheet/",  # the unit's status sheet
        f"/units/{world.unit.pk}/export/consent-form/",
    ]:
        assert page.goto(base + path).status == 200, path
        assert_reads_on_a_phone_and_prints_on_a4(page)

    # The code slips: shown once, right after they are issued from the unit page.
    page.goto(f"{base}/units/{world.unit.pk}/")
    page.get_by_test_id("code-household").select_option("all")
    page.get_by_test_id("issue-code").click()
    expect(page.get_by_test_id("slip")).to_have_count(len(world.flats))
    assert_reads_on_a_phone_and_prints_on_a4(page)

    page.context.clear_cookies()
    page = log_in(world.users["leader"])
    assert page.goto(f"{base}/reports/district/street/{world.street.pk}/").status == 200
    assert_reads_on_a_phone_and_prints_on_a4(page)
