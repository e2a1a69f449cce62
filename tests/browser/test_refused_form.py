"""A refused HTMX form answers 422 (retrofit/formflow.py INVALID) and still shows its errors in place:
templates/base.html tells htmx to swap a 422 like a 200."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from works import services
from works.models import Construction

pytestmark = pytest.mark.django_db(transaction=True)

INVALID_INPUT = re.compile(r"\bis-invalid\b")


def test_a_works_section_with_a_bad_date_shows_its_errors_in_place(world, live_server, log_in):
    today = timezone.localdate()
    notice = today - timedelta(days=10)
    staff = world.users["staff"]
    services.approval_save(
        unit=world.unit, by=staff, permit_number="017", permit_date=notice - timedelta(days=5), market_notice_date=notice
    )

    page = log_in(staff)
    page.goto(f"{live_server.url}/units/{world.unit.pk}/works/")
    section = page.get_by_test_id("works-construction")
    page.evaluate("window.__sameDocument = true")  # gone if the post reloads the page
    form = page.locator(f"form[hx-post='/units/{world.unit.pk}/works/construction/']")
    section.locator("details.works-edit", has=form).locator("summary").click()
    # Started before the notice to market supervision, completed before it started.
    form.locator("input[name=started_on]").fill((notice - timedelta(days=1)).isoformat())
    form.locator("input[name=completed_on]").fill((notice - timedelta(days=2)).isoformat())
    with page.expect_response(lambda r: r.url.endswith("/works/construction/") and r.request.method == "POST") as answer:
        page.get_by_test_id("save-construction").click()
    assert answer.value.status == 422

    section = page.get_by_test_id("works-construction")
    expect(section.locator("details.works-edit", has=form)).to_have_attribute("open", "")
    expect(section.locator(".invalid-feedback").first).to_contain_text(notice.isoformat())  # start after the notice
    expect(section.locator("input[name=started_on]")).to_have_class(INVALID_INPUT)
    expect(section.locator("input[name=completed_on]")).to_have_class(INVALID_INPUT)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of swapping the section"
    assert not Construction.objects.exists()

