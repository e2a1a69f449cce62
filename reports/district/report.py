"""The report to the district head, built from its figures for a date range.

The report has the shape of the street's own pilot report: the basic situation in figures, what
worked, the difficulties by category with counts, and next steps. Every number in it is a ``Figure``
(figures.py) that carries the rows behind it (units, or meetings), so the print page links each number
to the list that backs it and the .docx lists those rows in an appendix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations import rules

from .figures import Facts, Figure, Figures, Scope, collect


@dataclass(frozen=True)
class Ref:
    """A number in a sentence that links to its figure's list."""

    key: str
    text: str


@dataclass
class Paragraph:
    segments: list  # str or Ref
    lead: str = ""  # a bold run-in heading, e.g. "(1) Three levels working together."

    @property
    def plain(self) -> str:
        return self.lead + "".join(s.text if isinstance(s, Ref) else s for s in self.segments)


@dataclass
class Difficulty:
    category: str
    items: list[tuple[str, str]]  # (label, figure key)
    paragraph: Paragraph | None = None


@dataclass
class DistrictReport:
    level: str
    obj: object
    start: date
    end: date
    today: date
    figures: dict[str, Figure] = field(default_factory=dict)
    basic: list[Paragraph] = field(default_factory=list)
    worked: list[Paragraph] = field(default_factory=list)
    difficulties: list[Difficulty] = field(default_factory=list)
    next_steps: list[Paragraph] = field(default_factory=list)
    basic_table: list[tuple[str, str, str | None]] = field(default_factory=list)  # label, key, key in period

    @property
    def scope_name(self) -> str:
        return self.obj.name

    def figure_url(self, key: str) -> str:
        url = reverse("district_report_figure", kwargs={"level": self.level, "pk": self.obj.pk, "key": key})
        return f"{url}?from={self.start.isoformat()}&to={self.end.isoformat()}"

    @property
    def appendix(self) -> list[Figure]:
        """The figures the text cites, in the order first cited, each with its rows."""
        seen: list[str] = []
        for paragraph in [*self.basic, *self.worked, *[d.paragraph for d in self.difficulties if d.paragraph], *self.next_steps]:
            for segment in paragraph.segments:
                if isinstance(segment, Ref) and segment.key not in seen:
                    seen.append(segment.key)
        for _label, key, in_period in self.basic_table:
            for k in (key, in_period):
                if k and k not in seen:
                    seen.append(k)
        for difficulty in self.difficulties:
            for _label, key in difficulty.items:
                if key not in seen:
                    seen.append(key)
        return [self.figures[k] for k in seen if k in self.figures]


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sentence(template, **values) -> list:
    """Split a translated sentence at its %(name)s placeholders; each value is a Ref or plain text.

    Translators may move the placeholders about: the split follows the translated text.
    """
    parts = PLACEHOLDER.split(str(template))
    segments = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if part:
                segments.append(part)
        else:
            value = values[part]
            segments.append(value if isinstance(value, Ref) else str(value))
    return segments


def date_text(value: date | None) -> str:
    return value.isoformat() if value else "—"


@dataclass(frozen=True)
class Cited:
    """A sentence whose placeholders cite figures, said when any figure of ``when`` is not zero."""

    text: object  # a lazy translation
    refs: tuple[tuple[str, str], ...] = ()  # placeholder → figure key
    when: tuple[str, ...] = ()  # figure keys; empty: always said

    def applies(self, figures: Figures) -> bool:
        return not self.when or any(figures[key].value for key in self.when)

    def segments(self, figures: Figures, **values) -> list:
        """The sentence split at its placeholders: figures as Refs, ``values`` as plain text."""
        refs = {name: Ref(key, figures[key].text) for name, key in self.refs}
        return sentence(self.text, **values, **refs)


# The basic situation's table: label, the figure by the end date, the figure in the period.
BASIC_TABLE = (
    (gettext_lazy("Estates"), "estates", None),
    (gettext_lazy("Pilot estates"), "pilot_estates", None),
    (gettext_lazy("Buildings"), "buildings", None),
    (gettext_lazy("Units"), "units", None),
    (gettext_lazy("Units physically eligible"), "eligible", None),
    (gettext_lazy("Households on the roster"), "households", None),
    (gettext_lazy("Units signed"), "signed", "signed_period"),
    (gettext_lazy("Elevators installed"), "installed", "installed_period"),
    (gettext_lazy("Elevators accepted and in service"), "accepted", "accepted_period"),
)

SCOPE = Cited(
    gettext_lazy(
        "%(scope)s covers %(estates)s estates with %(buildings)s buildings and %(units)s units, "
        "%(households)s households on the roster. %(eligible)s units are physically eligible "
        "for an elevator."
    ),
    (("estates", "estates"), ("buildings", "buildings"), ("units", "units"), ("households", "households"), ("eligible", "eligible")),
)
PILOT = Cited(
    gettext_lazy("The pilot started on %(start)s; %(count)s pilot estates: %(names)s."),
    (("count", "pilot_estates"),),
    when=("pilot_estates",),
)
MILESTONES = Cited(
    gettext_lazy(
        "By %(end)s, %(signed)s units had signed the installation contract (%(signed_period)s in this "
        "period; the first on %(signed_first)s, the latest on %(signed_last)s). %(installed)s elevators "
        "had been installed (%(installed_period)s in this period; the latest completed on "
        "%(installed_last)s), and %(accepted)s had passed acceptance and were in service "
        "(%(accepted_period)s in this period; the latest on %(accepted_last)s)."
    ),
    tuple((name, name) for name in ("signed", "signed_period", "installed", "installed_period", "accepted", "accepted_period")),
)
CONSENT_TODAY = Cited(
    gettext_lazy(
        "Today %(agree)s of %(owners)s owners agree to an elevator, and %(ready)s units have reached "
        "the consent the law requires."
    ),
    (("agree", "owners_agree"), ("ready", rules.READY)),
)

# What worked: (1) the leadership group, (2) residents decide, with a clause for each thing done,
# (3) details, with the subsidies paid.
LEADERSHIP = Cited(
    gettext_lazy(
        "The street's leadership group met %(meetings)s times in this period (%(regular)s regular "
        "meetings, %(coordination)s coordination meetings and %(joint)s joint meetings) to "
        "coordinate, supervise progress and explain the policy; %(done)s of the %(items)s actions "
        "agreed there are done."
    ),
    (
        ("meetings", "leadership_meetings"),
        ("regular", "meetings_regular"),
        ("coordination", "meetings_coordination"),
        ("joint", "meetings_joint"),
    ),
    when=("leadership_meetings",),
)
RESIDENTS = (
    Cited(
        gettext_lazy(
            "Residents decide. %(rounds)s consultation rounds were opened in this period, publicised through "
            "%(channels)s, each with a feedback deadline. Staff recorded %(contacts)s contacts with households, "
            "%(visits)s of them home visits, and %(converted)s owners came round to agree."
        ),
        (("rounds", "rounds"), ("contacts", "contacts"), ("visits", "visits"), ("converted", "converted")),
    ),
    Cited(
        gettext_lazy(" %(notices)s units where most agreed draft-signed the agreement and posted it first, to set an example."),
        (("notices", "notices"),),
        when=("notices",),
    ),
    Cited(
        gettext_lazy(" %(qa)s on-site Q&A meetings and %(yard)s yard meetings were held for units still waiting to see."),
        (("qa", "meetings_qa"), ("yard", "meetings_yard")),
        when=("meetings_qa", "meetings_yard"),
    ),
    Cited(
        gettext_lazy(" Neighbours took over %(amount)s yuan of the shares of %(relief)s hardship households."),
        (("amount", "relief_total"), ("relief", "relief")),
        when=("relief",),
    ),
    Cited(
        gettext_lazy(" %(joint)s joint visits with a neighbour and a cadre were planned for owners who misunderstood the policy."),
        (("joint", "joint_visits"),),
        when=("joint_visits",),
    ),
)
DETAILS = Cited(
    gettext_lazy(
        "Details count. Along with the elevators, %(meter_boxes)s units moved their meter boxes, "
        "%(pipes)s moved pipes and %(ditch)s repaired the drainage ditch by the shaft. In this period "
        "%(supervisory)s units passed the supervisory inspection, %(district)s the district acceptance "
        "and %(city)s the city acceptance."
    ),
    (
        ("meter_boxes", "meter_boxes"),
        ("pipes", "pipes"),
        ("ditch", "drainage_ditch"),
        ("supervisory", "passed_supervisory"),
        ("district", "passed_district"),
        ("city", "passed_city"),
    ),
    when=("meter_boxes", "pipes", "drainage_ditch", "passed_city"),
)
SUBSIDIES = Cited(
    gettext_lazy(" Subsidies of %(amount)s yuan were paid to %(count)s units."),
    (("amount", "subsidy_total"), ("count", "subsidies")),
    when=("subsidies",),
)


@dataclass(frozen=True)
class DifficultyText:
    """One category of difficulties: the figures its table lists, and the paragraph that cites them."""

    category: object  # a lazy translation
    items: tuple[str, ...]  # figure keys, in the table's order
    paragraph: Cited | None = None  # %(pattern)s in it is the support sentence


DIFFICULTIES = (
    DifficultyText(
        gettext_lazy("Opinions are hard to unify"),
        (
            "not_ready",
            rules.FEW_HOLDOUTS,
            rules.WAIT_AND_SEE,
            rules.UNLIKELY,
            "holdouts_misunderstanding",
            "holdouts_low_floor",
            "holdouts_noise_light",
            "objections",
        ),
        Cited(
            gettext_lazy(
                "First, opinions are hard to unify. %(not_ready)s eligible units have not reached consent: "
                "%(few)s with a few holdouts, %(wait)s waiting to see and %(unlikely)s without enough support. "
                "%(misunderstanding)s holdouts misunderstand the policy and %(low_floor)s see no benefit on a low "
                "floor; %(objections)s written objections are still open.%(pattern)s"
            ),
            (
                ("not_ready", "not_ready"),
                ("few", rules.FEW_HOLDOUTS),
                ("wait", rules.WAIT_AND_SEE),
                ("unlikely", rules.UNLIKELY),
                ("misunderstanding", "holdouts_misunderstanding"),
                ("low_floor", "holdouts_low_floor"),
                ("objections", "objections"),
            ),
        ),
    ),
    DifficultyText(
        gettext_lazy("Money is hard to raise"),
        ("holdouts_money", "hardship", "refused"),
        Cited(
            gettext_lazy(
                "Second, money is hard to raise. The subsidy is limited and many older residents have low incomes: "
                "%(money)s holdouts object over what they would pay or how the cost is split between floors, "
                "%(hardship)s households are registered as hardship households, and %(refused)s households "
                "refused to sign the contract."
            ),
            (("money", "holdouts_money"), ("hardship", "hardship"), ("refused", "refused")),
        ),
    ),
    DifficultyText(
        gettext_lazy("Upkeep after handover"),
        ("in_service", "unregistered", "maintenance_overdue", "inspection_due", "arrears"),
        Cited(
            gettext_lazy(
                "Third, upkeep after handover. Of %(in_service)s elevators in service, %(unregistered)s have no use "
                "registration yet, %(maintenance)s are overdue for maintenance and %(inspection)s have an "
                "inspection due; %(arrears)s households are behind with electricity or repair-fund charges."
            ),
            (
                ("in_service", "in_service"),
                ("unregistered", "unregistered"),
                ("maintenance", "maintenance_overdue"),
                ("inspection", "inspection_due"),
                ("arrears", "arrears"),
            ),
        ),
    ),
    DifficultyText(gettext_lazy("Other"), ("acceptance_failed", "stalled", "conflicts")),
)

# Next steps, each proposed when its figure is not zero; the last always.
NEXT_STEPS = (
    Cited(
        gettext_lazy("Draft-sign the agreement and post the public notice in the %(n)s units that have reached consent but are still being consulted."),
        (("n", "ready_waiting"),),
        when=("ready_waiting",),
    ),
    Cited(
        gettext_lazy(
            "In the %(n)s units with a few holdouts, find out how strongly and why each objects: visit those "
            "who misunderstand the policy with a neighbour from the same floor and a cadre, and ask "
            "neighbours to take over part of the share of hardship households."
        ),
        (("n", rules.FEW_HOLDOUTS),),
        when=(rules.FEW_HOLDOUTS,),
    ),
    Cited(
        gettext_lazy("Hold an on-site Q&A meeting before the feedback deadline in each of the %(n)s units waiting to see."),
        (("n", rules.WAIT_AND_SEE),),
        when=(rules.WAIT_AND_SEE,),
    ),
    Cited(
        gettext_lazy(
            "Have building leaders run the %(n)s elevators in service: a maintenance visit at least every "
            "15 days, periodic inspections, the electricity fee and the repair fund; register the "
            "%(unregistered)s not yet registered."
        ),
        (("n", "in_service"), ("unregistered", "unregistered")),
        when=("in_service",),
    ),
    Cited(
        gettext_lazy(
            "Keep explaining the policy, survey the willingness of the households in the other eligible "
            "buildings, and take the model of residents leading, the community guiding, the government "
            "supporting and all parties working together to more old estates."
        )
    ),
)


def build(level: str, obj, units, *, start: date, end: date, user, today: date | None = None) -> DistrictReport:
    """The report for ``units`` (a queryset scoped to ``user`` within ``obj``) over [start, end]."""
    today = today or timezone.localdate()
    figures, facts = collect(Scope(level, obj, units, start, end, today))
    report = DistrictReport(level=level, obj=obj, start=start, end=end, today=today, figures=figures)
    report.basic_table = [(str(label), key, in_period) for label, key, in_period in BASIC_TABLE]
    report.basic = _basic(report, facts)
    report.worked = _what_worked(figures, facts)
    pattern = _support_sentence(facts.support)
    report.difficulties = [
        Difficulty(
            str(d.category),
            [(str(figures[key].label), key) for key in d.items],
            Paragraph(d.paragraph.segments(figures, pattern=pattern)) if d.paragraph else None,
        )
        for d in DIFFICULTIES
    ]
    report.next_steps = [Paragraph(step.segments(figures)) for step in NEXT_STEPS if step.applies(figures)]
    return report


def _basic(report: DistrictReport, facts: Facts) -> list[Paragraph]:
    figures = report.figures
    paragraphs = [Paragraph(SCOPE.segments(figures, scope=report.scope_name))]
    if PILOT.applies(figures):
        paragraphs.append(
            Paragraph(
                PILOT.segments(
                    figures,
                    start=date_text(min((e.pilot_start for e in facts.pilots if e.pilot_start), default=None)),
                    names="、".join(f"{e.name}（{date_text(e.pilot_start)}）" for e in facts.pilots),
                )
            )
        )

    def dates_of(key):
        known = [r.date for r in figures[key].rows if r.date]
        return (min(known), max(known)) if known else (None, None)

    signed_first, signed_last = dates_of("signed")
    _unused, installed_last = dates_of("installed")
    _unused, accepted_last = dates_of("accepted")
    paragraphs.append(
        Paragraph(
            MILESTONES.segments(
                figures,
                end=date_text(report.end),
                signed_first=date_text(signed_first),
                signed_last=date_text(signed_last),
                installed_last=date_text(installed_last),
                accepted_last=date_text(accepted_last),
            )
        )
    )
    paragraphs.append(Paragraph(CONSENT_TODAY.segments(figures, owners=str(facts.owners))))
    return paragraphs


def _what_worked(figures: Figures, facts: Facts) -> list[Paragraph]:
    worked = []
    if LEADERSHIP.applies(figures):
        segments = LEADERSHIP.segments(figures, done=str(facts.actions_done), items=str(facts.actions))
        worked.append(Paragraph(segments, lead=_("(1) Three levels working together. ")))
    channels = "、".join(f"{name}（{n}）" for name, n in facts.channels.most_common()) or "—"
    segments = [s for clause in RESIDENTS if clause.applies(figures) for s in clause.segments(figures, channels=channels)]
    worked.append(Paragraph(segments, lead=_("(2) ")))
    if DETAILS.applies(figures):
        segments = [s for clause in (DETAILS, SUBSIDIES) if clause.applies(figures) for s in clause.segments(figures)]
        worked.append(Paragraph(segments, lead=_("(3) ")))
    return worked


def _support_sentence(support) -> str:
    """"Support is highest among …, lowest among …" from the support pattern, when there are votes."""
    groups = [row for row in [*support.by_floor, *support.by_occupancy, *support.by_age] if row.total >= 5 and row.key]
    if len(groups) < 2:
        return ""
    high = max(groups, key=lambda r: (r.agree_share, r.total))
    low = min(groups, key=lambda r: (r.agree_share, -r.total))
    if high.agree_share == low.agree_share:
        return ""

    def pct(row):
        return f"{Decimal(row.agree) * 100 / Decimal(row.total):.0f}%"

    return " " + _("Support is highest among %(high)s (%(high_pct)s agree) and lowest among %(low)s (%(low_pct)s).") % {
        "high": high.label,
        "high_pct": pct(high),
        "low": low.label,
        "low_pct": pct(low),
    }


