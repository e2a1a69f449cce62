"""The report to the district head at district level: the street report's figures for each street of the
district, and the district's totals.

Each street's figures count what the street's own report counts (figures.py): estates, buildings and
units; households and consent situations from the stored consent tallies; signed, installed and accepted
by the stage reached, dated by the record's own date or else the first day in that stage. But they are
summed in the database, in one GROUP BY street over the district's units (a unit's dates are correlated
subqueries), so the report's queries do not grow with the streets or the units. The district's totals are
the streets' sums: an estate or a building lies in one street.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, Max, Min, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from consultations import rules
from consultations.situations import NAMES as SITUATION_NAMES
from reports.dashboard import REACHED, STREET, store_missing_tallies
from units.models import Stage, StageChange
from units.permissions import covers_whole, require_roster, scope_at_level
from works.models import AcceptanceCheck

from .figures import Figures
from .report import BASIC_TABLE, MILESTONES, SCOPE, Paragraph, date_text

# The rows of each street's table: the street report's basic table, then today's consent situations.
ROWS = (*BASIC_TABLE, *((SITUATION_NAMES[code], code, None) for code in rules.SITUATIONS))
KEYS = tuple(key for _label, by_end, in_period in ROWS for key in (by_end, in_period) if key)
# The overview's columns: one row per street, the figures a district head compares first.
OVERVIEW = ("units", "households", rules.READY, "signed", "installed", "accepted")
MILESTONE_NAMES = ("signed", "installed", "accepted")
DATES = ("signed_first", "signed_last", "installed_last", "accepted_last")  # the milestones' sentence cites


def district_scope(user, level: str, pk: int):
    """The district and the user's units in it: 404 unless the user covers the whole district (its
    housing bureau), 403 for a role that may not see the roster."""
    obj, units = scope_at_level(user, level, pk, levels=("district",))
    if not covers_whole(user, level, obj):
        raise Http404
    require_roster(user)
    return obj, units


@dataclass
class StreetFigures:
    """One street's figures by key (``KEYS``), or the district's totals, and its milestones' first and
    latest dates (``DATES``)."""

    pk: int | None
    name: str
    values: dict[str, int]
    dates: dict[str, date | None]

    @property
    def overview(self) -> list[int]:
        """The street's row in the overview."""
        return [self.values[key] for key in OVERVIEW]

    def table(self) -> list[tuple[str, int, int | None]]:
        """The street's table: label, the figure by the end date, the figure in the period."""
        return [(str(label), self.values[key], self.values[period] if period else None) for label, key, period in ROWS]


@dataclass
class DistrictLevelReport:
    """The report of a district: a paragraph of its totals, an overview, and each street's table."""

    obj: object
    start: date
    end: date
    today: date
    streets: list[StreetFigures]
    totals: StreetFigures
    basic: list[Paragraph] = field(default_factory=list)
    level: str = "district"

    @property
    def scope_name(self) -> str:
        return self.obj.name

    @property
    def overview_headers(self) -> list[str]:
        labels = {key: label for label, key, _period in ROWS}
        return [str(labels[key]) for key in OVERVIEW]

    @property
    def streets_and_totals(self) -> list[StreetFigures]:
        return [*self.streets, self.totals]


def build_district_report(obj, units, *, start: date, end: date, today: date | None = None) -> DistrictLevelReport:
    """The report for ``units`` (a district's, scoped to the user) over [start, end]."""
    today = today or timezone.localdate()
    store_missing_tallies(units)
    streets = [
        StreetFigures(row[STREET], row[f"{STREET}__name"], {k: row[k] for k in KEYS}, {k: row[k] for k in DATES})
        for row in _per_street(units, start, end).order_by(f"{STREET}__name")
    ]
    totals = StreetFigures(
        None,
        gettext("District total"),
        {key: sum(s.values[key] for s in streets) for key in KEYS},
        {key: _earliest_or_latest(key, [s.dates[key] for s in streets]) for key in DATES},
    )
    report = DistrictLevelReport(obj=obj, start=start, end=end, today=today, streets=streets, totals=totals)
    report.basic = _basic(report)
    return report


def _earliest_or_latest(key: str, days: list) -> date | None:
    known = [day for day in days if day]
    if not known:
        return None
    return min(known) if key.endswith("_first") else max(known)


def _basic(report: DistrictLevelReport) -> list[Paragraph]:
    """The street report's first two sentences, said of the district's totals."""
    figures = Figures()
    for key in KEYS:
        figures.add(key, key, [], report.totals.values[key])
    dates = {key: date_text(day) for key, day in report.totals.dates.items()}
    return [
        Paragraph(SCOPE.segments(figures, scope=report.scope_name)),
        Paragraph(MILESTONES.segments(figures, end=date_text(report.end), **dates)),
    ]


def _first_day_in(stage: str):
    """The day a unit first moved into ``stage`` (the date a milestone has when its record has none)."""
    return Subquery(
        StageChange.objects.filter(unit=OuterRef("pk"), after=stage)
        .order_by("changed_at")
        .values(day=TruncDate("changed_at"))[:1]
    )


def _city_pass_day():
    """The date of the unit's latest city acceptance check, when it passed."""
    latest = AcceptanceCheck.objects.filter(unit=OuterRef("pk"), level="city").order_by("-date", "-id")
    return Subquery(latest.annotate(day=Case(When(result="pass", then="date"))).values("day")[:1])


def _per_street(units, start: date, end: date):
    """One row per street: every figure of ``ROWS`` as a count or a sum."""
    dated = units.annotate(
        signed_on=Coalesce("contract__signed_on", _first_day_in(REACHED["signed"])),
        installed_on=Coalesce("construction__completed_on", _first_day_in(REACHED["installed"])),
        accepted_on=Coalesce(_city_pass_day(), _first_day_in(REACHED["accepted"])),
    )
    milestones = {}
    for name in MILESTONE_NAMES:
        on = f"{name}_on"
        reached = Q(stage__in=Stage.at_or_after(REACHED[name]))
        dated_by_end = reached & Q(**{f"{on}__lte": end})
        milestones[name] = Count("pk", filter=reached & (Q(**{f"{on}__isnull": True}) | Q(**{f"{on}__lte": end})))
        milestones[f"{name}_period"] = Count("pk", filter=reached & Q(**{f"{on}__gte": start, f"{on}__lte": end}))
        milestones.update(
            (f"{name}_{end_of}", aggregate(on, filter=dated_by_end))
            for end_of, aggregate in (("first", Min), ("last", Max))
            if f"{name}_{end_of}" in DATES
        )
    situations = {code: Count("pk", filter=Q(tally__situation=code)) for code in rules.SITUATIONS}
    return dated.values(STREET, f"{STREET}__name").annotate(
        estates=Count("building__estate", distinct=True),
        pilot_estates=Count("building__estate", distinct=True, filter=Q(building__estate__is_pilot=True)),
        buildings=Count("building", distinct=True),
        units=Count("pk"),
        eligible=Count("pk", filter=Q(eligible=True)),
        households=Coalesce(Sum("tally__households", filter=Q(tally__conflict="")), 0),
        **milestones,
        **situations,
    )
