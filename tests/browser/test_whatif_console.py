"""The plan what-if logs nothing in the console: every error slot it swaps has its place on the page."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from units import plans
from units.models import Household

pytestmark = pytest.mark.django_db(transaction=True)


def test_what_if_changes_log_no_htmx_errors(world, live_server, log_in):
    unit = world.unit
    draft = plans.draft_for(unit, list(Household.objects.filter(unit=unit)))
    draft.total_cost = Decimal("600000")
    plans.plan_save(unit=unit, draft=draft, by=world.users["staff"])
    page = log_in(world.users["staff"])
    logged = []
    page.on("console", lambda msg: logged.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: logged.append(str(error)))
    page.add_init_script(
        "window.__oob = []; document.addEventListener('htmx:oobErrorNoTarget',"
        " (e) => window.__oob.push(e.detail.content && e.detail.content.id));"
    )
    page.goto(f"{live_server.url}/units/{unit.pk}/plan/")
    amount = page.get_by_test_id("amount-601")
    expect(amount).to_have_text("73,800.00")

    page.fill("#id_coef_6", "22.55")
    expect(amount).not_to_have_text("73,800.00")
    page.fill("#id_coef_3", "-1")  # an error next to the field
    expect(page.locator("#err-coef_3")).not_to_be_empty()
    page.fill("#id_coef_3", "4")
    expect(page.locator("#err-coef_3")).to_be_empty()
    page.fill("#id_note", "顶层多付")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__oob") == []
    assert logged == []
