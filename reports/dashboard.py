"""The leaders' figures for a district, a street, a community or an estate, in a fixed number of queries.

At every level every figure is summed in the database (GROUP BY street, community, estate or building,
stage, situation) from the stored tallies and the stage rows, so the cost does not grow with the units:
no unit row is read into Python but the page of units listed and the few needing attention first.
Progress over time and the consent trend are database aggregates too, over figures stored as the history
is written (the units' first arrivals in each stage, their vote history week by week, the tallies' net of
it): neither scans the whole history, so neither grows with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from consultations import rules
from consultations.models import VoteWeek
from consultations.selectors import next_steps_of, store_missing_tallies
from retrofit import attention
from retrofit.periods import periods_between
from units.models import Building, Stage, StageReached, Unit

REACHED = {
    # a unit counts as signed once it has reached signing, installed once construction is complete…
    "signed": Stage.APPROVAL.value,
    "installed": Stage.ACCEPTANCE.value,
    "accepted": Stage.IN_SERVICE.value,
}
# stage → whether a unit in it counts as signed, installed and accepted (REACHED, in that order)
MILESTONES = {
    stage: tuple(Stage.position(stage) >= Stage.position(reached) for reached in REACHED.values()) for stage in Stage.values
}
TREND_WEEKS = 12
ATTENTION_SHOWN = 15  # the units a dashboard lists as needing attention, the worst first


@dataclass
class GroupRow:
    """One community (or estate) in the lead-and-lag table."""

    key: int
    name: str
    url: str = ""
    units: int = 0
    ready: int = 0
    households: int = 0
    agree: int = 0
    owners: int = 0
    signed: int = 0
    installed: int = 0
    accepted: int = 0
    voted: int = 0
    reached: int = 0  # units whose consent meets the street's rule
    building: int = 0  # units under construction

    @property
    def agree_share(self):
        return None if not self.owners else (self.agree * 100 // self.owners)

    def count(self, stage: str, households: int = 0, owners: int = 0, agree: int = 0, ready: bool = False) -> None:
        """Add one unit: the milestones its ``stage`` has reached and its consent figures (none for a unit whose
        roster is in conflict; ``ready``: its situation is rules.READY)."""
        self.units += 1
        self.households += households
        self.owners += owners
        self.agree += agree
        self.ready += ready
        signed, installed, accepted = MILESTONES.get(stage, (False, False, False))
        self.signed += signed
        self.installed += installed
        self.accepted += accepted

    def add(self, other: GroupRow) -> None:
        """Add the units ``other`` counted (``count``)."""
        for name in ("units", "households", "owners", "agree", "ready", "signed", "installed", "accepted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Dashboard:
    """A street's (or a community's, an estate's, a building's) figures, summed in the database.

    ``units`` is the ordered queryset of the units, not read: the page lists a page of it (``page_rows``)."""

    units: object
    stage_counts: list[tuple[str, str, int]] = field(default_factory=list)
    situation_counts: dict[str, int] = field(default_factory=dict)
    funnel: dict[str, int] = field(default_factory=dict)
    groups: list[GroupRow] = field(default_factory=list)
    progress: dict = field(default_factory=dict)
    trend: dict = field(default_factory=dict)
    attention: list = field(default_factory=list)  # (item, unit), the worst ATTENTION_SHOWN
    attention_total: int = 0
    next_steps: dict = field(default_factory=dict)  # unit id → its next step (units/nextstep.py): page_rows
    totals: GroupRow | None = None

    @property
    def unit_count(self) -> int:
        return self.totals.units


# level of the breakdown → (the unit's field it groups by, the field naming it); a building is named by its number
GROUP_FIELDS = {
    "community": ("building__estate__community", "building__estate__community__name"),
    "estate": ("building__estate", "building__estate__name"),
    "building": ("building", "building__number"),
}


def build(units_qs, *, group_by: str, today: date | None = None) -> Dashboard:
    """Figures for the units of ``units_qs``; ``group_by`` is "community", "estate" or "building".

    Every figure is a GROUP BY over the stored tallies and the units' stages: the queries and the rows read
    do not grow with the units. The units needing attention are the worst few; ``page_rows`` lists a page
    of the units and adds the next steps of both."""
    today = today or timezone.localdate()
    store_missing_tallies(units_qs)
    totals, agreed, stage_counts, situation_counts = _figures(units_qs)
    key, name = GROUP_FIELDS[group_by]
    board = Dashboard(
        units=units_qs.for_listing().order_by("building__estate__name", "building__number", "number", "pk"),
        stage_counts=stage_counts,
        situation_counts=situation_counts,
        funnel=_funnel(totals),
        groups=sorted(
            _group_rows(units_qs, key, name),
            key=lambda r: (-r.accepted, -r.installed, -r.signed, -(r.agree_share or 0), r.name),
        ),
        totals=totals,
        progress=_progress(units_qs),
        trend=_trend(units_qs, today, agreed),
    )
    board.attention, board.attention_total = _attention(units_qs, today)
    return board


@dataclass
class UnitRow:
    """One row of the units table, what its cells show worked out here, not looked up cell by cell by the
    template; read as (unit, consent) too."""

    unit: Unit
    consent: object  # consultations.selectors.UnitConsent
    step: object  # its next step (units/nextstep.py)
    href: str  # the unit's page, coming back to this one
    name: str  # its estate's name and its own

    def __iter__(self):
        return iter((self.unit, self.consent))


def page_rows(board: Dashboard, units, came_from: str = "") -> list[UnitRow]:
    """The rows of a page of ``units`` (a slice of ``board.units``), the next steps of the page and of the
    attention list asked together: a fixed number of reads, whatever the units behind them. Each row's
    link opens the unit's page with ``came_from`` (this page's path) to come back to."""
    units = list(units)
    board.next_steps, consents = next_steps_of([*units, *(unit for _item, unit in board.attention)])
    back = f"?from={quote(came_from, safe='')}"
    return [
        UnitRow(
            unit,
            consents[unit.pk],
            board.next_steps.get(unit.pk),
            reverse("unit_detail", args=[unit.pk]) + back,
            f"{unit.building.estate.name} {unit}",
        )
        for unit in units
    ]


def _attention(units_qs, today) -> tuple[list, int]:
    """The worst ATTENTION_SHOWN units needing attention, each with its unit, and how many reasons in all."""
    worst, total = attention.worst(units_qs, today, ATTENTION_SHOWN)
    by_id = Unit.objects.for_listing().in_bulk([item.unit_id for item in worst])
    return [(item, by_id[item.unit_id]) for item in worst], total


def _progress(units_qs):
    """Units that first reached signed / installed / accepted, month by month, cumulative.

    One GROUP BY month over the units' stored first arrivals in each milestone (units.StageReached, kept
    as the moves are recorded, their local month stored with them): the rows read are months, those
    scanned at most one per unit and milestone, not the history of moves."""
    monthly = (
        StageReached.objects.filter(unit__in=units_qs.values("pk"), stage__in=list(REACHED.values()))
        .values("stage", "period")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month: dict[str, Counter] = defaultdict(Counter)
    names = {v: k for k, v in REACHED.items()}
    for row in monthly:
        by_month[row["period"]][names[row["stage"]]] += row["n"]
    months = periods_between(min(by_month), max(by_month)) if by_month else []
    series = {name: [] for name in REACHED}
    running = Counter()
    for month in months:
        running.update(by_month.get(month, Counter()))
        for name in REACHED:
            series[name].append(running[name])
    return {"months": months, **series}


def _trend(units_qs, today, agreed: int):
    """Owners agreeing, week by week: at the end of each week, the level of today (``agreed``, the vote
    history's net into agree summed over the stored tallies, UnitTally.agree_net) less the net of the
    changes into and out of agree in the weeks after it. One GROUP BY week over the units' stored weeks
    (VoteWeek) from the first shown on: a few rows per unit, neither the history nor the changes."""
    start = today - timedelta(weeks=TREND_WEEKS)
    monday = start - timedelta(days=start.weekday())
    mondays = [monday + timedelta(weeks=n) for n in range((today - monday).days // 7 + 1)]
    by_week = dict(
        VoteWeek.objects.filter(unit__in=units_qs.values("pk"), week__gte=mondays[0])
        .values_list("week")
        .annotate(net=Sum("net"))
        .order_by()
    )
    # Weeks after this one (changes dated ahead) are in today's level all the same: taken back too.
    level = agreed - sum(net for week, net in by_week.items() if week > mondays[-1])
    levels = []
    for week in reversed(mondays):
        levels.append(level)  # at the end of this week…
        level -= by_week.get(week) or 0  # …and at the end of the one before
    return {"weeks": [m.isoformat() for m in mondays], "agreed": levels[::-1]}


# --- a district: every figure summed in the database ------------------------------------------------


@dataclass
class DistrictBoard:
    """A district's figures: its streets leading and lagging, and the shared panels of ``Dashboard``."""

    streets: list[GroupRow]
    totals: GroupRow
    stage_counts: list[tuple[str, str, int]]
    situation_counts: dict[str, int]
    funnel: dict[str, int]
    progress: dict
    trend: dict
    attention: list  # (item, unit), the worst ATTENTION_SHOWN
    attention_total: int
    next_steps: dict = field(default_factory=dict)  # unit id → next step, of the units needing attention

    @property
    def unit_count(self) -> int:
        return self.totals.units


STREET = "building__estate__community__street"


def build_district(units_qs, *, today: date | None = None) -> DistrictBoard:
    """Figures for the units of ``units_qs`` (a district's, or part of it) per street, in queries that
    do not grow with the units: the units are never read into Python, only the worst few needing attention.
    The consent figures are the stored tallies: ``store_missing_tallies`` first."""
    today = today or timezone.localdate()
    totals, agreed, stage_counts, situation_counts = _figures(units_qs)
    shown, total = _attention(units_qs, today)
    next_steps, _consents = next_steps_of([unit for _item, unit in shown])
    return DistrictBoard(
        streets=sorted(
            _group_rows(units_qs, STREET, f"{STREET}__name"),
            key=lambda r: (-r.accepted, -r.building, -r.signed, -r.reached, -(r.agree_share or 0), r.name),
        ),
        totals=totals,
        stage_counts=stage_counts,
        situation_counts=situation_counts,
        funnel=_funnel(totals),
        progress=_progress(units_qs),
        trend=_trend(units_qs, today, agreed),
        attention=shown,
        attention_total=total,
        next_steps=next_steps,
    )


def _reached(milestone: str) -> Count:
    return Count("pk", filter=Q(stage__in=Stage.at_or_after(REACHED[milestone])))


def _sums() -> dict:
    """A GroupRow's figures as aggregates over units and their stored tallies (a conflict's tally holds
    zeros and no situation, as ``GroupRow.count`` skips it)."""
    return {
        "units": Count("pk"),
        "households": Coalesce(Sum("tally__households"), 0),
        "owners": Coalesce(Sum("tally__owners"), 0),
        "voted": Coalesce(Sum("tally__participants"), 0),
        "agree": Coalesce(Sum("tally__agree"), 0),
        "ready": Count("pk", filter=Q(tally__situation=rules.READY)),
        "reached": Count("pk", filter=Q(tally__threshold_met=True)),
        "signed": _reached("signed"),
        "constructing": Count("pk", filter=Q(stage=Stage.CONSTRUCTION)),  # GroupRow.building: a unit's field
        "installed": _reached("installed"),
        "accepted": _reached("accepted"),
    }


def _row(key: int, name: str, figures: dict) -> GroupRow:
    return GroupRow(key=key, name=name, building=figures.pop("constructing"), **figures)


def _figures(units_qs) -> tuple[GroupRow, int, list[tuple[str, str, int]], dict[str, int]]:
    """The units' figures (a GroupRow), their vote histories' net into agree (the consent trend's level
    today), the units in each stage and in each situation: one GROUP BY stage and situation, whose few rows
    (at most a stage's times a situation's) are added up here."""
    rows = (
        units_qs.values("stage", "tally__situation")
        .annotate(**_sums(), agree_net=Coalesce(Sum("tally__agree_net"), 0))
        .order_by()
    )
    summed, stages, situations = Counter(), Counter(), Counter()
    for row in rows:
        stage, situation = row.pop("stage"), row.pop("tally__situation")
        summed.update(row)
        stages[stage] += row["units"]
        if situation in rules.SITUATIONS:
            situations[situation] += row["units"]
    agreed = summed.pop("agree_net", 0)
    return (
        _row(0, "", {name: summed[name] for name in _sums()}),
        agreed,
        [(s.value, s.label, stages[s.value]) for s in Stage],
        {code: situations[code] for code in rules.SITUATIONS},
    )


def _funnel(totals: GroupRow) -> dict[str, int]:
    return {"households": totals.households, "owners": totals.owners, "voted": totals.voted, "agreed": totals.agree}


def _group_rows(units_qs, key: str, name: str) -> list[GroupRow]:
    """One row per ``key`` (a street, community, estate or building) from one GROUP BY, unsorted."""
    rows = units_qs.values(key, name).annotate(**_sums()).order_by()
    named = (lambda number: str(Building(number=number))) if key == "building" else str
    return [_row(row.pop(key), named(row.pop(name)), row) for row in rows]
