"""The public notice 公示: start it from a ready unit, hold the unit until the period has run and every
objection is settled, and print it for the stairwell with owner names masked."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations import guards, services
from consultations.models import ConsultationRound, Notice, NoticeStatus, RoundStatus, Vote
from tests.factories import WRITES_THE_UNIT
from units import lifecycle
from units.models import Stage, Street


def _consultation(world):
    return services.round_open(
        unit=world.unit, deadline=timezone.localdate() + timedelta(days=10), channels=["notice"], by=world.users["staff"]
    )


def _start(world, **kwargs):
    today = timezone.localdate()
    args = {
        "unit": world.unit,
        "draft_signed_on": today,
        "starts_on": today,
        "plan_summary": "平层入户，总造价 58 万元，财政补贴 20 万元，按楼层系数分摊。",
        "by": world.users["staff"],
    }
    args.update(kwargs)
    return services.notice_start(**args)


def test_starting_the_notice_moves_a_ready_unit_to_notice_and_closes_the_round(world):
    r = _consultation(world)
    notice = _start(world, contact_phone="028-6666")
    world.unit.refresh_from_db()
    r.refresh_from_db()
    assert world.unit.stage == Stage.NOTICE
    assert (r.status, notice.round, notice.status) == (RoundStatus.CLOSED, r, NoticeStatus.RUNNING)
    assert notice.days == 20  # the street's policy default
    assert notice.last_day == timezone.localdate() + timedelta(days=19)


def test_the_period_follows_the_streets_policy_and_can_be_set(world):
    Street.objects.filter(pk=world.street.pk).update(notice_days=14)
    world.unit = type(world.unit).objects.for_listing().get(pk=world.unit.pk)
    _consultation(world)
    assert _start(world).days == 14
    world.unit.refresh_from_db()
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=world.users["staff"], reason="重新公示")
    assert _start(world, days=30).days == 30


def test_a_unit_that_does_not_pass_cannot_start_its_notice(world):
    _consultation(world)
    Vote.objects.filter(household__in=world.flats[:4]).update(value="oppose")
    with pytest.raises(lifecycle.MoveRefused):
        _start(world)
    world.unit.refresh_from_db()
    assert world.unit.stage == Stage.CONSULTATION
    assert not Notice.objects.exists()
    assert ConsultationRound.objects.get().status == RoundStatus.OPEN


def test_the_notice_needs_a_unit_in_consultation_and_cannot_precede_the_draft_signing(world):
    with pytest.raises(ValidationError):
        _start(world)  # still in survey
    _consultation(world)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        _start(world, draft_signed_on=today, starts_on=today - timedelta(days=1))
    assert services.NOTICE_BEFORE_DRAFT in refused.value.messages


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _travel(monkeypatch, day, hour=10):
    """Freeze the server's clock (and so today's local date) at ``day``."""
    moment = _at(day, hour)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _noticed(world, starts_on):
    """A 20-day notice posted and recorded on ``starts_on`` (recorded then, as the demo seeds history)."""
    _consultation(world)
    return _start(world, draft_signed_on=starts_on, starts_on=starts_on, days=20, when=_at(starts_on, 9))


def test_signing_waits_until_the_day_after_the_last_day(world):
    _noticed(world, date(2026, 3, 1))
    assert guards.notice_over(world.unit, today=date(2026, 3, 20))  # the last day: still running
    assert guards.notice_over(world.unit, today=date(2026, 3, 21)) == []


def test_an_open_objection_blocks_signing_until_settled(world):
    notice = _noticed(world, date(2026, 3, 1))
    objection = services.objection_log(
        notice=notice, objector="李建国", household=world.flats[8], received_on=date(2026, 3, 5),
        content="担心电梯井影响一楼采光", by=world.users["staff"],
    )
    # The period is over; the objection is its own guard on leaving the notice, named as such.
    assert guards.notice_over(world.unit, today=date(2026, 4, 1)) == []
    assert len(guards.objections_settled(world.unit)) == 1
    with pytest.raises(ValidationError):
        services.objection_settle(objection=objection, resolution=" ", by=world.users["staff"])
    services.objection_settle(objection=objection, resolution="调整井道位置，业主撤回异议", by=world.users["staff"])
    assert guards.objections_settled(world.unit) == []
    with pytest.raises(ValidationError):
        services.objection_settle(objection=objection, resolution="again", by=world.users["staff"])


def test_the_lifecycle_refuses_signing_during_the_period_and_allows_it_after(world, monkeypatch):
    today = timezone.localdate()
    _noticed(world, today - timedelta(days=19))  # today is the last day
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    _travel(monkeypatch, today + timedelta(days=1))
    lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    assert Notice.objects.get().status == NoticeStatus.COMPLETED


# --- the statutory period cannot be skipped ----------------------------------------------------------


def test_the_period_cannot_be_shorter_than_the_streets_policy(world):
    _consultation(world)
    with pytest.raises(ValidationError) as refused:
        _start(world, days=1)
    assert "公示期不能少于 20 天" in " ".join(refused.value.messages)
    world.unit.refresh_from_db()
    assert (world.unit.stage, Notice.objects.count()) == (Stage.CONSULTATION, 0)
    assert _start(world, days=21).days == 21


def test_a_running_notice_cannot_be_edited_below_the_streets_policy(world):
    notice = _noticed(world, timezone.localdate() + timedelta(days=3))  # not posted yet: may shrink
    with pytest.raises(ValidationError) as refused:
        services.notice_update(notice=notice, days=5, plan_summary="x", by=world.users["staff"])
    assert "公示期不能少于 20 天" in " ".join(refused.value.messages)


def test_community_staff_cannot_start_a_notice_dated_in_the_past(world):
    _consultation(world)
    today = timezone.localdate()
    two_months_ago = today - timedelta(days=60)
    with pytest.raises(ValidationError) as refused:
        _start(world, draft_signed_on=two_months_ago, starts_on=two_months_ago)
    assert f"公示开始日期不能早于今天（{today:%Y-%m-%d}）" in " ".join(refused.value.messages)
    # A reason does not help: only the street leader may record an earlier posting.
    with pytest.raises(ValidationError):
        _start(world, draft_signed_on=two_months_ago, starts_on=two_months_ago, backdate_reason="纸质公示早已张贴")
    assert not Notice.objects.exists()


def test_a_street_leader_records_an_earlier_paper_posting_with_a_reason_kept_in_the_history(world):
    from units.models import StageChange

    _consultation(world)
    posted = timezone.localdate() - timedelta(days=25)
    leader = world.users["leader"]
    with pytest.raises(ValidationError) as refused:
        _start(world, draft_signed_on=posted, starts_on=posted, by=leader, backdate_reason="  ")
    assert "请写明原因" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):  # still never shorter than the street's period
        _start(world, draft_signed_on=posted, starts_on=posted, by=leader, days=5, backdate_reason="纸质公示已张贴")
    notice = _start(world, draft_signed_on=posted, starts_on=posted, by=leader, backdate_reason="系统启用前纸质公示已张贴")
    assert (notice.starts_on, notice.started_by, notice.backdate_reason) == (posted, leader, "系统启用前纸质公示已张贴")
    assert notice.started_at.date() == timezone.now().date()  # recorded now, whatever date was typed
    change = StageChange.objects.get(unit=world.unit, after=Stage.NOTICE)
    assert change.changed_by == leader
    assert f"{posted:%Y-%m-%d}" in change.reason and "系统启用前纸质公示已张贴" in change.reason
    # His recorded responsibility: the typed date counts, 25 days > 20, so signing may start now.
    assert guards.notice_over(world.unit) == []
    lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])


def test_signing_opens_only_after_the_full_period_since_the_notice_was_recorded(world, monkeypatch):
    _consultation(world)
    today = timezone.localdate()
    _start(world)  # today, the street's 20 days
    opens = today + timedelta(days=20)
    with pytest.raises(lifecycle.MoveRefused) as refused:
        lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    assert f"{opens:%Y-%m-%d} 起方可开始签约" in " ".join(refused.value.messages)
    _travel(monkeypatch, opens - timedelta(days=1), hour=23)  # the last day of the period
    assert guards.notice_over(world.unit)
    _travel(monkeypatch, opens, hour=0)
    lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    world.unit.refresh_from_db()
    assert world.unit.stage == Stage.SIGNING


def test_a_typed_date_older_than_the_record_does_not_shorten_the_period(world):
    """A notice saved before this rule with a start date typed two months back still runs from the day
    it was recorded."""
    _consultation(world)
    today = timezone.localdate()
    _start(world)
    Notice.objects.update(starts_on=today - timedelta(days=60), draft_signed_on=today - timedelta(days=60), days=1)
    blocked = guards.notice_over(world.unit)
    assert f"{today + timedelta(days=20):%Y-%m-%d} 起方可开始签约" in " ".join(blocked)


def test_an_open_objection_still_blocks_a_notice_past_its_period(world, monkeypatch):
    notice = _noticed(world, timezone.localdate())
    services.objection_log(
        notice=notice, objector="李建国", household=world.flats[8], received_on=timezone.localdate(),
        content="担心采光", by=world.users["staff"],
    )
    _travel(monkeypatch, timezone.localdate() + timedelta(days=30))
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])


def _post_notice(client, world, username, *, ago=0, days=20, language=None, **fields):
    """The notice form as a persona posts it: drafted and starting ``ago`` days back, lasting ``days``."""
    client.force_login(world.users[username])
    start = (timezone.localdate() - timedelta(days=ago)).isoformat()
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.post(
        reverse("notice_start", args=[world.unit.pk]),
        {"draft_signed_on": start, "starts_on": start, "days": days, "plan_summary": "方案", **fields},
        **headers,
    )


def test_the_notice_page_refuses_a_one_day_backdated_notice_in_chinese(client, world):
    _consultation(world)
    response = _post_notice(client, world, "staff", ago=60, days=1, language="zh-hans")
    assert response.status_code == 422
    body = response.content.decode()
    assert "公示期不能少于 20 天" in body and "公示开始日期不能早于今天" in body
    assert not Notice.objects.exists()


def test_the_street_leader_backdates_from_the_page_with_a_reason(client, world):
    _consultation(world)
    response = _post_notice(client, world, "leader", ago=21, backdate_reason="纸质公示于系统启用前张贴")
    assert response.status_code == 302
    assert Notice.objects.get().backdate_reason == "纸质公示于系统启用前张贴"


def test_no_running_notice_blocks_signing(world):
    assert guards.notice_over(world.unit)


def test_going_back_to_consultation_withdraws_the_notice(world):
    _noticed(world, timezone.localdate())
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=world.users["staff"], reason="异议成立，重新征询")
    assert Notice.objects.get().status == NoticeStatus.WITHDRAWN
    assert guards.notice_over(world.unit)  # a withdrawn notice does not count


def test_a_posted_notice_can_grow_but_not_shrink(world):
    notice = _noticed(world, timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        services.notice_update(notice=notice, days=10, plan_summary="x", by=world.users["staff"])
    assert services.NOTICE_SHORTENED in refused.value.messages
    services.notice_update(notice=notice, days=25, plan_summary="改为半层入户", by=world.users["staff"])
    assert (notice.days, notice.plan_summary) == (25, "改为半层入户")


def test_a_notice_not_yet_posted_can_be_shortened_down_to_the_streets_period(world):
    _consultation(world)
    starts = timezone.localdate() + timedelta(days=3)
    notice = _start(world, draft_signed_on=starts, starts_on=starts, days=30)
    services.notice_update(notice=notice, days=20, plan_summary="x", by=world.users["staff"])
    assert notice.days == 20


def test_the_objectors_flat_must_be_in_the_unit(world):
    notice = _noticed(world, timezone.localdate())
    with pytest.raises(ValidationError):
        services.objection_log(
            notice=notice, objector="赵六", household=world.sibling_unit.households.first(),
            received_on=timezone.localdate(), content="x", by=world.users["staff"],
        )


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), WRITES_THE_UNIT.items())
def test_notice_start_page_by_role(client, world, role, status):
    _consultation(world)
    response = _post_notice(client, world, role, posted_at_entrance="on")
    assert response.status_code == status
    assert Notice.objects.exists() is (status == 302)


def test_notice_start_page_says_why_a_failing_unit_cannot_start(client, world):
    _consultation(world)
    Vote.objects.filter(household__in=world.flats[:4]).update(value="oppose")
    response = _post_notice(client, world, "staff")
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()


def test_objection_pages(client, world):
    notice = _noticed(world, timezone.localdate())
    client.force_login(world.users["viewer"])
    url = reverse("objection_new", args=[notice.pk])
    assert client.post(url, {}).status_code == 403
    client.force_login(world.users["staff"])
    data = {"objector": "李建国", "household": world.flats[8].pk, "received_on": timezone.localdate().isoformat(),
            "content": "担心采光"}
    assert client.post(url, data).status_code == 302
    objection = notice.objections.get()
    assert (objection.objector, objection.household, objection.recorded_by) == ("李建国", world.flats[8], world.users["staff"])
    response = client.post(reverse("objection_settle", args=[objection.pk]), {"resolution": "已调解"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.settled_on, objection.settled_by) == (timezone.localdate(), world.users["staff"])


@pytest.mark.parametrize("role", ["leader", "staff", "unit_leader", "viewer"])
def test_the_printed_notice_masks_every_owner_name_whoever_prints_it(client, world, role):
    notice = _noticed(world, timezone.localdate())
    client.force_login(world.users[role])
    response = client.get(reverse("notice_print", args=[notice.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for flat in world.flats:
        assert flat.owner_name not in body
    assert "业**" in body
    assert notice.plan_summary in body
    assert notice.last_day.isoformat() in body
    assert 'data-testid="share-column"' not in body  # no shares known yet


def test_the_printed_notice_shows_a_share_column_once_shares_are_known(client, world, monkeypatch):
    from decimal import Decimal

    from consultations.views import notices as views

    notice = _noticed(world, timezone.localdate())
    monkeypatch.setattr(views, "notice_shares", lambda n: {world.flats[11].pk: Decimal("61234.50")})
    client.force_login(world.users["staff"])
    body = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    assert 'data-testid="share-column"' in body and "61,234.50" in body


@pytest.mark.parametrize(("role", "status"), [("sibling_staff", 404), ("outsider", 404)])
def test_the_printed_notice_is_scoped(client, world, role, status):
    notice = _noticed(world, timezone.localdate())
    client.force_login(world.users[role])
    assert client.get(reverse("notice_print", args=[notice.pk])).status_code == status


def test_a_unit_moved_to_notice_from_the_stage_panel_gets_its_notice_recorded_without_a_second_move(world):
    from units.models import StageChange

    _consultation(world)
    lifecycle.unit_move(unit=world.unit, after=Stage.NOTICE, by=world.users["staff"])
    assert guards.notice_over(world.unit)  # no notice on record: signing stays blocked
    notice = _start(world)
    assert notice.status == NoticeStatus.RUNNING
    assert StageChange.objects.filter(unit=world.unit, after=Stage.NOTICE).count() == 1
    with pytest.raises(ValidationError):
        _start(world)  # now one is running


def test_a_tall_units_notice_lists_its_flats_in_two_columns(client, world):
    from units.models import Household

    notice = _noticed(world, timezone.localdate())
    for floor in range(1, 7):
        Household.objects.create(unit=world.unit, room=f"{floor}03", floor=floor, area="60.00", owner_name=f"新户{floor}")
    client.force_login(world.users["staff"])
    response = client.get(reverse("notice_print", args=[notice.pk]))
    assert [len(column) for column in response.context["flat_columns"]] == [9, 9]
    assert response.content.decode().count('data-testid="notice-flats"') == 2


def test_an_objection_is_not_dated_in_the_future_nor_settled_before_it_was_received(world):
    """A typed date cannot make an objection look older or newer than it is, nor settled before it arrived."""
    today = timezone.localdate()
    _consultation(world)
    notice = _start(world)
    staff = world.users["staff"]
    with pytest.raises(ValidationError) as refused:
        services.objection_log(
            notice=notice, objector="李建国", received_on=today + timedelta(days=1), content="采光", by=staff
        )
    assert "将来" in " ".join(refused.value.messages)
    objection = services.objection_log(notice=notice, objector="李建国", received_on=today, content="采光", by=staff)
    with pytest.raises(ValidationError) as refused:
        services.objection_settle(objection=objection, resolution="已调解", settled_on=today - timedelta(days=1), by=staff)
    assert "收到" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        services.objection_settle(objection=objection, resolution="已调解", settled_on=today + timedelta(days=1), by=staff)
    assert services.objection_settle(objection=objection, resolution="已调解", settled_on=today, by=staff).settled_on == today

