"""The public page of a unit: what the stairwell may know, and nothing about any household."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Contact, Holdout, Meeting, MeetingKind, Notice, Objection
from residents import services
from residents.models import CommunityContact
from retrofit.masking import mask_name, mask_phone
from tests.factories import plan_for
from tests.residents.conftest import PEOPLE

pytestmark = pytest.mark.django_db


def _private_values():
    values = []
    for name, phone, room, _floor, area, _vote, reason in PEOPLE:
        values += [name, mask_name(name), room, area]
        if phone:
            values += [phone, mask_phone(phone)]
        if reason:
            values.append(reason)
    return values


def _add_everything_private(world, stairwell, yard_meeting):
    """Holdouts, contacts, a notice objection: all things staff record about households."""
    staff = world.users["staff"]
    opponent = stairwell.households_list[1]
    Holdout.objects.create(
        household=opponent, reason="noise_light", degree="strong", detail="家里有夜班工人",
        recorded_by=staff, updated_at=timezone.now(),
    )
    Contact.objects.create(
        household=opponent, channel="visit", outcome="talked", made_by=staff, contacted_at=timezone.now(),
        note="儿子在外地，下周再来",
    )
    plan_for(stairwell, reliefs={stairwell.households_list[-1].pk: Decimal("500.00")})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_page_shows_no_household_data(client, world, stairwell, link, yard_meeting, language):
    _add_everything_private(world, stairwell, yard_meeting)
    client.cookies["django_language"] = language  # the menu's switch; the browser's language is not followed
    response = client.get(reverse("resident_unit", args=[link.token]))
    assert response.status_code == 200
    html = response.content.decode()
    for value in [*_private_values(), "家里有夜班工人", "儿子在外地", "欧阳明华说同意"]:
        assert value not in html, value
    # no flat's vote: no per-flat vote markers, and in English no vote label at all
    for marker in ("vote-agree", "vote-oppose", "vote-abstain", "vote-undecided", "vote-unreachable", "hardship"):
        assert marker not in html
    if language == "en":
        for label in ("Oppose", "Abstain", "Undecided", "Unreachable", "Hardship"):
            assert label not in html
    # and no staff links or ids
    assert f"/units/{stairwell.pk}/" not in html and "/households/" not in html


def test_the_public_page_shows_what_the_stairwell_may_know(client, world, stairwell, link, yard_meeting):
    plan = plan_for(stairwell)
    CommunityContact.objects.create(
        community=world.community, name="王晓梅", phone="028-87654321", updated_at=timezone.now()
    )
    Meeting.objects.create(  # a leadership meeting is not for residents
        street=world.street, kind=MeetingKind.COORDINATION, held_on=timezone.localdate() + timedelta(days=1),
        created_by=world.users["leader"], created_at=timezone.now(),
    ).units.add(stairwell)
    response = client.get(reverse("resident_unit", args=[link.token]))
    page = response.context["page"]
    assert [s.state for s in page.steps][:3] == ["done", "current", "next"]
    # 4 agree of 8 owners; the agrees needed come from the consent engine
    assert (page.consent.agree, page.consent.owners, page.consent.reached) == (4, 8, False)
    assert page.consent.needed >= 1
    assert page.plan == plan
    by_floor = {row.floor: row for row in page.floors}
    six = [s.amount for s in plan.shares.all() if s.floor == 6]
    assert by_floor[6].flats == 2 and by_floor[6].average == (sum(six) / 2).quantize(Decimal("0.01"))
    assert page.meeting == yard_meeting
    html = response.content.decode()
    assert "王晓梅" in html and "028-87654321" in html and "8栋楼下空地" in html
    assert f"{plan.net_cost:,.2f}" in html


def test_the_public_page_in_the_notice_shows_the_period_but_not_the_objectors(client, world, stairwell, link):
    Notice.objects.filter(unit=stairwell).delete()
    stairwell.stage = "notice"
    stairwell.save()
    notice = Notice.objects.create(
        unit=stairwell, draft_signed_on=timezone.localdate(), starts_on=timezone.localdate(), days=20,
        plan_summary="平层入户", started_by=world.users["staff"], started_at=timezone.now(), contact_phone="028-11112222",
    )
    Objection.objects.create(
        notice=notice, household=stairwell.households_list[1], objector="司马青云", received_on=timezone.localdate(),
        content="低层不受益", recorded_by=world.users["staff"], recorded_at=timezone.now(),
    )
    response = client.get(reverse("resident_unit", args=[link.token]))
    html = response.content.decode()
    assert response.context["page"].notice == notice
    assert "低层不受益" not in html and "司马青云" not in html
    assert "028-11112222" in html  # the notice's phone for objections is public


def test_public_page_query_count_is_fixed(client, world, stairwell, link, yard_meeting, django_assert_num_queries):
    plan_for(stairwell)
    url = reverse("resident_unit", args=[link.token])
    client.get(url)
    # link; hit counter (update, read); stage dates; plan; its shares; households with votes;
    # round; notice; meeting; contact; construction
    with django_assert_num_queries(12):
        client.get(url)


def test_no_login_no_database_id_and_revoked_links_lead_nowhere(client, world, stairwell, link):
    assert len(link.token) >= 22 and str(stairwell.pk) != link.token
    assert client.get(reverse("resident_unit", args=[link.token])).status_code == 200
    assert client.get(f"/r/{stairwell.pk}/").status_code == 404
    assert client.get(reverse("resident_unit", args=["x" * 80])).status_code == 404
    services.public_link_revoke(unit=stairwell, by=world.users["staff"])
    assert client.get(reverse("resident_unit", args=[link.token])).status_code == 404
    fresh = services.public_link_issue(unit=stairwell, by=world.users["staff"])
    assert fresh.token != link.token
    assert client.get(reverse("resident_unit", args=[fresh.token])).status_code == 200
    newer = services.public_link_issue(unit=stairwell, by=world.users["staff"])
    assert client.get(reverse("resident_unit", args=[fresh.token])).status_code == 404
    assert client.get(reverse("resident_unit", args=[newer.token])).status_code == 200
    assert stairwell.public_links.filter(revoked_at__isnull=True).count() == 1


def test_the_page_is_rate_limited_per_address(client, stairwell, link, monkeypatch):
    from residents import throttle

    monkeypatch.setattr(throttle, "PAGE_LIMIT", 3)
    url = reverse("resident_unit", args=[link.token])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address
    # unknown tokens count too, under their own key
    assert [client.get("/r/nope/").status_code for _ in range(4)] == [404, 404, 404, 429]


def test_a_new_window_starts_a_new_count(db):
    from residents import throttle

    now = timezone.now()
    assert all(throttle.page_hit("k", now=now, limit=2) for _ in range(2))
    assert not throttle.page_hit("k", now=now, limit=2)
    assert throttle.page_hit("k", now=now + timedelta(seconds=throttle.PAGE_WINDOW), limit=2)


def test_a_stale_qr_code_names_the_communitys_contact(client, settings, world, stairwell, link):
    """A QR code replaced by a new one answers 404 in Chinese with the community's contact, and nothing of
    the unit: not its page, not the new link, not a household."""
    settings.DEBUG = False
    CommunityContact.objects.create(
        community=world.community, name="李干事", phone="028-87654321", office="绵纺社区居委会二楼", hours="周一至周五 9:00-17:00",
        updated_at=timezone.now(),
    )
    fresh = services.public_link_issue(unit=stairwell, by=world.users["staff"])
    response = client.get(reverse("resident_unit", args=[link.token]))
    assert response.status_code == 404 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert 'data-testid="stale-link"' in page
    for text in ("绵纺社区", "李干事", "tel:02887654321", "绵纺社区居委会二楼", "周一至周五 9:00-17:00"):
        assert text in page
    assert fresh.token not in page and "锦江花园" not in page
    for value in _private_values():
        assert value not in page
    # The household page of the stale link answers the same.
    assert 'data-testid="stale-link"' in client.get(reverse("resident_household", args=[link.token])).content.decode()


def test_a_stale_qr_code_without_a_contact_sends_to_the_community_office(client, settings, world, stairwell, link):
    settings.DEBUG = False
    services.public_link_revoke(unit=stairwell, by=world.users["staff"])
    page = client.get(reverse("resident_unit", args=[link.token])).content.decode()
    assert 'data-testid="stale-link"' in page and "绵纺社区" in page


def test_an_unknown_token_answers_a_general_chinese_404(client, settings, world):
    settings.DEBUG = False
    response = client.get(reverse("resident_unit", args=["no-such-token-at-all"]))
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="unknown-link"' in page and "社区" in page and "Not Found" not in page
    assert "绵纺社区" not in page  # nothing to know it by


def test_large_type_is_a_cookie_the_server_draws_with(client, world, stairwell, link):
    url = reverse("resident_unit", args=[link.token])
    assert 'class="resident-large"' not in client.get(url).content.decode()
    response = client.post(reverse("resident_large_type", args=[link.token]), {"large": "1", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies["resident_type"].value == "large" and response.cookies["resident_type"]["max-age"]
    html = client.get(url).content.decode()
    assert 'class="resident-large"' in html and 'aria-pressed="true"' in html
    # back to normal; a "next" outside the residents' pages is not followed
    response = client.post(reverse("resident_large_type", args=[link.token]), {"large": "0", "next": "https://evil.example/"})
    assert response["Location"] == url
    assert 'class="resident-large"' not in client.get(url).content.decode()
    # from the code form's refusal (a POST address) it goes back to the unit page
    code_url = reverse("resident_code", args=[link.token])
    assert client.post(reverse("resident_large_type", args=[link.token]), {"large": "1", "next": code_url})["Location"] == url
