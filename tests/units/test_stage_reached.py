"""Each unit's first arrival in each stage, stored as its moves are recorded (units.StageReached): what
the dashboards' progress over time sums instead of the whole history of moves."""

from datetime import datetime, timedelta

from django.utils import timezone

from tests.histories import reached_from_history, stored_reached
from units import lifecycle
from units.models import Stage, StageChange, StageReached


def local(*args):
    return datetime(*args, tzinfo=timezone.get_current_timezone())  # Asia/Shanghai


def reached(unit, stage):
    row = StageReached.objects.get(unit=unit, stage=stage)
    return row.first_at, row.period


def test_a_move_recorded_stores_the_first_arrival_and_its_local_month_and_only_an_earlier_one_moves_it(world):
    # Half past midnight on 1 April in Shanghai is still 31 March in UTC: the month is the local one.
    first = local(2026, 4, 1, 0, 30)
    StageChange.objects.create(unit=world.unit, before=Stage.SIGNING, after=Stage.APPROVAL, changed_at=first)
    assert reached(world.unit, Stage.APPROVAL) == (first, "2026-04")
    StageChange.objects.create(unit=world.unit, before=Stage.SIGNING, after=Stage.APPROVAL, changed_at=first + timedelta(days=60))
    assert reached(world.unit, Stage.APPROVAL) == (first, "2026-04")
    earlier = local(2026, 2, 28, 23, 59)
    StageChange.objects.create(unit=world.unit, before=Stage.SIGNING, after=Stage.APPROVAL, changed_at=earlier)
    assert reached(world.unit, Stage.APPROVAL) == (earlier, "2026-02")
    assert StageReached.objects.filter(unit=world.unit).count() == 1
    assert stored_reached() == reached_from_history()


def test_the_lifecycle_s_move_is_stored_with_its_time(world):
    change = lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=world.users["staff"])
    assert reached(world.unit, Stage.CONSULTATION)[0] == change.changed_at
    assert stored_reached() == reached_from_history()


def test_a_re_dated_move_and_moves_written_in_bulk_are_stored_from_the_history(world):
    change = StageChange.objects.create(
        unit=world.unit, before=Stage.SIGNING, after=Stage.APPROVAL, changed_at=local(2026, 5, 10, 9)
    )
    change.changed_at = local(2026, 7, 1, 9)  # the only move into approval, now later: so is the first arrival
    change.save()
    assert reached(world.unit, Stage.APPROVAL) == (local(2026, 7, 1, 9), "2026-07")
    StageChange.objects.bulk_create(  # no signal: the writer stores them
        [
            StageChange(unit=world.sibling_unit, before=Stage.APPROVAL, after=Stage.CONSTRUCTION, changed_at=local(2026, 6, 2, 9)),
            StageChange(unit=world.sibling_unit, before=Stage.APPROVAL, after=Stage.CONSTRUCTION, changed_at=local(2026, 3, 2, 9)),
            StageChange(unit=world.unit, before=Stage.SIGNING, after=Stage.APPROVAL, changed_at=local(2026, 1, 2, 9)),
        ]
    )
    assert stored_reached() != reached_from_history()
    lifecycle.stages_reached_store([world.unit.pk, world.sibling_unit.pk])
    assert stored_reached() == reached_from_history()
    assert reached(world.sibling_unit, Stage.CONSTRUCTION) == (local(2026, 3, 2, 9), "2026-03")
