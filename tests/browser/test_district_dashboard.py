"""The district head's dashboard in the browser: the bureau's official lands on it, it fits a phone, and
the drill-down goes district → street → community and back by the breadcrumb."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrofit.models import Role
from tests.browser.conftest import assert_fits_the_phone, shot
from tests.factories import add_flats, at_stage, make_unit, make_user
from units.models import Community, District, Stage, Street, Unit

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def bureau(world):
    """锦江区 with 红旗街道 and two more streets, units in several stages; its official."""
    district = District.objects.create(name="锦江区")
    Street.objects.filter(pk=world.street.pk).update(district=district)
    stages = {"合江亭街道": (Stage.CONSTRUCTION, Stage.SIGNING), "水井坊街道": (Stage.NOTICE, Stage.CONSULTATION)}
    for name, (first, second) in stages.items():
        community = Community.objects.create(street=Street.objects.create(name=name, district=district), name=f"{name[:3]}社区")
        for number, stage in enumerate((first, second), start=1):
            unit = make_unit(community, estate=f"{name[:3]}小区", unit=str(number))
            add_flats(unit, ["agree"] * 9 + ["oppose", "undecided", "abstain"], owner_prefix=f"{name}{number}-")
            at_stage(unit, stage)
    world.district = district
    return make_user("bureau", Role.DISTRICT_OFFICIAL, district=district)


def test_the_district_dashboard_fits_the_phone_and_drills_down_and_back(world, bureau, live_server, log_in):
    page = log_in(bureau)
    assert f"/dashboard/district/{world.district.pk}/" in page.url  # where the bureau lands
    streets = page.get_by_test_id("streets")
    expect(streets.locator("tbody tr")).to_have_count(3)
    expect(streets.locator("tbody tr").first).to_contain_text("合江亭街道")  # the most advanced first
    page.wait_for_load_state("networkidle")  # the charts drawn
    assert_fits_the_phone(page)
    shot(page, "district-390", full_page=True)

    page.set_viewport_size(DESKTOP)
    page.reload()
    page.wait_for_load_state("networkidle")
    shot(page, "district-1280", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})

    streets.get_by_role("link", name="红旗街道").click()
    page.wait_for_url(f"**/dashboard/street/{world.street.pk}/")
    crumbs = page.get_by_role("navigation", name="当前位置")
    expect(crumbs).to_contain_text("锦江区")
    assert_fits_the_phone(page)
    page.get_by_test_id("groups").get_by_role("link", name="绵纺社区").click()
    page.wait_for_url(f"**/dashboard/community/{world.community.pk}/")
    crumbs.get_by_role("link", name="锦江区").click()
    page.wait_for_url(f"**/dashboard/district/{world.district.pk}/")
    expect(page.get_by_test_id("streets")).to_be_visible()


def test_a_long_attention_list_scrolls_beside_the_stages_on_a_desktop_and_reads_in_full_on_a_phone(
    world, bureau, live_server, log_in
):
    """Each unit needing attention says its next step, so the list grows long: on a desktop its card is as
    tall as the stages and funnel beside it and the list scrolls within; on a phone it is read in full."""
    for number in range(3, 15):
        unit = make_unit(world.community, estate="停滞小区", unit=str(number))
        add_flats(unit, ["agree"] * 3 + ["oppose"] * 3, owner_prefix=f"停滞{number}-")
    Unit.objects.filter(building__estate__name="停滞小区").update(
        stage=Stage.CONSULTATION, stage_since=timezone.now() - timedelta(days=60)
    )
    page = log_in(bureau)
    page.set_viewport_size(DESKTOP)
    page.reload()
    sizes = page.evaluate(
        """() => {
            const card = document.querySelector('[data-testid=attention-card]');
            const list = card.querySelector('[data-testid=attention]');
            const stages = document.querySelector('[data-testid=stage-counts]').closest('section');
            return {card: card.getBoundingClientRect().height, stages: stages.getBoundingClientRect().height,
                    scroll: list.scrollHeight, client: list.clientHeight};
        }"""
    )
    assert abs(sizes["card"] - sizes["stages"]) <= 1, sizes
    assert sizes["scroll"] > sizes["client"], sizes  # the rest is a scroll away, not cut off
    shot(page, "district-attention-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    list_ = page.get_by_test_id("attention")
    assert list_.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    expect(list_.get_by_test_id("next-step-inline").first).to_be_visible()
    assert_fits_the_phone(page)
