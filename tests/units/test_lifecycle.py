import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from consultations.models import Vote
from units import lifecycle
from units.models import Stage, StageChange


def test_a_move_is_recorded_with_who_when_before_after_and_why(world):
    staff = world.users["staff"]
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=staff, reason="开启征询")
    world.unit.refresh_from_db()
    assert world.unit.stage == Stage.CONSULTATION
    change = StageChange.objects.get(unit=world.unit)
    assert (change.before, change.after, change.changed_by, change.reason) == ("survey", "consultation", staff, "开启征询")


def test_moves_that_skip_a_stage_are_refused(world):
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.SIGNING, by=world.users["staff"])
    assert not StageChange.objects.exists()


def test_notice_needs_consent_reached(world):
    staff = world.users["staff"]
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=staff)
    Vote.objects.filter(household__in=world.flats[:4]).update(value="oppose")
    with pytest.raises(lifecycle.MoveRefused) as refused:
        lifecycle.unit_move(unit=world.unit, after=Stage.NOTICE, by=staff)
    assert "还需" in " ".join(refused.value.messages) or "more owners" in " ".join(refused.value.messages)
    Vote.objects.filter(household__in=world.flats[:4]).update(value="agree")
    lifecycle.unit_move(unit=world.unit, after=Stage.NOTICE, by=staff)
    assert world.unit.stage == Stage.NOTICE


def test_pause_needs_a_reason_and_resumes_where_it_was(world):
    staff = world.users["staff"]
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=staff)
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.PAUSED, by=staff, reason=" ")
    lifecycle.unit_move(unit=world.unit, after=Stage.PAUSED, by=staff, reason="春节暂停")
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.SURVEY, by=staff, reason="恢复")
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=staff, reason="恢复")
    assert world.unit.stage == Stage.CONSULTATION


def test_only_the_street_leader_may_withdraw_a_unit(world):
    with pytest.raises(PermissionDenied):
        lifecycle.unit_move(unit=world.unit, after=Stage.WITHDRAWN, by=world.users["staff"], reason="业主反对")
    lifecycle.unit_move(unit=world.unit, after=Stage.WITHDRAWN, by=world.users["leader"], reason="业主反对")
    assert world.unit.stage == Stage.WITHDRAWN


@pytest.mark.parametrize(("role", "status", "moved"), [
    ("staff", 302, True), ("leader", 302, True), ("viewer", 403, False), ("unit_leader", 403, False),
    ("sibling_staff", 404, False), ("outsider", 404, False),
])
def test_move_page_by_role(client, world, role, status, moved):
    client.force_login(world.users[role])
    response = client.post(reverse("unit_move", args=[world.unit.pk]), {"after": "consultation"})
    assert response.status_code == status
    world.unit.refresh_from_db()
    assert (world.unit.stage == Stage.CONSULTATION) is moved
