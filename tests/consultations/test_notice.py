"""The public notice 公示: start it from a ready unit, hold the unit until the period has run and every
objection is settled, and print it for the stairwell with owner names masked."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations import guards, services
from consultations.models import ConsultationRound, Notice, NoticeStatus, RoundStatus, Vote
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


def _noticed(world, starts_on):
    _consultation(world)
    return _start(world, draft_signed_on=starts_on, starts_on=starts_on, days=20)


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
    blocked = guards.notice_over(world.unit, today=date(2026, 4, 1))
    assert len(blocked) == 1
    with pytest.raises(ValidationError):
        services.objection_settle(objection=objection, resolution=" ", by=world.users["staff"])
    services.objection_settle(objection=objection, resolution="调整井道位置，业主撤回异议", by=world.users["staff"])
    assert guards.notice_over(world.unit, today=date(2026, 4, 1)) == []
    with pytest.raises(ValidationError):
        services.objection_settle(objection=objection, resolution="again", by=world.users["staff"])


def test_the_lifecycle_refuses_signing_during_the_period_and_allows_it_after(world):
    today = timezone.localdate()
    _noticed(world, today - timedelta(days=19))  # today is the last day
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    Notice.objects.update(starts_on=today - timedelta(days=20), draft_signed_on=today - timedelta(days=20))
    lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    assert Notice.objects.get().status == NoticeStatus.COMPLETED


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


def test_a_notice_not_yet_posted_can_be_shortened(world):
    notice = _noticed(world, timezone.localdate() + timedelta(days=3))
    services.notice_update(notice=notice, days=10, plan_summary="x", by=world.users["staff"])
    assert notice.days == 10


def test_the_objectors_flat_must_be_in_the_unit(world):
    notice = _noticed(world, timezone.localdate())
    with pytest.raises(ValidationError):
        services.objection_log(
            notice=notice, objector="赵六", household=world.sibling_unit.households.first(),
            received_on=timezone.localdate(), content="x", by=world.users["staff"],
        )


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader", 302), ("staff", 302), ("sibling_staff", 404), ("unit_leader", 403), ("viewer", 403), ("outsider", 404)],
)
def test_notice_start_page_by_role(client, world, role, status):
    _consultation(world)
    client.force_login(world.users[role])
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("notice_start", args=[world.unit.pk]),
        {"draft_signed_on": today, "starts_on": today, "days": 20, "plan_summary": "方案", "posted_at_entrance": "on"},
    )
    assert response.status_code == status
    assert Notice.objects.exists() is (status == 302)


def test_notice_start_page_says_why_a_failing_unit_cannot_start(client, world):
    _consultation(world)
    Vote.objects.filter(household__in=world.flats[:4]).update(value="oppose")
    client.force_login(world.users["staff"])
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("notice_start", args=[world.unit.pk]),
        {"draft_signed_on": today, "starts_on": today, "days": 20, "plan_summary": "方案"},
    )
    assert response.status_code == 200
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

    from consultations import views

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
