"""What the dashboards' stored history figures must equal: the same figures counted from the whole
history, row by row, as the dashboards counted them before they were stored (units.StageReached,
consultations.AgreeWeek, UnitTally.agree_net; reports/dashboard.py)."""

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.utils import timezone

from consultations.models import AgreeWeek, VoteChange, agree_step, week_of
from reports.dashboard import REACHED, TREND_WEEKS
from retrofit.periods import period_of, periods_between
from units.models import StageChange, StageReached


def weeks_from_history() -> dict:
    """(unit, Monday) → the net of its changes into and out of agree that week, for every week not zero."""
    steps = Counter()
    for unit_id, at, before, after in VoteChange.objects.values_list("household__unit_id", "changed_at", "before", "after"):
        steps[(unit_id, week_of(at))] += agree_step(before, after)
    return {key: net for key, net in steps.items() if net}


def stored_weeks() -> dict:
    return {(row.unit_id, row.week): row.net for row in AgreeWeek.objects.all() if row.net}


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
