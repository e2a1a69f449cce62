"""Household codes: hashed, single-use, expiring, throttled; and what a household does with one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Notice, Objection, VoteChange, VoteSource
from residents import services, throttle
from residents.models import CodeFailure, HouseholdCode
from retrofit.masking import mask_name
from tests.payments.helpers import plan_for, shares
from tests.residents.conftest import PEOPLE

pytestmark = pytest.mark.django_db


def issue(unit, household, by):
    return services.household_codes_issue(unit=unit, households=[household], by=by)[0]


def enter(client, link, code, **extra):
    return client.post(reverse("resident_code", args=[link.token]), {"code": code}, **extra)


def test_codes_are_eight_digits_stored_only_as_a_keyed_hash(world, stairwell):
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    assert len(issued.code) == 8 and issued.code.isdigit()
    record = HouseholdCode.objects.get()
    assert issued.code not in record.code_hash and len(record.code_hash) == 64
    assert record.code_hash == services.code_hash(stairwell.pk, issued.code)
    assert record.expires_at - record.issued_at == services.CODE_VALID
    # a new code replaces the household's open one
    again = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    assert HouseholdCode.objects.live(timezone.now()).get().pk == again.record.pk
    with pytest.raises(services.CodeRefused):
        services.household_code_redeem(unit=stairwell, code=issued.code, ip="1.2.3.4")


def test_a_code_works_once_and_opens_only_its_own_row(client, world, stairwell, link):
    plan = plan_for(stairwell)
    household = stairwell.households_list[1]
    issued = issue(stairwell, household, world.users["staff"])
    response = enter(client, link, issued.display)  # typed with the space
    assert response.status_code == 302 and response["Location"] == reverse("resident_household", args=[link.token])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert household.room in html and mask_name(household.owner_name) in html
    assert household.owner_name not in html and household.phone not in html
    for name, phone, room, *_ in PEOPLE:
        if room != household.room:
            assert room not in html and name not in html and mask_name(name) not in html
            assert not phone or phone not in html
    assert page.context["account"].due == shares(plan)[household.pk]
    # the same code again, in another browser: refused
    other = client.__class__()
    assert enter(other, link, issued.code).context["code_form"].errors


def test_expired_and_other_units_codes_are_refused(world, stairwell, link):
    household = stairwell.households_list[0]
    issued = issue(stairwell, household, world.users["staff"])
    later = issued.record.expires_at + timedelta(seconds=1)
    with pytest.raises(services.CodeRefused):
        services.household_code_redeem(unit=stairwell, code=issued.code, ip="1.1.1.1", now=later)
    fresh = issue(stairwell, household, world.users["staff"])
    with pytest.raises(services.CodeRefused):
        services.household_code_redeem(unit=world.unit, code=fresh.code, ip="1.1.1.2")
    assert services.household_code_redeem(unit=stairwell, code=fresh.code, ip="1.1.1.3").household == household


def test_five_wrong_codes_from_one_address_lock_it_for_15_minutes(world, stairwell, monkeypatch):
    monkeypatch.setattr(throttle, "WRONG_PER_UNIT", 100)
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    now = timezone.now()
    for attempt in range(5):
        with pytest.raises(services.CodeRefused) as refused:
            services.household_code_redeem(unit=stairwell, code=f"0000000{attempt}", ip="9.9.9.9", now=now)
        assert not refused.value.throttled
    with pytest.raises(services.CodeRefused) as refused:
        services.household_code_redeem(unit=stairwell, code=issued.code, ip="9.9.9.9", now=now)
    assert refused.value.throttled
    # another address may still try; and after 15 minutes this one may too
    later = now + throttle.IP_WINDOW + timedelta(seconds=1)
    assert services.household_code_redeem(unit=stairwell, code=issued.code, ip="9.9.9.9", now=later)


def test_five_wrong_codes_for_a_unit_lock_the_unit_for_an_hour(client, world, stairwell, link):
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    for index in range(5):
        enter(client, link, "12345678", REMOTE_ADDR=f"10.0.0.{index}")
    response = enter(client, link, issued.code, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429
    assert HouseholdCode.objects.get().used_at is None
    assert CodeFailure.objects.filter(unit=stairwell).count() == 5
    now = timezone.now()
    with pytest.raises(services.CodeRefused):
        services.household_code_redeem(unit=stairwell, code=issued.code, ip="10.0.1.1", now=now + timedelta(minutes=59))
    after = now + throttle.UNIT_WINDOW + timedelta(seconds=1)
    assert services.household_code_redeem(unit=stairwell, code=issued.code, ip="10.0.1.1", now=after)


def _open(client, link, unit, household, by):
    issued = issue(unit, household, by)
    assert enter(client, link, issued.code).status_code == 302
    return reverse("resident_household", args=[link.token])


def test_confirming_the_vote_lands_in_the_history_as_the_resident_page(client, world, stairwell, link):
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    before = VoteChange.objects.count()
    response = client.post(url, {"action": "confirm", "version": 1, "note": ""})
    assert response.status_code == 302
    change = VoteChange.objects.get(household=household)
    assert VoteChange.objects.count() == before + 1
    assert (change.before, change.after, change.source, change.changed_by) == ("agree", "agree", VoteSource.RESIDENT, None)
    # one action per code: the household's page is closed now
    assert client.get(url).status_code == 302


def test_changing_the_vote_needs_a_reason_to_oppose(client, world, stairwell, link):
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    response = client.post(url, {"action": "vote", "version": 1, "value": "oppose", "reason": ""})
    assert response.status_code == 200 and response.context["vote_form"].non_field_errors()
    assert not VoteChange.objects.exists()
    response = client.post(url, {"action": "vote", "version": 1, "value": "oppose", "reason": "费用太高"})
    assert response.status_code == 302
    household.vote.refresh_from_db()
    assert (household.vote.value, household.vote.reason, household.vote.recorded_by) == ("oppose", "费用太高", None)
    assert VoteChange.objects.get().source == VoteSource.RESIDENT


def test_a_stale_form_changes_nothing(client, world, stairwell, link):
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    response = client.post(url, {"action": "vote", "version": 0, "value": "oppose", "reason": "x"})
    assert response.status_code == 200 and not VoteChange.objects.exists()


def test_the_household_session_ends_after_30_minutes(client, world, stairwell, link):
    url = _open(client, link, stairwell, stairwell.households_list[0], world.users["staff"])
    used = timezone.now() - services.HOUSEHOLD_SESSION - timedelta(seconds=1)
    HouseholdCode.objects.update(issued_at=used - timedelta(minutes=5), used_at=used)
    assert client.get(url).status_code == 302


def test_after_signing_the_row_is_read_only(client, world, stairwell, link):
    stairwell.stage = "approval"
    stairwell.save()
    url = _open(client, link, stairwell, stairwell.households_list[0], world.users["staff"])
    page = client.get(url)
    assert "vote_form" not in page.context and "confirm_form" not in page.context
    response = client.post(url, {"action": "confirm", "version": 1})
    assert response.status_code == 200 and not VoteChange.objects.exists()


def test_an_objection_during_the_notice_is_recorded_in_the_owners_real_name(client, world, stairwell, link):
    stairwell.stage = "notice"
    stairwell.save()
    notice = Notice.objects.create(
        unit=stairwell, draft_signed_on=timezone.localdate(), starts_on=timezone.localdate(), days=20,
        plan_summary="平层入户", started_by=world.users["staff"], started_at=timezone.now(),
    )
    household = stairwell.households_list[1]
    url = _open(client, link, stairwell, household, world.users["staff"])
    assert "vote_form" not in client.get(url).context  # during the notice: confirm or object
    response = client.post(url, {"action": "object", "content": "分摊方案对低层不公平"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.notice, objection.household, objection.objector) == (notice, household, household.owner_name)
    assert "分摊方案对低层不公平" in objection.content and objection.recorded_by == world.users["staff"]


@pytest.mark.parametrize(
    "role, status", [("staff", 302), ("leader", 302), ("viewer", 403), ("unit_leader", 404), ("sibling_staff", 404)]
)
def test_who_issues_codes(client, world, stairwell, role, status):
    client.force_login(world.users[role])
    response = client.post(reverse("household_codes_issue", args=[stairwell.pk]), {"household": "all"})
    assert response.status_code == status
    assert HouseholdCode.objects.exists() == (status == 302)


def test_slips_show_the_codes_once(client, world, stairwell):
    client.force_login(world.users["staff"])
    response = client.post(reverse("household_codes_issue", args=[stairwell.pk]), {"household": "all"})
    assert response["Location"] == reverse("household_code_slips", args=[stairwell.pk])
    page = client.get(response["Location"])
    slips = page.context["slips"]
    assert len(slips) == len(PEOPLE) == HouseholdCode.objects.count()
    assert [s["household"].room for s in slips][:2] == ["东-601", "西-602"]
    assert "data:image/svg+xml" in page.content.decode()
    code = slips[0]["code"]
    assert services.household_code_redeem(unit=stairwell, code=code, ip="1.2.3.4").household.room == "东-601"
    assert client.get(response["Location"]).context["slips"] == []  # shown once
