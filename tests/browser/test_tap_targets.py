"""Sized for a thumb: on a 390 px phone every button, link, input, select and text box of the pages used
most is at least 44×44 CSS px (WCAG 2.5.5), measured with getBoundingClientRect.

A radio or checkbox may stay small when its label is the 44×44 target (tapping the label ticks it); a
Bootstrap toggle button (``btn-check``) is its label. One exception, WCAG's own: a link inside a sentence
of a paragraph (``<p>``) is as tall as the line it sits in. Closed ``<details>`` are opened first, so what
they hide is measured too.
"""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.services import holdouts
from payments import services as payments
from payments.models import Method
from residents import services as residents
from retrofit.models import Role
from tests.factories import add_flats, make_unit, make_user, plan_for, signed_plan_for
from units.models import Stage

pytestmark = pytest.mark.django_db(transaction=True)

MIN = 44

# Returns the targets smaller than MIN×MIN on the page, each as "tag 'text' w×h".
SMALL_TARGETS = """(min) => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const shown = (el) => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) && el.getClientRects().length > 0;
  const big = (r) => r.width >= min - 0.5 && r.height >= min - 0.5;
  const block = (el) => { let b = el.parentElement; while (b && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement; return b; };
  // WCAG 2.5.5's inline exception: a plain link in a sentence of a paragraph.
  const inSentence = (el) => {
    if (el.tagName !== 'A' || el.classList.contains('btn') || getComputedStyle(el).display !== 'inline') return false;
    const p = block(el);
    if (!p || p.tagName !== 'P') return false;
    return /\\p{L}{2}/u.test(p.innerText.replace(el.innerText, ''));
  };
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    let targets = [el];
    if (el.matches('input[type=radio], input[type=checkbox]')) {
      targets = el.classList.contains('btn-check') ? [...el.labels] : [el, ...el.labels];
    }
    targets = targets.filter(shown);
    if (!targets.length || inSentence(el)) continue;
    const rects = targets.map((t) => t.getBoundingClientRect());
    if (rects.some(big)) continue;
    const r = rects.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
    const label = targets[targets.length - 1];
    const text = (label.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().replace(/\\s+/g, ' ').slice(0, 24);
    small.push(`${el.tagName.toLowerCase()}${el.type ? '[' + el.type + ']' : ''} '${text}' ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return small;
}"""


def small_targets(page):
    return page.evaluate(SMALL_TARGETS, MIN)


@pytest.fixture
def street(world):
    """A unit in consultation with holdouts and a plan, a unit in signing with payments, a public link."""
    staff = world.users["staff"]
    consult = make_unit(world.community, estate=world.estate.name, building="2")
    flats = add_flats(consult, ["agree"] * 6 + ["oppose"] * 3 + ["undecided"] * 3, owner_prefix="甲")
    consult.stage = Stage.CONSULTATION
    consult.save()
    plan_for(consult)
    holdouts.holdout_save(household=flats[7], by=staff, reason="hardship", degree="soft", detail="退休金低")
    signing = make_unit(world.community, estate=world.estate.name, building="3")
    signers = add_flats(signing, ["agree"] * 12, owner_prefix="乙")
    signed_plan_for(signing, stage=Stage.SIGNING)
    payments.payment_record(
        household=signers[-1], amount=Decimal("1000.00"), on=timezone.localdate(), method=Method.BANK,
        receipt_no="R-1", by=staff,
    )
    link = residents.public_link_issue(unit=consult, by=staff)
    code = residents.household_codes_issue(unit=consult, households=[flats[9]], by=staff)[0]
    return {"consult": consult, "flats": flats, "signing": signing, "link": link, "code": code}


def test_every_target_on_the_phone_pages_is_thumb_sized(world, street, live_server, log_in, page):
    consult, signing = street["consult"], street["signing"]
    holdout = street["flats"][7]
    found = {}

    def measure(name):
        found[name] = small_targets(page)

    page = log_in(world.users["staff"])
    for name, path in [
        ("estate page", f"/estates/{world.estate.pk}/"),
        ("visit list", f"/communities/{world.community.pk}/visits/"),
        ("holdout form", f"/households/{holdout.pk}/holdout/"),
        ("contact form", f"/households/{holdout.pk}/contacts/new/"),
        ("plan page", f"/units/{consult.pk}/plan/"),
        ("contract page", f"/units/{signing.pk}/contract/"),
        ("payments page", f"/units/{signing.pk}/payments/"),
    ]:
        assert page.goto(live_server.url + path).status == 200, path
        measure(name)

    # The unit page with its holdout list, then its vote sheet.
    page.goto(f"{live_server.url}/units/{consult.pk}/")
    expect(page.get_by_test_id("holdouts")).to_be_visible()
    measure("unit page")
    page.get_by_test_id(f"flat-{holdout.room}").click()
    expect(page.get_by_test_id("vote-form")).to_be_visible()
    page.wait_for_timeout(400)  # the sheet slides in; measured where it comes to rest
    measure("vote sheet")

    page.context.clear_cookies()
    page = log_in(world.users["leader"])
    page.goto(f"{live_server.url}/dashboard/")
    measure("dashboard")

    # A resident: the unit's public page, then the household's own page after the code.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/r/{street['link'].token}/")
    measure("public unit page")
    page.locator("#id_code").fill(street["code"].display)
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("own-room")).to_be_visible()
    measure("household page")

    too_small = {name: targets for name, targets in found.items() if targets}
    assert not too_small, "smaller than 44×44 at 390 px:\n" + "\n".join(
        f"{name}: {', '.join(targets)}" for name, targets in too_small.items()
    )


def test_the_measure_finds_a_small_button(world, live_server, log_in):
    """The measure is not blind: a 31 px button on the page is listed, a 48 px one is not."""
    page = log_in(make_user("staff9", Role.COMMUNITY_STAFF, community=world.community))
    page.goto(f"{live_server.url}/estates/{world.estate.pk}/")
    page.evaluate("""() => {
      const tiny = document.createElement('button'); tiny.textContent = 'tiny'; tiny.style.cssText = 'all: initial; display: inline-block; width: 60px; height: 31px';
      const fine = document.createElement('button'); fine.textContent = 'fine'; fine.style.cssText = 'all: initial; display: inline-block; width: 60px; height: 48px';
      document.querySelector('main').append(tiny, fine);
    }""")
    found = small_targets(page)
    assert "button[submit] 'tiny' 60×31" in found
    assert not [target for target in found if "'fine'" in target]
