"""Community staff try what-ifs on a phone: the share table follows each change without saving, errors
show next to the field, and "save as a new version" keeps what they settled on."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_the_phone
from units import costshare, plans
from units.models import Household, Plan

pytestmark = pytest.mark.django_db(transaction=True)


def _households(unit):
    return list(Household.objects.filter(unit=unit).order_by("-floor", "room"))


def _draft(unit, **changes):
    draft = plans.draft_for(unit, _households(unit))
    draft.total_cost = Decimal("600000")
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def _yuan(value):
    return f"{value:,.2f}"


def test_what_if_table_follows_the_form_and_saves_a_version(world, live_server, log_in):
    unit = world.unit
    plans.plan_save(unit=unit, draft=_draft(unit), by=world.users["staff"])
    flat_302 = next(h for h in _households(unit) if h.room == "302")
    steeper = {**costshare.default_coefficients(6), 6: Decimal("22.55")}
    expected = {r.room: r.amount for r in plans.compute(unit, _households(unit), _draft(unit, coefficients=steeper)).rows}
    with_relief = plans.compute(
        unit, _households(unit), _draft(unit, coefficients=steeper, reliefs={flat_302.pk: Decimal("3000")})
    )
    relieved = {r.room: r.amount for r in with_relief.rows}

    page = log_in(world.users["staff"])
    page.goto(f"{live_server.url}/units/{unit.pk}/plan/")
    amount_601 = page.get_by_test_id("amount-601")
    expect(amount_601).to_have_text("73,800.00")
    expect(page.get_by_test_id("sum-check")).to_have_class(re.compile(r"\bsum-ok\b"))
    assert_fits_the_phone(page)
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page

    # What if the top floor pays more?
    page.fill("#id_coef_6", "22.55")
    expect(amount_601).to_have_text(_yuan(expected["601"]))
    expect(page.get_by_test_id("amount-301")).to_have_text(_yuan(expected["301"]))
    expect(page.locator("#floor-sum-6")).to_have_text(_yuan(expected["601"] + expected["602"]))
    expect(page.get_by_test_id("share-601").locator(".change")).to_have_text(re.compile(r"^\+"))
    expect(page.get_by_test_id("shares-total")).to_have_text("360,000.00")

    # What if flat 302 gets 3,000 yuan hardship relief?
    page.locator(".relief-box summary").click()
    page.fill(f"#id_relief_{flat_302.pk}", "3000")
    expect(page.get_by_test_id("amount-302")).to_have_text(_yuan(relieved["302"]))
    expect(amount_601).to_have_text(_yuan(relieved["601"]))
    expect(page.get_by_test_id("sum-check")).to_have_class(re.compile(r"\bsum-ok\b"))

    # A wrong value is marked next to its field and the table says why it cannot follow.
    page.fill("#id_coef_3", "-1")
    expect(page.locator("#err-coef_3")).not_to_be_empty()
    expect(page.locator("#id_coef_3")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_test_id("share-problem")).to_be_visible()
    page.fill("#id_coef_3", "4")
    expect(page.locator("#err-coef_3")).to_be_empty()
    expect(page.locator("#id_coef_3")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_test_id("amount-302")).to_have_text(_yuan(relieved["302"]))

    assert page.evaluate("window.__sameDocument") is True
    assert Plan.objects.filter(unit=unit).count() == 1  # nothing saved by trying

    page.fill("#id_note", "顶层多付，302困难减免")
    page.get_by_test_id("save-plan").click()
    expect(page.get_by_test_id("shown-version")).to_have_text("v2")
    saved = Plan.objects.get(unit=unit, version=2)
    assert saved.note == "顶层多付，302困难减免" and saved.created_by == world.users["staff"]
    assert {s.room: s.amount for s in saved.shares.all()} == relieved
    expect(page.get_by_test_id("amount-302")).to_have_text(_yuan(relieved["302"]))
    expect(page.get_by_test_id("version-1")).to_be_visible()
    assert_fits_the_phone(page)


def test_readers_see_the_table_without_the_form(world, live_server, log_in):
    plans.plan_save(unit=world.unit, draft=_draft(world.unit), by=None)
    page = log_in(world.users["viewer"])
    page.goto(f"{live_server.url}/units/{world.unit.pk}/plan/")
    expect(page.get_by_test_id("amount-601")).to_have_text("73,800.00")
    expect(page.get_by_test_id("plan-form")).to_have_count(0)
    assert_fits_the_phone(page)
