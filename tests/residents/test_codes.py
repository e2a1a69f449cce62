"""Household codes: hashed, expiring, throttled; the session a code opens and what a household does in it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Notice, Objection, VoteChange, VoteSource
from residents import services, throttle, views
from residents.models import HouseholdCode
from retrofit.masking import mask_name
from tests.factories import at_stage, plan_for, shares
from tests.residents.conftest import PEOPLE
from units import contracts

pytestmark = pytest.mark.django_db


def issue(unit, household, by):
    return services.household_codes_issue(unit=unit, households=[household], by=by)[0]


def enter(client, link, code, **extra):
    return client.post(reverse("resident_code", args=[link.token]), {"code": code}, **extra)


def test_codes_are_ten_unambiguous_characters_stored_only_as_a_keyed_hash(world, stairwell):
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    assert len(issued.code) == 10 and set(issued.code) <= set(services.CODE_ALPHABET)
    assert not set("ILOU") & set(services.CODE_ALPHABET)  # nothing to mistake for 1, 0 or V
    # printed in groups that are easy to read out and type: ABCD-EFGH-JK
    assert issued.display == f"{issued.code[:4]}-{issued.code[4:8]}-{issued.code[8:]}"
    record = HouseholdCode.objects.get()
    assert issued.code not in record.code_hash and len(record.code_hash) == 64
    assert record.code_hash == services.code_hash(stairwell.pk, issued.code)
    assert record.expires_at - record.issued_at == services.CODE_VALID
    # a new code replaces the household's open one
    again = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    assert HouseholdCode.objects.live(timezone.now()).get().pk == again.record.pk
    with pytest.raises(services.CodeRefused):
        services.household_code_redeem(unit=stairwell, code=issued.code, ip="1.2.3.4")


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.lower(),
        lambda c: f" {c[:4]} {c[4:8]} {c[8:]} ",
        lambda c: f"{c[:4]}—{c[4:8]}-{c[8:]}".lower(),
        lambda c: "".join(chr(ord(ch) + 0xFEE0) for ch in c),  # full-width, as a Chinese keyboard may type it
        lambda c: c.replace("0", "o").replace("1", "l"),  # letters read for digits
    ],
)
def test_codes_are_accepted_however_they_are_typed(world, stairwell, typed):
    household = stairwell.households_list[0]
    HouseholdCode.objects.create(
        household=household, code_hash=services.code_hash(stairwell.pk, "K7R2-0M1X-9P".replace("-", "")),
        issued_by=world.users["staff"], issued_at=timezone.now(), expires_at=timezone.now() + services.CODE_VALID,
    )
    record = services.household_code_redeem(unit=stairwell, code=typed("K7R20M1X9P"), ip="1.2.3.4")
    assert record.household == household


def test_eight_digit_codes_issued_before_still_work(world, stairwell):
    household = stairwell.households_list[2]
    now = timezone.now()
    HouseholdCode.objects.create(
        household=household, code_hash=services.code_hash(stairwell.pk, "20481234"),
        issued_by=world.users["staff"], issued_at=now, expires_at=now + services.CODE_VALID,
    )
    assert services.household_code_redeem(unit=stairwell, code="2048 1234", ip="1.2.3.4").household == household


def test_a_code_opens_only_its_own_row_and_opens_it_again_until_it_expires(client, world, stairwell, link):
    plan = plan_for(stairwell)
    household = stairwell.households_list[1]
    issued = issue(stairwell, household, world.users["staff"])
    response = enter(client, link, issued.display)  # typed with the space
    assert response.status_code == 302
    assert response["Location"] == reverse("resident_household", args=[link.token]) + "#result"
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
    record = HouseholdCode.objects.get()
    first = record.used_at
    assert first is not None and record.last_used_at == first
    # the same code again, in another browser (the household's son, the next day): a new session
    other = client.__class__()
    response = enter(other, link, issued.code)
    assert response.status_code == 302 and other.get(reverse("resident_household", args=[link.token])).status_code == 200
    record.refresh_from_db()
    assert record.used_at == first and record.last_used_at >= first
    # until it expires
    HouseholdCode.objects.update(expires_at=timezone.now())
    assert enter(client.__class__(), link, issued.code).context["code_form"].errors


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


def test_five_wrong_codes_from_one_address_lock_that_address_for_15_minutes(world, stairwell):
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    now = timezone.now()
    for attempt in range(throttle.WRONG_PER_ADDRESS_UNIT):
        with pytest.raises(services.CodeRefused) as refused:
            services.household_code_redeem(unit=stairwell, code=f"AAAA-AAAA-A{attempt}", ip="9.9.9.9", now=now)
        assert not refused.value.throttled
    with pytest.raises(services.CodeRefused) as refused:
        services.household_code_redeem(unit=stairwell, code=issued.code, ip="9.9.9.9", now=now)
    assert refused.value.throttled
    assert refused.value.retry_at == now + throttle.ADDRESS_UNIT_WINDOW
    assert HouseholdCode.objects.get().used_at is None
    # after 15 minutes this address may try again
    later = now + throttle.ADDRESS_UNIT_WINDOW + timedelta(seconds=1)
    assert services.household_code_redeem(unit=stairwell, code=issued.code, ip="9.9.9.9", now=later)


def test_a_strangers_wrong_codes_never_block_a_valid_code_from_another_address(client, world, stairwell, link):
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    for index in range(50):
        enter(client, link, f"{index:010d}", REMOTE_ADDR="203.0.113.7")
    # the stranger's own address is throttled, even with the right code: it stays unused
    response = enter(client, link, issued.code, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    message = response.context["code_form"].errors["code"][0]
    assert "验证码错误次数过多" in message and int(response["Retry-After"]) > 0
    assert HouseholdCode.objects.get().used_at is None
    # the household, from its own phone, gets in at once
    response = enter(client.__class__(), link, issued.display, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 302
    assert HouseholdCode.objects.get().used_at is not None


def test_wrong_codes_for_many_units_from_one_address_are_capped_per_hour(world, stairwell):
    other = services.household_codes_issue(unit=world.unit, households=[world.flats[0]], by=world.users["staff"])[0]
    now = timezone.now()
    units = [stairwell, world.unit, world.sibling_unit, world.far_unit]
    for index in range(throttle.WRONG_PER_ADDRESS):
        unit = units[index % len(units)]
        with pytest.raises(services.CodeRefused) as refused:
            services.household_code_redeem(unit=unit, code=f"{index:010d}", ip="192.0.2.1", now=now + timedelta(minutes=index))
        assert not refused.value.throttled, index
    with pytest.raises(services.CodeRefused) as refused:
        services.household_code_redeem(unit=world.unit, code=other.code, ip="192.0.2.1", now=now + timedelta(minutes=30))
    assert refused.value.throttled
    assert services.household_code_redeem(unit=world.unit, code=other.code, ip="192.0.2.2", now=now + timedelta(minutes=30))


def test_rotating_forwarded_headers_does_not_escape_the_code_throttle(client, world, stairwell, link):
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    for index in range(throttle.WRONG_PER_ADDRESS_UNIT):
        enter(client, link, f"{index:010d}", REMOTE_ADDR="203.0.113.7",
              HTTP_X_REAL_IP=f"10.9.0.{index}", HTTP_X_FORWARDED_FOR=f"10.8.0.{index}")
    response = enter(client, link, issued.code, REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP="10.9.9.9",
                     HTTP_X_FORWARDED_FOR="10.8.8.8")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_address_is_throttled_on_its_own(client, world, stairwell, link, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    issued = issue(stairwell, stairwell.households_list[0], world.users["staff"])
    for index in range(throttle.WRONG_PER_ADDRESS_UNIT):
        enter(client, link, f"{index:010d}", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert enter(client, link, issued.code, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    response = enter(client, link, issued.code, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert response.status_code == 302


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
    # the household's page stays open, the result at its top
    assert response["Location"] == url + "#result"
    page = client.get(url)
    assert page.status_code == 200 and "您的意愿“同意”已确认" in page.content.decode()


def test_changing_the_vote_needs_a_reason_to_oppose(client, world, stairwell, link):
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    response = client.post(url, {"action": "vote", "version": 1, "value": "oppose", "reason": ""})
    assert response.status_code == 422 and response.context["vote_form"].non_field_errors()
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
    assert response.status_code == 302 and response["Location"] == url + "#result"
    assert not VoteChange.objects.exists()
    assert "您的意愿刚刚已被修改" in client.get(url).content.decode()


def _expire_session(client):
    session = client.session
    data = session[views.SESSION_KEY]
    data["until"] = (timezone.now() - timedelta(seconds=1)).isoformat()
    session[views.SESSION_KEY] = data
    session.save()


def test_the_household_session_ends_after_30_minutes_and_the_code_opens_a_new_one(client, world, stairwell, link):
    household = stairwell.households_list[0]
    issued = issue(stairwell, household, world.users["staff"])
    before = timezone.now()
    assert enter(client, link, issued.code).status_code == 302
    opened = services.HouseholdSession.from_data(client.session[views.SESSION_KEY])
    assert (opened.household, opened.code) == (household.pk, issued.record.pk)
    assert before + services.HOUSEHOLD_SESSION <= opened.until <= timezone.now() + services.HOUSEHOLD_SESSION
    url = reverse("resident_household", args=[link.token])
    _expire_session(client)
    response = client.get(url)
    assert response.status_code == 302 and views.SESSION_KEY not in client.session
    # a write after the end is refused the same way: nothing recorded
    enter(client, link, issued.code)
    _expire_session(client)
    assert client.post(url, {"action": "vote", "version": 1, "value": "oppose", "reason": "x"}).status_code == 302
    assert not VoteChange.objects.exists()
    # the code opens the household again
    assert enter(client, link, issued.code).status_code == 302 and client.get(url).status_code == 200


def test_a_session_is_tied_to_its_code_and_household(client, world, stairwell, link):
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    # a session edited to name another household opens nothing
    session = client.session
    data = session[views.SESSION_KEY]
    session[views.SESSION_KEY] = {**data, "household": stairwell.households_list[1].pk}
    session.save()
    assert client.get(url).status_code == 302
    # a new slip for the household ends the open session of the old code, and the old code opens nothing
    url = _open(client, link, stairwell, household, world.users["staff"])
    old = HouseholdCode.objects.filter(household=household, revoked_at__isnull=True).get()
    issue(stairwell, household, world.users["staff"])
    assert client.get(url).status_code == 302
    assert HouseholdCode.objects.get(pk=old.pk).revoked_at is not None
    assert HouseholdCode.objects.live(timezone.now()).filter(household=household).count() == 1


def test_one_session_confirms_then_changes_the_vote_each_recorded_as_the_resident_page(client, world, stairwell, link):
    household = stairwell.households_list[1]  # opposes, 担心噪音影响休息
    url = _open(client, link, stairwell, household, world.users["staff"])
    assert client.post(url, {"action": "confirm", "version": 1, "note": ""}).status_code == 302
    page = client.get(url)
    version = page.context["vote"].version
    response = client.post(url, {"action": "vote", "version": version, "value": "agree", "reason": ""})
    assert response.status_code == 302 and response["Location"] == url + "#result"
    assert "您的意愿“同意”已登记" in client.get(url).content.decode()
    changes = list(VoteChange.objects.filter(household=household).order_by("pk"))
    assert [(c.before, c.after) for c in changes] == [("oppose", "oppose"), ("oppose", "agree")]
    assert {c.source for c in changes} == {VoteSource.RESIDENT} and {c.changed_by for c in changes} == {None}


def test_one_session_confirms_and_then_objects_during_the_notice(client, world, stairwell, link):
    stairwell.stage = "notice"
    stairwell.save()
    Notice.objects.create(
        unit=stairwell, draft_signed_on=timezone.localdate(), starts_on=timezone.localdate(), days=20,
        plan_summary="平层入户", started_by=world.users["staff"], started_at=timezone.now(),
    )
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    assert client.post(url, {"action": "confirm", "version": 1, "note": ""}).status_code == 302
    assert VoteChange.objects.get(household=household).source == VoteSource.RESIDENT
    response = client.post(url, {"action": "object", "content": "电梯井挡住了我家的窗户"})
    assert response.status_code == 302 and response["Location"] == url + "#result"
    assert Objection.objects.get().household == household
    assert "您的异议已登记" in client.get(url).content.decode()


def test_after_signing_the_row_is_read_only(client, world, stairwell, link):
    stairwell.stage = "approval"
    stairwell.save()
    url = _open(client, link, stairwell, stairwell.households_list[0], world.users["staff"])
    page = client.get(url)
    assert "vote_form" not in page.context and "confirm_form" not in page.context
    response = client.post(url, {"action": "confirm", "version": 1})
    assert response.status_code == 422 and not VoteChange.objects.exists()


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


def test_before_signing_the_household_sees_an_expected_share_not_a_debt(client, world, stairwell, link):
    plan = plan_for(stairwell)
    household = stairwell.households_list[0]
    url = _open(client, link, stairwell, household, world.users["staff"])
    page = client.get(url)
    html = page.content.decode()
    share = f"{shares(plan)[household.pk]:,.2f}"
    assert not page.context["account"].outstanding
    assert "预计分摊" in html and share in html and "尚需缴纳" not in html
    # once the contract is made the share is due, and what is unpaid is still to pay
    at_stage(stairwell, "signing")
    contracts.contract_start(unit=stairwell, by=None)
    page = client.get(url)
    html = page.content.decode()
    assert page.context["account"].outstanding == shares(plan)[household.pk]
    assert "尚需缴纳" in html and "预计分摊" not in html


def test_confirming_an_opposing_vote_keeps_its_reason(client, world, stairwell, link):
    household = stairwell.households_list[1]  # opposes: 担心噪音影响休息
    url = _open(client, link, stairwell, household, world.users["staff"])
    assert client.post(url, {"action": "confirm", "version": 1, "note": ""}).status_code == 302
    household.vote.refresh_from_db()
    assert household.vote.reason == "担心噪音影响休息（住户已在居民页面确认。）"
    # the same confirmation again writes nothing
    client.post(url, {"action": "confirm", "version": household.vote.version, "note": ""})
    assert VoteChange.objects.filter(household=household).count() == 1


@pytest.mark.parametrize("index", [3, 4])  # 未表态, 联系不上: no vote of theirs to confirm
def test_a_household_without_a_vote_is_asked_to_choose_not_to_confirm_none(client, world, stairwell, link, index):
    household = stairwell.households_list[index]
    url = _open(client, link, stairwell, household, world.users["staff"])
    page = client.get(url)
    html = page.content.decode()
    assert 'data-testid="confirm-vote"' not in html and "我确认" not in html
    assert page.context["vote_form"] is not None
    response = client.post(url, {"action": "confirm", "version": 1, "note": ""})
    assert response.status_code == 422
    assert not VoteChange.objects.filter(household=household).exists()
