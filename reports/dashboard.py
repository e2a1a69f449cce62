"""The leaders' figures for a district, a street, a community or an estate, in a fixed number of queries.

Everything here is read from whole querysets. A street and below: per-unit consent from the stored
tallies, stage counts in Python over the same unit rows (the page lists them). A district: every figure
summed in the database (GROUP BY street, stage, situation) from the stored tallies and the stage rows,
so its cost does not grow with its units. Progress over time and the consent trend are database
aggregates at every level.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from consultations import rules
from consultations.models import VoteChange
from consultations.selectors import consent_by_unit
from retrofit import attention
from retrofit.periods import period_of, periods_between
from units import nextstep
from units.models import Stage, StageChange, Unit

REACHED = {
    # a unit counts as signed once it has reached signing, installed once construction is complete…
    "signed": Stage.APPROVAL.value,
    "installed": Stage.ACCEPTANCE.value,
    "accepted": Stage.IN_SERVICE.value,
}
TREND_WEEKS = 12
ATTENTION_SHOWN = 15  # the units a dashboard lists as needing attention, the worst first
TALLY_CHUNK = 500  # units whose missing tallies are computed at once before a district is summed


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

    def count(self, unit, result) -> None:
        """Add one unit: its consent (``result`` from consent_by_unit) and the milestones it has reached."""
        self.units += 1
        if result.ok:
            c = result.consent
            self.households += c.households
            self.owners += c.owners
            self.agree += c.agree
            self.ready += c.situation == rules.READY
        index = Stage.position(unit.stage)
        self.signed += index >= Stage.position(REACHED["signed"])
        self.installed += index >= Stage.position(REACHED["installed"])
        self.accepted += index >= Stage.position(REACHED["accepted"])


@dataclass
class Dashboard:
    units: list
    consents: dict
    stage_counts: list[tuple[str, str, int]] = field(default_factory=list)
    situation_counts: dict[str, int] = field(default_factory=dict)
    funnel: dict[str, int] = field(default_factory=dict)
    groups: list[GroupRow] = field(default_factory=list)
    progress: dict = field(default_factory=dict)
    trend: dict = field(default_factory=dict)
    attention: list = field(default_factory=list)
    next_steps: dict = field(default_factory=dict)  # unit id → its next step (units/nextstep.py)
    totals: GroupRow | None = None

    @property
    def unit_count(self) -> int:
        return len(self.units)

    @property
    def attention_total(self) -> int:
        return len(self.attention)


def build(units_qs, *, group_by: str, today: date | None = None) -> Dashboard:
    """Figures for the units of ``units_qs``; ``group_by`` is "community", "estate" or "building"."""
    today = today or timezone.localdate()
    units = list(units_qs.for_listing().order_by("building__estate__name", "building__number", "number"))
    consents = consent_by_unit(units)
    board = Dashboard(units=units, consents=consents)
    # Every unit's next step, each guard asked once for the list; the consent guard reuses the tallies.
    board.next_steps = nextstep.next_steps(units, counted={"consent": consents})

    stages = Counter(u.stage for u in units)
    board.stage_counts = [(s.value, s.label, stages.get(s.value, 0)) for s in Stage]
    situations = Counter(c.consent.situation for c in consents.values() if c.ok and c.consent.situation)
    board.situation_counts = {code: situations.get(code, 0) for code in rules.SITUATIONS}

    funnel = Counter()
    for result in consents.values():
        if result.ok:
            c = result.consent
            funnel["households"] += c.households
            funnel["owners"] += c.owners
            funnel["voted"] += c.participants
            funnel["agreed"] += c.agree
    board.funnel = {k: funnel.get(k, 0) for k in ("households", "owners", "voted", "agreed")}

    board.groups = _groups(units, consents, group_by)
    board.totals = _groups(units, consents, "all")[0] if units else GroupRow(key=0, name="")
    board.progress = _progress(units_qs)
    board.trend = _trend(units_qs, today)
    items = attention.attention_for(units_qs, today)
    by_id = {u.pk: u for u in units}
    board.attention = [(item, by_id[item.unit_id]) for item in items if item.unit_id in by_id]
    return board


def _groups(units, consents, group_by):
    rows: dict[int, GroupRow] = {}
    for unit in units:
        estate = unit.building.estate
        if group_by == "community":
            key, name = estate.community_id, estate.community.name
        elif group_by == "estate":
            key, name = estate.pk, estate.name
        elif group_by == "all":
            key, name = 0, ""
        else:
            key, name = unit.building_id, str(unit.building)
        rows.setdefault(key, GroupRow(key=key, name=name)).count(unit, consents[unit.pk])
    # Leaders first: most accepted, then installed, signed, then the share agreeing.
    return sorted(
        rows.values(), key=lambda r: (-r.accepted, -r.installed, -r.signed, -(r.agree_share or 0), r.name)
    )


def _progress(units_qs):
    """Units that first reached signed / installed / accepted, month by month, cumulative.

    One GROUP BY month over each unit's first move into each milestone (a subquery picks it), so the
    rows read are months, not units."""
    first = StageChange.objects.filter(unit=OuterRef("unit"), after=OuterRef("after")).order_by("changed_at", "id")
    monthly = (
        StageChange.objects.filter(unit__in=units_qs.values("pk"), after__in=list(REACHED.values()))
        .filter(pk=Subquery(first.values("pk")[:1]))
        .annotate(month=TruncMonth("changed_at"))
        .values("after", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month: dict[str, Counter] = defaultdict(Counter)
    names = {v: k for k, v in REACHED.items()}
    for row in monthly:
        by_month[period_of(timezone.localtime(row["month"]))][names[row["after"]]] += row["n"]
    months = periods_between(min(by_month), max(by_month)) if by_month else []
    series = {name: [] for name in REACHED}
    running = Counter()
    for month in months:
        running.update(by_month.get(month, Counter()))
        for name in REACHED:
            series[name].append(running[name])
    return {"months": months, **series}


def _trend(units_qs, today):
    """Owners agreeing, week by week: the net number of changes into and out of agree, accumulated."""
    start = today - timedelta(weeks=TREND_WEEKS)
    start_dt = timezone.make_aware(timezone.datetime.combine(start, timezone.datetime.min.time()))
    changes = VoteChange.objects.filter(household__unit__in=units_qs.values("pk"))
    before = changes.filter(changed_at__lt=start_dt).aggregate(
        into=Count("pk", filter=Q(after=rules.AGREE) & ~Q(before=rules.AGREE)),
        out=Count("pk", filter=Q(before=rules.AGREE) & ~Q(after=rules.AGREE)),
    )
    weekly = (
        changes.filter(changed_at__gte=start_dt)
        .annotate(week=TruncWeek("changed_at"))
        .values("week")
        .annotate(
            into=Count("pk", filter=Q(after=rules.AGREE) & ~Q(before=rules.AGREE)),
            out=Count("pk", filter=Q(before=rules.AGREE) & ~Q(after=rules.AGREE)),
        )
        .order_by("week")
    )
    net = {timezone.localtime(row["week"]).date() if hasattr(row["week"], "hour") else row["week"]: row["into"] - row["out"] for row in weekly}
    level = before["into"] - before["out"]
    weeks, values = [], []
    monday = start - timedelta(days=start.weekday())
    while monday <= today:
        level += sum(v for k, v in net.items() if monday <= k < monday + timedelta(days=7))
        weeks.append(monday.isoformat())
        values.append(level)
        monday += timedelta(days=7)
    return {"weeks": weeks, "agreed": values}


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
    next_steps: dict = field(default_factory=dict)  # not listed at district level

    @property
    def unit_count(self) -> int:
        return self.totals.units


STREET = "building__estate__community__street"


def build_district(units_qs, *, today: date | None = None) -> DistrictBoard:
    """Figures for the units of ``units_qs`` (a district's, or part of it) per street, in queries that
    do not grow with the units: the units are never read into Python, only the worst few needing attention.
    The consent figures are the stored tallies: ``store_missing_tallies`` first."""
    today = today or timezone.localdate()
    streets = _street_rows(units_qs)
    totals = GroupRow(key=0, name="")
    for row in streets:
        for name in ("units", "households", "owners", "voted", "agree", "ready", "reached", "signed", "building",
                     "installed", "accepted"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    items = attention.attention_for(units_qs, today)
    worst = items[:ATTENTION_SHOWN]
    by_id = Unit.objects.for_listing().in_bulk([item.unit_id for item in worst])
    return DistrictBoard(
        streets=streets,
        totals=totals,
        stage_counts=_stage_counts(units_qs),
        situation_counts=_situation_counts(units_qs),
        funnel={"households": totals.households, "owners": totals.owners, "voted": totals.voted, "agreed": totals.agree},
        progress=_progress(units_qs),
        trend=_trend(units_qs, today),
        attention=[(item, by_id[item.unit_id]) for item in worst],
        attention_total=len(items),
    )


def store_missing_tallies(units_qs) -> None:
    """Compute the consent figures of the units that have none stored yet (after an import or a vote),
    ``TALLY_CHUNK`` at a time: the district's sums read the stored figures. One query when none is missing."""
    missing = units_qs.filter(tally__isnull=True).for_listing().order_by("pk")
    while chunk := list(missing[:TALLY_CHUNK]):
        consent_by_unit(chunk)


def _reached(milestone: str) -> Count:
    return Count("pk", filter=Q(stage__in=Stage.at_or_after(REACHED[milestone])))


def _street_rows(units_qs) -> list[GroupRow]:
    """One row per street from one GROUP BY, leaders first (as ``_groups`` orders communities)."""
    rows = (
        units_qs.values(STREET, f"{STREET}__name")
        .annotate(
            units=Count("pk"),
            households=Coalesce(Sum("tally__households"), 0),
            owners=Coalesce(Sum("tally__owners"), 0),
            voted=Coalesce(Sum("tally__participants"), 0),
            agree=Coalesce(Sum("tally__agree"), 0),
            ready=Count("pk", filter=Q(tally__situation=rules.READY)),
            reached=Count("pk", filter=Q(tally__threshold_met=True)),
            signed=_reached("signed"),
            building=Count("pk", filter=Q(stage=Stage.CONSTRUCTION)),
            installed=_reached("installed"),
            accepted=_reached("accepted"),
        )
        .order_by()
    )
    streets = [
        GroupRow(key=row.pop(STREET), name=row.pop(f"{STREET}__name"), **row) for row in rows
    ]
    return sorted(
        streets, key=lambda r: (-r.accepted, -r.building, -r.signed, -r.reached, -(r.agree_share or 0), r.name)
    )


def _stage_counts(units_qs) -> list[tuple[str, str, int]]:
    counted = dict(units_qs.values_list("stage").annotate(n=Count("pk")).order_by())
    return [(s.value, s.label, counted.get(s.value, 0)) for s in Stage]


def _situation_counts(units_qs) -> dict[str, int]:
    counted = dict(
        units_qs.filter(tally__situation__in=rules.SITUATIONS)
        .values_list("tally__situation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {code: counted.get(code, 0) for code in rules.SITUATIONS}
