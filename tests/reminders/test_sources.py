"""What the reminders list: each reason at the edges of its dates."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from consultations.attention import consultation_attention
from consultations.models import ActionItem, ConsultationRound, Meeting, Notice, Objection
from payments import services as payments
from payments.models import Method
from reminders import selectors
from retrofit.attention import Attention, attention_for, worst
from tests.factories import make_unit, signed_plan_for
from units.models import Stage, Unit
from works.models import Inspection, MaintenanceVisit, Registration

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 10)


def kinds(world, today=TODAY):
    return [(a.kind, a.due) for a in attention_for(Unit.objects.filter(pk=world.unit.pk), today)]


def open_round(world, deadline):
    return ConsultationRound.objects.create(
        unit=world.unit, opened_on=date(2026, 5, 1), deadline=deadline, by_notice=True, opened_by=world.users["staff"]
    )


@pytest.mark.parametrize(
    "days, expected",
    [(-1, "overdue"), (0, "deadline"), (7, "deadline"), (8, None)],
)
def test_feedback_deadline_within_7_days_or_passed(world, days, expected):
    deadline = TODAY + timedelta(days=days)
    open_round(world, deadline)
    found = [(a.kind, a.due) for a in consultation_attention(Unit.objects.all(), TODAY)]
    assert found == ([(expected, deadline)] if expected else [])


def test_a_round_on_hold_or_closed_has_no_deadline_reminder(world):
    ConsultationRound.objects.create(
        unit=world.unit, opened_on=date(2026, 5, 1), deadline=TODAY, by_notice=True, opened_by=world.users["staff"],
        status="closed", closed_on=TODAY,
    )
    assert consultation_attention(Unit.objects.all(), TODAY) == []


def notice(world, last_day, days=20):
    return Notice.objects.create(
        unit=world.unit, draft_signed_on=date(2026, 4, 1), starts_on=last_day - timedelta(days=days - 1), days=days,
        plan_summary="平层入户", started_by=world.users["staff"], started_at=timezone.now(),
    )


@pytest.mark.parametrize("days, listed", [(-1, True), (0, True), (7, True), (8, False)])
def test_notice_ending_within_7_days_or_ended_while_still_running(world, days, listed):
    last_day = TODAY + timedelta(days=days)
    notice(world, last_day)
    found = [(a.kind, a.due) for a in consultation_attention(Unit.objects.all(), TODAY)]
    assert found == ([("notice_ending", last_day)] if listed else [])


def test_open_objections_are_listed_until_settled(world):
    running = notice(world, TODAY + timedelta(days=15))
    objection = Objection.objects.create(
        notice=running, objector="业主8", received_on=TODAY, content="低层不受益",
        recorded_by=world.users["staff"], recorded_at=timezone.now(),
    )
    assert ("objection", TODAY) in [(a.kind, a.due) for a in consultation_attention(Unit.objects.all(), TODAY)]
    Objection.objects.filter(pk=objection.pk).update(resolution="已调解", settled_on=TODAY)
    assert consultation_attention(Unit.objects.all(), TODAY) == []


def test_the_consultation_source_costs_three_queries(world, django_assert_num_queries):
    open_round(world, TODAY)
    notice(world, TODAY)
    with django_assert_num_queries(3):
        consultation_attention(Unit.objects.all(), TODAY)


def rounds_due(world, days):
    """A unit with an open round due ``days`` from TODAY for each of ``days``, stalled for 60 days too."""
    units = []
    for index, offset in enumerate(days):
        unit = make_unit(world.community, estate="期限小区", unit=str(index + 1))
        ConsultationRound.objects.create(
            unit=unit, opened_on=date(2026, 5, 1), deadline=TODAY + timedelta(days=offset), by_notice=True,
            opened_by=world.users["staff"],
        )
        units.append(unit.pk)
    since = timezone.make_aware(datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    Unit.objects.filter(pk__in=units).update(stage=Stage.CONSULTATION, stage_since=since)
    return Unit.objects.filter(pk__in=units)


def test_the_worst_few_are_the_whole_lists_first_and_every_reason_is_counted(world):
    """Deadlines within the week and passed, on days shared and not, and stalled units: a dashboard's worst
    few are the first of the whole list, in its order (a deadline coming before one passed), and its count
    is the whole list's."""
    units = rounds_due(world, [-3, 5, -3, 0, 7, -1, 2, 5, 8, -10])
    everything = attention_for(units, TODAY)
    assert [a.kind for a in everything[:6]] == ["deadline"] * 5 + ["overdue"]
    assert [a.due for a in everything[:6]] == [TODAY + timedelta(days=d) for d in (0, 2, 5, 5, 7, -10)]
    for n in (0, 1, 4, 6, 12, len(everything)):
        assert worst(units, TODAY, n) == (everything[:n], len(everything))


def test_the_worst_few_build_no_reason_for_a_round_not_shown(world, monkeypatch):
    """A district has over a thousand rounds past their deadline; its dashboard shows the worst fifteen
    reasons, and builds those, not one per round."""
    units = rounds_due(world, [-d for d in range(1, 13)])
    built = []
    told = Attention.told.__func__

    def counted(cls, unit_id, kind, *args, **values):
        built.append(kind)
        return told(cls, unit_id, kind, *args, **values)

    monkeypatch.setattr(Attention, "told", classmethod(counted))
    shown, total = worst(units, TODAY, 3)
    assert [a.kind for a in shown] == ["overdue"] * 3 and total == 24  # twelve rounds passed, twelve units stalled
    assert built.count("overdue") == 3


def test_unpaid_shares_before_construction(world):
    plan = signed_plan_for(world.unit, stage=Stage.APPROVAL)
    assert [k for k, _ in kinds(world)] == ["unpaid"]
    for index, share in enumerate(s for s in plan.shares.all() if s.amount > 0):
        payments.payment_record(
            household=share.household, amount=share.amount, on=TODAY, method=Method.BANK, receipt_no=f"R{index}",
            by=world.users["staff"], today=TODAY,
        )
    assert kinds(world) == []


def test_no_unpaid_reminder_once_construction_started(world):
    signed_plan_for(world.unit, stage=Stage.CONSTRUCTION)
    assert "unpaid" not in [k for k, _ in kinds(world)]


@pytest.mark.parametrize("days, stalled", [(29, False), (31, True)])
def test_stalled_30_days(world, days, stalled):
    since = timezone.make_aware(datetime.combine(TODAY - timedelta(days=days), datetime.min.time()))
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.CONSULTATION, stage_since=since)
    assert ("stalled" in [k for k, _ in kinds(world)]) == stalled


def in_service(world, *, last_visit, next_inspection):
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.IN_SERVICE)
    Registration.objects.create(unit=world.unit, number="使用登记-1", registered_on=date(2026, 1, 5), user_unit="物业")
    MaintenanceVisit.objects.create(unit=world.unit, date=last_visit)
    Inspection.objects.create(unit=world.unit, date=date(2025, 6, 1), result="pass", next_due=next_inspection)


@pytest.mark.parametrize("gap, overdue", [(15, False), (16, True)])
def test_maintenance_overdue_after_15_days(world, gap, overdue):
    in_service(world, last_visit=TODAY - timedelta(days=gap), next_inspection=TODAY + timedelta(days=100))
    assert ("maintenance_overdue" in [k for k, _ in kinds(world)]) == overdue


@pytest.mark.parametrize("days, due", [(30, True), (31, False)])
def test_inspection_due_within_30_days(world, days, due):
    in_service(world, last_visit=TODAY, next_inspection=TODAY + timedelta(days=days))
    assert ("inspection_due" in [k for k, _ in kinds(world)]) == due


def test_own_action_items_overdue_or_due_within_7_days(world):
    staff = world.users["staff"]
    meeting = Meeting.objects.create(
        street=world.street, kind="regular", held_on=TODAY, created_by=world.users["leader"], created_at=timezone.now()
    )
    for text, days, done in [("late", -1, False), ("soon", 7, False), ("later", 8, False), ("done", -3, True)]:
        ActionItem.objects.create(
            meeting=meeting, text=text, owner=staff, due_on=TODAY + timedelta(days=days), done=done,
            done_at=timezone.now() if done else None,
        )
    items = selectors.reminders_for(staff, TODAY)
    # ranked with the deadlines: one due soon, then one passed (the attention list's order)
    assert [(i.kind, i.detail) for i in items] == [("action_soon", "soon"), ("action_overdue", "late")]
    assert selectors.reminders_for(world.users["leader"], TODAY) == []  # not their items
