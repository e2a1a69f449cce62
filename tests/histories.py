"""What the dashboards' stored history figures must equal: the same figures counted from the whole
history, row by row, as the dashboards counted them before they were stored (units.StageReached,
consultations.VoteWeek, UnitTally.agree_net; reports/dashboard.py)."""

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.utils import timezone

from consultations.models import VoteChange, VoteWeek, agree_step, week_of
from reports.dashboard import REACHED, TREND_WEEKS
from retrofit.periods import period_of, periods_between
from units.models import Stage, StageChange, StageReached


def weeks_from_history() -> dict:
    """(unit, Monday) → (the net of its changes into and out of agree that week, its last change's time),
    for every week with a change."""
    steps, last = Counter(), {}
    for unit_id, at, before, after in VoteChange.objects.values_list("household__unit_id", "changed_at", "before", "after"):
        key = (unit_id, week_of(at))
        steps[key] += agree_step(before, after)
        last[key] = max(at, last.get(key, at))
    return {key: (steps[key], at) for key, at in last.items()}


def stored_weeks() -> dict:
    return {(row.unit_id, row.week): (row.net, row.last_at) for row in VoteWeek.objects.all()}


def nets(weeks: dict) -> dict:
    """Only the weeks' nets, those not zero."""
    return {key: net for key, (net, _last) in weeks.items() if net}


def reached_from_history() -> dict:
    """(unit, stage) → (its first move into the stage, that move's local month)."""
    first = {}
    for unit_id, after, at in StageChange.objects.values_list("unit_id", "after", "changed_at"):
        first[(unit_id, after)] = min(at, first.get((unit_id, after), at))
    return {key: (at, period_of(timezone.localtime(at))) for key, at in first.items()}


def stored_reached() -> dict:
    return {(row.unit_id, row.stage): (row.first_at, row.period) for row in StageReached.objects.all()}


def trend_from_history(unit_ids, today) -> dict:
    """Owners agreeing at the end of each week shown: the net of every change of these units before it."""
    start = today - timedelta(weeks=TREND_WEEKS)
    monday = start - timedelta(days=start.weekday())
    mondays = [monday + timedelta(weeks=n) for n in range((today - monday).days // 7 + 1)]
    changes = VoteChange.objects.filter(household__unit__in=unit_ids).values_list("changed_at", "before", "after")
    ends = [timezone.make_aware(datetime.combine(m + timedelta(days=7), time.min)) for m in mondays]
    agreed = [sum(agree_step(before, after) for at, before, after in changes if at < end) for end in ends]
    return {"weeks": [m.isoformat() for m in mondays], "agreed": agreed}


def progress_from_history(unit_ids) -> dict:
    """Units first reaching each milestone, month by month, cumulative, from their every move."""
    first = {}
    for unit_id, after, at in StageChange.objects.filter(unit__in=unit_ids, after__in=REACHED.values()).values_list(
        "unit_id", "after", "changed_at"
    ):
        first[(unit_id, after)] = min(at, first.get((unit_id, after), at))
    names = {stage: name for name, stage in REACHED.items()}
    by_month = defaultdict(Counter)
    for (_unit, stage), at in first.items():
        by_month[period_of(timezone.localtime(at))][names[stage]] += 1
    months = periods_between(min(by_month), max(by_month)) if by_month else []
    series, running = {name: [] for name in REACHED}, Counter()
    for month in months:
        running.update(by_month.get(month, Counter()))
        for name in REACHED:
            series[name].append(running[name])
    return {"months": months, **series}


def stalled_from_history(units, today) -> list[tuple[int, object]]:
    """(unit, the day of its last change) for each unit in an active stage whose stage and votes have not
    moved for 30 days, by id: its last change the latest of its stage's and of every vote change."""
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=30), time.min))
    rows = []
    for unit in units.filter(stage__in=Stage.ACTIVE, stage_since__lt=cutoff).order_by("pk"):
        stamps = list(VoteChange.objects.filter(household__unit=unit).values_list("changed_at", flat=True))
        if not any(at >= cutoff for at in stamps):
            rows.append((unit.pk, timezone.localdate(max([unit.stage_since, *stamps]))))
    return rows
