"""A street leader drills from the street dashboard down to a unit and back, and no page breaks the CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_drills_from_street_to_unit_and_back(world, live_server, log_in):
    page = log_in(world.users["leader"])
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("h1")).to_contain_text("红旗街道")
    expect(page.get_by_test_id("kpi-units")).to_have_text("2")
    expect(page.locator('[data-chart="trend"] svg')).to_have_count(1)  # the chart drew (scripts ran)

    # street → community → estate → building → unit
    page.get_by_test_id("groups").get_by_role("link", name="绵纺社区").click()
    expect(page.locator("h1")).to_contain_text("绵纺社区")
    page.get_by_test_id("groups").get_by_role("link", name="绵纺厂宿舍小区").click()
    expect(page.locator("h1")).to_contain_text("绵纺厂宿舍小区")
    page.get_by_test_id("groups").get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("1")
    page.get_by_test_id("unit-rows").get_by_role("link").first.click()
    expect(page.get_by_test_id("floor-grid")).to_be_visible()

    # and back up by the breadcrumb of the dashboard
    page.go_back()
    page.locator(".breadcrumb").get_by_role("link", name="红旗街道").click()
    expect(page.get_by_test_id("kpi-units")).to_have_text("2")

    # a filter swaps the body in place (HTMX), without a reload
    page.evaluate("window.__marker = 1")
    page.select_option("#f-community", label="光华社区")
    expect(page.get_by_test_id("kpi-units")).to_have_text("1")
    assert page.evaluate("window.__marker") == 1

    assert violations == []


def test_pages_run_under_the_content_security_policy(world, live_server, log_in):
    page = log_in(world.users["staff"])
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    for path in [
        f"/units/{world.unit.pk}/",
        f"/units/{world.unit.pk}/plan/",
        f"/units/{world.unit.pk}/visits/",
        f"/units/{world.unit.pk}/works/",
        f"/estates/{world.estate.pk}/",
        "/meetings/",
        "/reminders/",
        "/import/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert violations == []
