"""A read-only viewer sees the floor grid with masked names and cannot open the vote sheet."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_viewer_sees_masked_names_and_no_vote_sheet(world, live_server, log_in):
    flat = world.flats[0]  # owner 业主0
    page = log_in(world.users["viewer"])
    page.goto(f"{live_server.url}/units/{world.unit.pk}/")

    grid = page.get_by_test_id("floor-grid")
    cell = grid.get_by_test_id(f"flat-{flat.room}")
    expect(cell.locator(".flat-owner")).to_have_text(re.compile(r"^业\*+$"))
    expect(page.locator("main")).not_to_contain_text(flat.owner_name)
    expect(grid.locator("button")).to_have_count(0)
    assert cell.evaluate("el => el.tagName") == "DIV"

    cell.click()
    page.wait_for_timeout(300)  # long enough for a sheet to start sliding in, were one wired up
    expect(page.locator("#vote-sheet")).to_be_hidden()
    expect(page.get_by_test_id("vote-form")).to_have_count(0)

    response = page.goto(f"{live_server.url}/households/{flat.pk}/vote/")
    assert response.status == 403
    expect(page.get_by_test_id("forbidden")).to_be_visible()  # a page in the site's frame, not a bare error
