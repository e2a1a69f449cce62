"""A resident scans the stairwell QR code, enters the household code from the community worker and, in
one session, confirms, changes the household's vote and objects to the notice on a phone; each change
lands in the vote history as "resident page", and the result of each action is on the screen."""


import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import Notice, Objection, Vote, VoteChange, VoteSource
from residents import services
from tests.browser.conftest import assert_fits_the_phone, shot
from tests.factories import plan_for

pytestmark = pytest.mark.django_db(transaction=True)

def assert_in_view(page, locator):
    """The whole element is on the screen where the page lands (its anchor), without scrolling by hand."""
    expect(locator).to_be_in_viewport(ratio=1)


def result(page, text):
    message = page.get_by_test_id("result")
    expect(message).to_contain_text(text)
    assert_in_view(page, message)
    # large type: the result reads at 20 px or more
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.resident-result-msg')).fontSize)")
    assert size >= 20, size
    assert_fits_the_phone(page)
    return message


def enter_code(page, code):
    page.locator("#id_code").fill(code)
    page.get_by_test_id("code-submit").click()


@pytest.mark.parametrize("size", ["normal", "large"])
def test_one_code_confirms_changes_and_objects_each_result_in_view(world, live_server, page, size):
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
    if size == "large":
        page.get_by_test_id("type-toggle").click()
        expect(page.locator("html.resident-large")).to_have_count(1)
    assert_fits_the_phone(page)

    # a wrong code first: the error is on the screen, under the box
    enter_code(page, "1111 1111")
    error = page.get_by_test_id("code-error")
    assert_in_view(page, error)

    enter_code(page, code.display)
    result(page, "本户页面已打开")
    expect(page.get_by_test_id("own-room")).to_have_text(household.room)
    expect(page.get_by_test_id("own-name")).to_have_text(household.owner_name[0] + "*" * (len(household.owner_name) - 1))
    expect(page.get_by_test_id("own-money")).to_contain_text("预计分摊")
    shot(page, f"1-code-{size}")

    # undecided: nothing to confirm yet; change to agree, confirm it, then oppose without a reason (refused),
    # then with one
    expect(page.get_by_test_id("confirm-vote")).to_have_count(0)
    page.locator("label.resident-choice.vote-agree").click()
    page.get_by_test_id("send-vote").click()
    result(page, "您的意愿“同意”已登记")
    expect(page.get_by_test_id("own-vote")).to_have_text("同意")
    shot(page, f"3-change-{size}")

    page.get_by_test_id("confirm-vote").click()
    result(page, "您的意愿“同意”已确认")
    shot(page, f"2-confirm-{size}")

    page.locator("label.resident-choice.vote-oppose").click()
    page.get_by_test_id("send-vote").click()
    assert_in_view(page, page.get_by_test_id("form-error"))
    page.locator("#id_reason").fill("楼层低，用不上")
    page.get_by_test_id("send-vote").click()
    result(page, "您的意愿“反对”已登记")

    assert Vote.objects.get(household=household).value == "oppose"
    changes = VoteChange.objects.filter(household=household).order_by("pk")
    assert [(c.before, c.after) for c in changes] == [("undecided", "agree"), ("agree", "agree"), ("agree", "oppose")]
    assert {(c.source, c.changed_by) for c in changes} == {(VoteSource.RESIDENT, None)}

    # the notice starts: the same session objects
    unit.stage = "notice"
    unit.save()
    Notice.objects.create(
        unit=unit, draft_signed_on=timezone.localdate(), starts_on=timezone.localdate(), days=20,
        plan_summary="平层入户", started_by=staff, started_at=timezone.now(),
    )
    page.reload()
    page.locator("#id_content").fill("电梯井挡住了我家的窗户")
    page.get_by_test_id("send-objection").click()
    result(page, "您的异议已登记")
    shot(page, f"4-object-{size}")
    assert Objection.objects.get().household == household

    # the household is closed by hand; the code opens it again
    page.get_by_role("button", name="退出本户页面").click()
    result(page, "已退出本户页面")
    enter_code(page, code.code)
    result(page, "本户页面已打开")


def test_large_type_stays_after_a_reload_and_reads_at_20_px(world, live_server, page):
    staff = world.users["staff"]
    link = services.public_link_issue(unit=world.unit, by=staff)
    page.goto(f"{live_server.url}/r/{link.token}/")
    base = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert base < 20
    page.get_by_test_id("type-toggle").click()
    # the toggle is a form: its answer must arrive before the reload, or the reload races it
    expect(page.get_by_test_id("type-toggle")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("html.resident-large")).to_have_count(1)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('main p, main dd, main dt, main li, main label, main td, main th')]
              .filter(e => e.offsetParent && e.textContent.trim())
              .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert sizes and min(sizes) >= 18, min(sizes)
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert_fits_the_phone(page)
    shot(page, "5-unit-page-large")
    # and back
    page.get_by_test_id("type-toggle").click()
    expect(page.get_by_test_id("type-toggle")).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.locator("html.resident-large")).to_have_count(0)
