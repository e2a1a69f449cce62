"""The dashboard's filters follow the address: back and forward show the dropdowns of the table shown."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_back_and_forward_after_two_filters_keep_the_dropdowns_with_the_table(world, live_server, log_in):
    page = log_in(world.users["leader"])
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{error} {error.stack}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    expect(page.get_by_test_id("kpi-units")).to_have_text("2")

    page.select_option("#f-community", label="光华社区")
    expect(page.get_by_test_id("kpi-units")).to_have_text("1")
    page.select_option("#f-stage", value="consultation")
    expect(page).to_have_url(re.compile(rf"community={world.sibling.pk}&.*stage=consultation"))
    expect(page.get_by_test_id("kpi-units")).to_have_text("0")

    page.go_back()
    expect(page).to_have_url(re.compile(rf"community={world.sibling.pk}&(?!.*stage=consultation)"))
    expect(page.locator("#f-stage")).to_have_value("")
    expect(page.locator("#f-community")).to_have_value(str(world.sibling.pk))
    expect(page.get_by_test_id("kpi-units")).to_have_text("1")

    page.go_back()
    expect(page.locator("#f-community")).to_have_value("")
    expect(page.locator("#f-stage")).to_have_value("")
    expect(page.get_by_test_id("kpi-units")).to_have_text("2")
    expect(page.locator('[data-chart="trend"] svg')).to_have_count(1)

    page.go_forward()
    expect(page.locator("#f-community")).to_have_value(str(world.sibling.pk))
    expect(page.get_by_test_id("kpi-units")).to_have_text("1")
    page.go_forward()
    expect(page.locator("#f-stage")).to_have_value("consultation")
    expect(page.get_by_test_id("kpi-units")).to_have_text("0")
    assert errors == []
