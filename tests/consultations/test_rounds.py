"""Consultation rounds: opening moves the unit to consultation, one round at a time, overdue, hold and review."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import ConsultationRound, RoundStatus
from units.models import Stage, StageChange, Unit


def _open(world, **kwargs):
    args = {
        "unit": world.unit,
        "deadline": timezone.localdate() + timedelta(days=30),
        "channels": ["notice", "yard_meeting"],
        "by": world.users["staff"],
    }
    args.update(kwargs)
    return services.round_open(**args)


def test_opening_a_round_moves_the_unit_to_consultation_and_records_the_move(world):
    r = _open(world, hotline="028-12345678")
    world.unit.refresh_from_db()
    assert world.unit.stage == Stage.CONSULTATION
    change = StageChange.objects.get(unit=world.unit)
    assert (change.before, change.after, change.changed_by) == ("survey", "consultation", world.users["staff"])
    assert (r.number, r.status, r.channels, r.hotline) == (1, "open", ["notice", "yard_meeting"], "028-12345678")
    assert r.opened_on == timezone.localdate()


def test_one_current_round_per_unit_and_the_next_one_is_numbered(world):
    first = _open(world)
    with pytest.raises(ValidationError) as refused:
        _open(world)
    assert services.ROUND_ALREADY_CURRENT in refused.value.messages
    services.round_close(consultation_round=first, by=world.users["staff"])
    second = _open(world)
    assert second.number == 2
    assert StageChange.objects.filter(unit=world.unit).count() == 1  # already in consultation


def test_the_database_refuses_a_second_current_round(world):
    from django.db import IntegrityError, transaction

    _open(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRound.objects.create(
            unit=world.unit, number=9, opened_on=timezone.localdate(), deadline=timezone.localdate(),
            by_notice=True, opened_by=world.users["staff"],
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channels": []}, services.ROUND_NO_CHANNEL),
        ({"channels": ["carrier_pigeon"]}, services.ROUND_NO_CHANNEL),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, services.ROUND_DEADLINE_BEFORE_OPEN),
    ],
)
def test_bad_rounds_are_refused(world, kwargs, message):
    with pytest.raises(ValidationError) as refused:
        _open(world, **kwargs)
    assert message in refused.value.messages
    assert not ConsultationRound.objects.exists()
    world.unit.refresh_from_db()
    assert world.unit.stage == Stage.SURVEY


def test_no_round_for_an_ineligible_unit_or_a_unit_past_consultation(world):
    Unit.objects.filter(pk=world.unit.pk).update(eligible=False)
    world.unit.refresh_from_db()
    with pytest.raises(ValidationError):
        _open(world)
    Unit.objects.filter(pk=world.unit.pk).update(eligible=True, stage=Stage.SIGNING)
    world.unit.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _open(world)
    assert services.ROUND_WRONG_STAGE in refused.value.messages


def test_a_round_past_its_deadline_is_overdue_until_extended(world):
    today = timezone.localdate()
    r = _open(world, opened_on=today - timedelta(days=40), deadline=today - timedelta(days=1))
    assert r.is_overdue(today)
    assert list(ConsultationRound.objects.overdue(today)) == [r]
    services.round_update(consultation_round=r, deadline=today, channels=["hotline"], by=world.users["staff"])
    assert not r.is_overdue(today)
    assert not ConsultationRound.objects.overdue(today).exists()
    assert r.channels == ["hotline"]


def test_hold_for_review_then_resume_with_the_decision(world):
    staff, leader = world.users["staff"], world.users["leader"]
    r = _open(world)
    with pytest.raises(ValidationError):
        services.round_hold(consultation_round=r, note="  ", by=staff)
    services.round_hold(consultation_round=r, note="反对户多，需领导小组研究", by=staff)
    r.refresh_from_db()
    assert (r.status, r.held_by, r.hold_note) == (RoundStatus.ON_HOLD, staff, "反对户多，需领导小组研究")
    assert not r.is_overdue(timezone.localdate() + timedelta(days=365))  # on hold is not chased
    with pytest.raises(ValidationError):
        services.round_resume(consultation_round=r, decision="", by=leader)
    services.round_resume(consultation_round=r, decision="专题协调会后继续征询", by=leader)
    r.refresh_from_db()
    assert (r.status, r.review_decision, r.reviewed_by) == (RoundStatus.OPEN, "专题协调会后继续征询", leader)


def test_open_round_page_by_role(client, world):
    url = reverse("round_open", args=[world.unit.pk])
    data = {"deadline": (timezone.localdate() + timedelta(days=20)).isoformat(), "channels": ["notice", "hotline"]}
    for role, status in [("viewer", 403), ("unit_leader", 403), ("sibling_staff", 404), ("outsider", 404)]:
        client.force_login(world.users[role])
        assert client.post(url, data).status_code == status, role
    assert not ConsultationRound.objects.exists()
    client.force_login(world.users["staff"])
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302
    assert ConsultationRound.objects.get().channels == ["notice", "hotline"]


def test_the_open_round_form_shows_a_refusal(client, world):
    client.force_login(world.users["staff"])
    url = reverse("round_open", args=[world.unit.pk])
    response = client.post(url, {"deadline": "2000-01-01", "channels": ["notice"]})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert not ConsultationRound.objects.exists()


def test_hold_and_resume_pages(client, world):
    r = _open(world)
    client.force_login(world.users["viewer"])
    assert client.post(reverse("round_hold", args=[r.pk]), {"note": "x"}).status_code == 403
    client.force_login(world.users["staff"])
    assert client.post(reverse("round_hold", args=[r.pk]), {"note": "意愿不足"}).status_code == 302
    client.force_login(world.users["leader"])
    response = client.post(reverse("round_resume", args=[r.pk]), {"decision": "继续做工作", "deadline": ""})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RoundStatus.OPEN
    assert client.post(reverse("round_close", args=[r.pk])).status_code == 302
    r.refresh_from_db()
    assert (r.status, r.closed_on) == (RoundStatus.CLOSED, timezone.localdate())
