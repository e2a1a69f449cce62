"""The street's progress report to the district head, drafted from the data for a date range.

The report has the shape of the street's own (``/work/shared/pilot-report.txt``): the basic situation
in figures, what worked, the difficulties by category with counts, and next steps. Every number in it
is a ``Figure`` that carries the rows behind it (units, or meetings), so the print page links each
number to the list that backs it and the .docx lists those rows in an appendix.

Dates. A unit counts as signed, installed or accepted as the dashboard counts it (the stage it has
reached, ``reports.dashboard.REACHED``); the date it did so is the record's own date where there is
one (the contract date, the construction completion date, the city acceptance date), else the day
the unit first moved into that stage. "By the end date" counts units that reached it on or before
the end; "in the period" those whose date falls between start and end. Consent figures are today's.

Queries do not grow with the data: consent is computed in chunks of units (as in the progress
workbook), everything else in one aggregate query each.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations import rules
from consultations.models import (
    LEADERSHIP_KINDS,
    ActionItem,
    ConsultationRound,
    Contact,
    ContactChannel,
    Holdout,
    HoldoutReason,
    Meeting,
    MeetingKind,
    Notice,
    Objection,
    VoteChange,
)
from consultations.selectors import consent_by_unit, support_pattern
from reports.dashboard import REACHED, SEQUENCE
from retrofit import attention
from units.models import (
    Household,
    Plan,
    PlanShare,
    Signature,
    SignatureStatus,
    Stage,
    StageChange,
    Unit,
)
from works.models import AcceptanceCheck, AcceptanceLevel, UtilityCharge
from works.selectors import SERVICE_STAGES, one

from .common import unit_label

CHUNK_SIZE = 500
CENT = Decimal("0.01")


@dataclass
class Row:
    """One item behind a figure: a unit (or an estate, a meeting), with its date and a detail."""

    label: str
    url: str
    date: date | None = None
    detail: str = ""


@dataclass
class Figure:
    key: str
    label: str
    value: int | Decimal
    rows: list[Row] = field(default_factory=list)
    money: bool = False

    @property
    def text(self) -> str:
        if self.money:
            return f"{self.value:,.2f}"
        return str(self.value)


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


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _stage_index(stage: str) -> int:
    return SEQUENCE.index(stage) if stage in SEQUENCE else -1


def _unit_row(unit: Unit, when: date | None = None, detail: str = "") -> Row:
    return Row(unit_label(unit), reverse("unit_detail", args=[unit.pk]), when, detail)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def default_period(units, today: date) -> tuple[date, date]:
    """From the earliest pilot start in scope (or 1 January) to today."""
    first = units.filter(building__estate__pilot_start__isnull=False).aggregate(first=Min("building__estate__pilot_start"))
    start = first["first"] or date(today.year, 1, 1)
    return min(start, today), today


def build(level: str, obj, units, *, start: date, end: date, user, today: date | None = None) -> DistrictReport:
    """The report for ``units`` (a queryset scoped to ``user`` within ``obj``) over [start, end]."""
    today = today or timezone.localdate()
    report = DistrictReport(level=level, obj=obj, start=start, end=end, today=today)
    figures = report.figures

    def add(key, label, rows, value=None, money=False):
        figures[key] = Figure(key, str(label), len(rows) if value is None else value, rows, money)
        return figures[key]

    def ref(key, text=None):
        return Ref(key, text if text is not None else figures[key].text)

    unit_list = list(
        units.select_related(
            "building__estate__community__street", "contract", "construction", "registration", "subsidy"
        ).order_by("building__estate__community__name", "building__estate__name", "building__number", "number")
    )
    by_id = {u.pk: u for u in unit_list}
    ids = list(by_id)

    # --- the basic situation -------------------------------------------------------------------
    estates = {}
    buildings = {}
    for unit in unit_list:
        estates.setdefault(unit.building.estate_id, unit.building.estate)
        buildings.setdefault(unit.building_id, unit.building)
    add(
        "estates",
        gettext_lazy("Estates"),
        [Row(e.name, reverse("estate_detail", args=[e.pk]), e.pilot_start) for e in estates.values()],
    )
    pilots = sorted((e for e in estates.values() if e.is_pilot), key=lambda e: (e.pilot_start or date.max, e.name))
    add("pilot_estates", gettext_lazy("Pilot estates"), [Row(e.name, reverse("estate_detail", args=[e.pk]), e.pilot_start) for e in pilots])
    add(
        "buildings",
        gettext_lazy("Buildings"),
        [
            Row(f"{b.estate.name} {b.number}栋", reverse("dashboard", kwargs={"level": "building", "pk": b.pk}))
            for b in buildings.values()
        ],
    )
    add("units", gettext_lazy("Units"), [_unit_row(u) for u in unit_list])
    add("eligible", gettext_lazy("Units physically eligible"), [_unit_row(u) for u in unit_list if u.eligible])

    # Consent, in chunks so that a whole street's households are never in memory at once.
    situations: dict[int, str | None] = {}
    agree_rows, household_rows, conflicts = [], [], []
    agree_total = owners_total = households_total = 0
    for batch in _chunks(unit_list, CHUNK_SIZE):
        for pk, result in consent_by_unit(batch).items():
            unit = by_id[pk]
            if not result.ok:
                conflicts.append(_unit_row(unit, detail=str(result.conflict)))
                situations[pk] = None
                continue
            c = result.consent
            situations[pk] = c.situation
            households_total += c.households
            owners_total += c.owners
            agree_total += c.agree
            household_rows.append(_unit_row(unit, detail=str(c.households)))
            if c.agree:
                agree_rows.append(_unit_row(unit, detail=f"{c.agree}/{c.owners}"))
    add("households", gettext_lazy("Households on the roster"), household_rows, households_total)
    add("owners_agree", gettext_lazy("Owners agreeing"), agree_rows, agree_total)
    add("conflicts", gettext_lazy("Units with a roster conflict"), conflicts)
    for code, label in (
        (rules.READY, gettext_lazy("Units ready (consent reached)")),
        (rules.FEW_HOLDOUTS, gettext_lazy("Units with a few holdouts")),
        (rules.WAIT_AND_SEE, gettext_lazy("Units waiting to see")),
        (rules.UNLIKELY, gettext_lazy("Units without enough support")),
    ):
        add(code, label, [_unit_row(by_id[pk]) for pk, s in situations.items() if s == code])
    consulting = (Stage.SURVEY, Stage.CONSULTATION)
    add(
        "ready_waiting",
        gettext_lazy("Ready units still in survey or consultation"),
        [_unit_row(by_id[pk]) for pk, s in situations.items() if s == rules.READY and by_id[pk].stage in consulting],
    )
    failing = [pk for pk, s in situations.items() if s in (rules.FEW_HOLDOUTS, rules.WAIT_AND_SEE, rules.UNLIKELY)]
    add(
        "not_ready",
        gettext_lazy("Units that have not reached consent"),
        [_unit_row(by_id[pk], detail=str(situation_label(situations[pk]))) for pk in failing if by_id[pk].eligible],
    )

    # Milestones: the stage reached (as the dashboard counts) and the date it was reached.
    firsts = defaultdict(dict)
    for row in (
        StageChange.objects.filter(unit_id__in=ids, after__in=list(REACHED.values()))
        .values("unit_id", "after")
        .annotate(first=Min("changed_at"))
        .order_by()
    ):
        firsts[row["unit_id"]][row["after"]] = timezone.localdate(row["first"])
    checks = defaultdict(dict)  # unit → level → latest check
    for check in AcceptanceCheck.objects.filter(unit_id__in=ids).order_by("date", "id"):
        checks[check.unit_id][check.level] = check

    def milestone_date(unit: Unit, name: str) -> date | None:
        if name == "signed":
            contract = one(unit, "contract")
            own = contract.signed_on if contract else None
        elif name == "installed":
            construction = one(unit, "construction")
            own = construction.completed_on if construction else None
        else:
            city = checks[unit.pk].get("city")
            own = city.date if city is not None and city.result == "pass" else None
        return own or firsts[unit.pk].get(REACHED[name])

    for name, label, label_period in (
        ("signed", gettext_lazy("Units signed"), gettext_lazy("Units signed in the period")),
        ("installed", gettext_lazy("Elevators installed"), gettext_lazy("Elevators installed in the period")),
        ("accepted", gettext_lazy("Elevators accepted and in service"), gettext_lazy("Elevators accepted in the period")),
    ):
        threshold = _stage_index(REACHED[name])
        by_end, in_period = [], []
        for unit in unit_list:
            if _stage_index(unit.stage) < threshold:
                continue
            when = milestone_date(unit, name)
            if when is None or when <= end:
                by_end.append(_unit_row(unit, when))
            if when is not None and start <= when <= end:
                in_period.append(_unit_row(unit, when))
        by_end.sort(key=lambda r: (r.date or date.max, r.label))
        in_period.sort(key=lambda r: (r.date, r.label))
        add(name, label, by_end)
        add(f"{name}_period", label_period, in_period)
    report.basic_table = [
        (str(gettext_lazy("Estates")), "estates", None),
        (str(gettext_lazy("Pilot estates")), "pilot_estates", None),
        (str(gettext_lazy("Buildings")), "buildings", None),
        (str(gettext_lazy("Units")), "units", None),
        (str(gettext_lazy("Units physically eligible")), "eligible", None),
        (str(gettext_lazy("Households on the roster")), "households", None),
        (str(gettext_lazy("Units signed")), "signed", "signed_period"),
        (str(gettext_lazy("Elevators installed")), "installed", "installed_period"),
        (str(gettext_lazy("Elevators accepted and in service")), "accepted", "accepted_period"),
    ]

    report.basic.append(
        Paragraph(
            sentence(
                _(
                    "%(scope)s covers %(estates)s estates with %(buildings)s buildings and %(units)s units, "
                    "%(households)s households on the roster. %(eligible)s units are physically eligible "
                    "for an elevator."
                ),
                scope=report.scope_name,
                estates=ref("estates"),
                buildings=ref("buildings"),
                units=ref("units"),
                households=ref("households"),
                eligible=ref("eligible"),
            )
        )
    )
    if pilots:
        names = "、".join(f"{e.name}（{_d(e.pilot_start)}）" for e in pilots)
        report.basic.append(
            Paragraph(
                sentence(
                    _("The pilot started on %(start)s; %(count)s pilot estates: %(names)s."),
                    start=_d(min((e.pilot_start for e in pilots if e.pilot_start), default=None)),
                    count=ref("pilot_estates"),
                    names=names,
                )
            )
        )

    def dates_of(key):
        known = [r.date for r in figures[key].rows if r.date]
        return (min(known), max(known)) if known else (None, None)

    signed_first, signed_last = dates_of("signed")
    _unused, installed_last = dates_of("installed")
    _unused, accepted_last = dates_of("accepted")
    report.basic.append(
        Paragraph(
            sentence(
                _(
                    "By %(end)s, %(signed)s units had signed the installation contract (%(signed_period)s in this "
                    "period; the first on %(signed_first)s, the latest on %(signed_last)s). %(installed)s elevators "
                    "had been installed (%(installed_period)s in this period; the latest completed on "
                    "%(installed_last)s), and %(accepted)s had passed acceptance and were in service "
                    "(%(accepted_period)s in this period; the latest on %(accepted_last)s)."
                ),
                end=_d(end),
                signed=ref("signed"),
                signed_period=ref("signed_period"),
                signed_first=_d(signed_first),
                signed_last=_d(signed_last),
                installed=ref("installed"),
                installed_period=ref("installed_period"),
                installed_last=_d(installed_last),
                accepted=ref("accepted"),
                accepted_period=ref("accepted_period"),
                accepted_last=_d(accepted_last),
            )
        )
    )
    report.basic.append(
        Paragraph(
            sentence(
                _(
                    "Today %(agree)s of %(owners)s owners agree to an elevator, and %(ready)s units have reached "
                    "the consent the law requires."
                ),
                agree=ref("owners_agree"),
                owners=str(owners_total),
                ready=ref(rules.READY),
            )
        )
    )

    _what_worked(report, add, ref, obj, level, units, ids, by_id, start, end, checks)
    _difficulties(report, add, ref, units, ids, by_id, unit_list, today)
    _next_steps(report, ref)
    return report


def situation_label(code):
    from consultations.situations import NAMES

    return NAMES.get(code, "—")


def _meetings_in_scope(obj, level):
    if level == "street":
        return Meeting.objects.filter(street=obj)
    if level == "community":
        return Meeting.objects.filter(Q(community=obj) | Q(community__isnull=True, street_id=obj.street_id))
    return Meeting.objects.filter(units__building__estate=obj).distinct()


def _what_worked(report, add, ref, obj, level, units, ids, by_id, start, end, checks):
    worked = report.worked
    in_period = Q(held_on__gte=start, held_on__lte=end)
    meetings = list(_meetings_in_scope(obj, level).filter(in_period).order_by("held_on", "id"))

    def meeting_row(m):
        return Row(f"{m.held_on:%Y-%m-%d} {m.get_kind_display()}", reverse("meeting_detail", args=[m.pk]), m.held_on, m.place)

    leadership = [m for m in meetings if m.kind in LEADERSHIP_KINDS]
    add("leadership_meetings", gettext_lazy("Leadership meetings held"), [meeting_row(m) for m in leadership])
    for kind in MeetingKind.values:
        add(f"meetings_{kind}", MeetingKind(kind).label, [meeting_row(m) for m in meetings if m.kind == kind])
    items = ActionItem.objects.filter(meeting__in=[m.pk for m in leadership]).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done=True))
    )
    if leadership:
        worked.append(
            Paragraph(
                sentence(
                    _(
                        "The street's leadership group met %(meetings)s times in this period (%(regular)s regular "
                        "meetings, %(coordination)s coordination meetings and %(joint)s joint meetings) to "
                        "coordinate, supervise progress and explain the policy; %(done)s of the %(items)s actions "
                        "agreed there are done."
                    ),
                    meetings=ref("leadership_meetings"),
                    regular=ref("meetings_regular"),
                    coordination=ref("meetings_coordination"),
                    joint=ref("meetings_joint"),
                    done=str(items["done"]),
                    items=str(items["total"]),
                ),
                lead=_("(1) Three levels working together. "),
            )
        )

    # Residents decide: rounds, contacts, votes won, notices, meetings with residents, relief, joint visits.
    rounds = list(
        ConsultationRound.objects.filter(unit_id__in=ids, opened_on__gte=start, opened_on__lte=end).order_by("opened_on")
    )
    add(
        "rounds",
        gettext_lazy("Consultation rounds opened"),
        [_unit_row(by_id[r.unit_id], r.opened_on, ", ".join(str(c) for c in r.channel_labels)) for r in rounds],
    )
    channels = Counter(ch for r in rounds for ch in r.channel_labels)
    contacts = Counter()
    contact_units = defaultdict(Counter)
    for row in (
        Contact.objects.filter(household__unit_id__in=ids, contacted_at__date__gte=start, contacted_at__date__lte=end)
        .values("household__unit_id", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        contacts[row["channel"]] += row["n"]
        contact_units[row["household__unit_id"]][row["channel"]] += row["n"]
    add(
        "contacts",
        gettext_lazy("Contacts with households"),
        [_unit_row(by_id[pk], detail=str(sum(c.values()))) for pk, c in contact_units.items()],
        sum(contacts.values()),
    )
    add(
        "visits",
        gettext_lazy("Home visits"),
        [_unit_row(by_id[pk], detail=str(c[ContactChannel.VISIT])) for pk, c in contact_units.items() if c[ContactChannel.VISIT]],
        contacts[ContactChannel.VISIT],
    )
    converted = defaultdict(int)
    for row in (
        VoteChange.objects.filter(
            household__unit_id__in=ids, after=rules.AGREE, changed_at__date__gte=start, changed_at__date__lte=end
        )
        .exclude(before=rules.AGREE)
        .values("household__unit_id")
        .annotate(n=Count("household", distinct=True))
        .order_by()
    ):
        converted[row["household__unit_id"]] = row["n"]
    add(
        "converted",
        gettext_lazy("Households that came round to agree"),
        [_unit_row(by_id[pk], detail=str(n)) for pk, n in converted.items()],
        sum(converted.values()),
    )
    notices = list(Notice.objects.filter(unit_id__in=ids, starts_on__gte=start, starts_on__lte=end).order_by("starts_on"))
    add("notices", gettext_lazy("Units that draft-signed and posted the public notice"), [_unit_row(by_id[n.unit_id], n.starts_on) for n in notices])
    reliefs = list(
        PlanShare.objects.filter(plan__in=Plan.objects.filter(unit_id__in=ids).current(), relief__gt=0)
        .values("plan__unit_id")
        .annotate(n=Count("pk"), total=Sum("relief"))
        .order_by()
    )
    add(
        "relief",
        gettext_lazy("Hardship households relieved"),
        [_unit_row(by_id[r["plan__unit_id"]], detail=f"{r['n']} · {r['total']:,.2f}") for r in reliefs],
        sum(r["n"] for r in reliefs),
    )
    add(
        "relief_total",
        gettext_lazy("Hardship relief shared by neighbours (yuan)"),
        figures_rows(report, "relief"),
        sum((r["total"] for r in reliefs), Decimal("0")).quantize(CENT),
        money=True,
    )
    joint = list(
        Holdout.objects.filter(
            household__unit_id__in=ids, visit_planned_on__gte=start, visit_planned_on__lte=end
        ).values_list("household__unit_id", "visit_planned_on")
    )
    add("joint_visits", gettext_lazy("Joint visits with a neighbour and a cadre"), [_unit_row(by_id[u], d) for u, d in joint])
    segments = sentence(
        _(
            "Residents decide. %(rounds)s consultation rounds were opened in this period, publicised through "
            "%(channels)s, each with a feedback deadline. Staff recorded %(contacts)s contacts with households, "
            "%(visits)s of them home visits, and %(converted)s households came round to agree."
        ),
        rounds=ref("rounds"),
        channels="、".join(f"{name}（{n}）" for name, n in channels.most_common()) or "—",
        contacts=ref("contacts"),
        visits=ref("visits"),
        converted=ref("converted"),
    )
    if report.figures["notices"].value:
        segments += sentence(
            _(" %(notices)s units where most agreed draft-signed the agreement and posted it first, to set an example."),
            notices=ref("notices"),
        )
    if report.figures["meetings_qa"].value or report.figures["meetings_yard"].value:
        segments += sentence(
            _(" %(qa)s on-site Q&A meetings and %(yard)s yard meetings were held for units still waiting to see."),
            qa=ref("meetings_qa"),
            yard=ref("meetings_yard"),
        )
    if report.figures["relief"].value:
        segments += sentence(
            _(" Neighbours took over %(amount)s yuan of the shares of %(relief)s hardship households."),
            amount=ref("relief_total"),
            relief=ref("relief"),
        )
    if report.figures["joint_visits"].value:
        segments += sentence(
            _(" %(joint)s joint visits with a neighbour and a cadre were planned for owners who misunderstood the policy."),
            joint=ref("joint_visits"),
        )
    worked.append(Paragraph(segments, lead=_("(2) ")))

    # Details: micro-renovation, acceptance level by level, subsidies.
    constructions = [(u, one(u, "construction")) for u in by_id.values()]
    for item, label in (
        ("meter_boxes", gettext_lazy("Units that moved meter boxes")),
        ("pipes", gettext_lazy("Units that moved pipes")),
        ("drainage_ditch", gettext_lazy("Units that repaired the drainage ditch")),
    ):
        add(item, label, [_unit_row(u, c.completed_on) for u, c in constructions if c is not None and getattr(c, item)])
    for level, label in AcceptanceLevel.choices:
        rows = []
        for pk, by_level in checks.items():
            check = by_level.get(level)
            if check is not None and check.result == "pass" and start <= check.date <= end and pk in by_id:
                rows.append(_unit_row(by_id[pk], check.date))
        add(f"passed_{level}", label, sorted(rows, key=lambda r: r.date))
    subsidies = [
        (u, s)
        for u in by_id.values()
        if (s := one(u, "subsidy")) is not None and s.paid_on is not None and start <= s.paid_on <= end
    ]
    add(
        "subsidies",
        gettext_lazy("Subsidies paid"),
        [_unit_row(u, s.paid_on, f"{s.amount:,.2f}" if s.amount else "") for u, s in subsidies],
    )
    add(
        "subsidy_total",
        gettext_lazy("Subsidies paid (yuan)"),
        figures_rows(report, "subsidies"),
        sum((s.amount or Decimal("0") for _u, s in subsidies), Decimal("0")).quantize(CENT),
        money=True,
    )
    f = report.figures
    if f["meter_boxes"].value or f["pipes"].value or f["drainage_ditch"].value or f["passed_city"].value:
        segments = sentence(
            _(
                "Details count. Along with the elevators, %(meter_boxes)s units moved their meter boxes, "
                "%(pipes)s moved pipes and %(ditch)s repaired the drainage ditch by the shaft. In this period "
                "%(supervisory)s units passed the supervisory inspection, %(district)s the district acceptance "
                "and %(city)s the city acceptance."
            ),
            meter_boxes=ref("meter_boxes"),
            pipes=ref("pipes"),
            ditch=ref("drainage_ditch"),
            supervisory=ref("passed_supervisory"),
            district=ref("passed_district"),
            city=ref("passed_city"),
        )
        if f["subsidies"].value:
            segments += sentence(
                _(" Subsidies of %(amount)s yuan were paid to %(count)s units."),
                amount=ref("subsidy_total"),
                count=ref("subsidies"),
            )
        worked.append(Paragraph(segments, lead=_("(3) ")))


def figures_rows(report, key) -> list[Row]:
    return report.figures[key].rows


def _difficulties(report, add, ref, units, ids, by_id, unit_list, today):
    f = report.figures
    # Holdouts still not agreeing, by their main reason.
    reasons = defaultdict(Counter)
    for unit_id, reason in (
        Holdout.objects.filter(household__unit_id__in=ids)
        .exclude(household__vote__value=rules.AGREE)
        .values_list("household__unit_id", "reason")
    ):
        reasons[reason][unit_id] += 1

    def by_reason(key, label, codes):
        per_unit = Counter()
        for code in codes:
            per_unit.update(reasons[code])
        add(key, label, [_unit_row(by_id[pk], detail=str(n)) for pk, n in per_unit.items()], sum(per_unit.values()))

    by_reason("holdouts_misunderstanding", HoldoutReason.MISUNDERSTANDING.label, [HoldoutReason.MISUNDERSTANDING])
    by_reason("holdouts_low_floor", HoldoutReason.LOW_FLOOR.label, [HoldoutReason.LOW_FLOOR])
    by_reason("holdouts_noise_light", HoldoutReason.NOISE_LIGHT.label, [HoldoutReason.NOISE_LIGHT])
    by_reason("holdouts_other", HoldoutReason.OTHER.label, [HoldoutReason.OTHER])
    by_reason("holdouts_money", gettext_lazy("Holdouts over money (hardship, cost split)"), [HoldoutReason.HARDSHIP, HoldoutReason.COST_SPLIT])
    open_objections = Counter(
        Objection.objects.filter(notice__unit_id__in=ids, settled_on__isnull=True).values_list("notice__unit_id", flat=True)
    )
    add("objections", gettext_lazy("Open written objections"), [_unit_row(by_id[pk], detail=str(n)) for pk, n in open_objections.items()], sum(open_objections.values()))
    hardship = dict(
        Household.objects.filter(unit_id__in=ids, hardship=True).values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n")
    )
    add("hardship", gettext_lazy("Hardship households"), [_unit_row(by_id[pk], detail=str(n)) for pk, n in hardship.items()], sum(hardship.values()))
    refused = dict(
        Signature.objects.filter(contract__unit_id__in=ids, status=SignatureStatus.REFUSED)
        .values("contract__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("contract__unit_id", "n")
    )
    add("refused", gettext_lazy("Households refusing to sign"), [_unit_row(by_id[pk], detail=str(n)) for pk, n in refused.items()], sum(refused.values()))

    # After handover: the dashboard's attention list, and what households owe.
    items = attention.attention_for(units, today)
    kinds = defaultdict(list)
    for item in items:
        if item.unit_id in by_id:
            kinds[item.kind].append(_unit_row(by_id[item.unit_id], item.due, item.detail))
    in_service = [u for u in unit_list if u.stage in SERVICE_STAGES]
    add("in_service", gettext_lazy("Elevators in service"), [_unit_row(u) for u in in_service])
    add(
        "unregistered",
        gettext_lazy("In service without use registration"),
        [_unit_row(u) for u in in_service if one(u, "registration") is None],
    )
    add("maintenance_overdue", attention.KINDS["maintenance_overdue"], kinds["maintenance_overdue"])
    add("inspection_due", attention.KINDS["inspection_due"], kinds["inspection_due"])
    add("acceptance_failed", attention.KINDS["acceptance_failed"], kinds["acceptance_failed"])
    add("stalled", attention.KINDS["stalled"], kinds["stalled"])
    arrears = list(
        UtilityCharge.objects.filter(unit_id__in=ids, paid_on__isnull=True)
        .values("unit_id")
        .annotate(n=Count("household", distinct=True), total=Sum("amount"))
        .order_by()
    )
    add(
        "arrears",
        gettext_lazy("Households behind with electricity or repair-fund charges"),
        [_unit_row(by_id[r["unit_id"]], detail=f"{r['n']} · {r['total']:,.2f}") for r in arrears],
        sum(r["n"] for r in arrears),
    )

    support = support_pattern(units)
    pattern = _support_sentence(support)

    opinion = Difficulty(
        _("Opinions are hard to unify"),
        [
            (str(f["not_ready"].label), "not_ready"),
            (str(f[rules.FEW_HOLDOUTS].label), rules.FEW_HOLDOUTS),
            (str(f[rules.WAIT_AND_SEE].label), rules.WAIT_AND_SEE),
            (str(f[rules.UNLIKELY].label), rules.UNLIKELY),
            (str(f["holdouts_misunderstanding"].label), "holdouts_misunderstanding"),
            (str(f["holdouts_low_floor"].label), "holdouts_low_floor"),
            (str(f["holdouts_noise_light"].label), "holdouts_noise_light"),
            (str(f["objections"].label), "objections"),
        ],
    )
    opinion.paragraph = Paragraph(
        sentence(
            _(
                "First, opinions are hard to unify. %(not_ready)s eligible units have not reached consent: "
                "%(few)s with a few holdouts, %(wait)s waiting to see and %(unlikely)s without enough support. "
                "%(misunderstanding)s holdouts misunderstand the policy and %(low_floor)s see no benefit on a low "
                "floor; %(objections)s written objections are still open.%(pattern)s"
            ),
            not_ready=ref("not_ready"),
            few=ref(rules.FEW_HOLDOUTS),
            wait=ref(rules.WAIT_AND_SEE),
            unlikely=ref(rules.UNLIKELY),
            misunderstanding=ref("holdouts_misunderstanding"),
            low_floor=ref("holdouts_low_floor"),
            objections=ref("objections"),
            pattern=pattern,
        )
    )
    money = Difficulty(
        _("Money is hard to raise"),
        [
            (str(f["holdouts_money"].label), "holdouts_money"),
            (str(f["hardship"].label), "hardship"),
            (str(f["refused"].label), "refused"),
        ],
    )
    money.paragraph = Paragraph(
        sentence(
            _(
                "Second, money is hard to raise. The subsidy is limited and many older residents have low incomes: "
                "%(money)s holdouts object over what they would pay or how the cost is split between floors, "
                "%(hardship)s households are registered as hardship households, and %(refused)s households "
                "refused to sign the contract."
            ),
            money=ref("holdouts_money"),
            hardship=ref("hardship"),
            refused=ref("refused"),
        )
    )
    upkeep = Difficulty(
        _("Upkeep after handover"),
        [
            (str(f["in_service"].label), "in_service"),
            (str(f["unregistered"].label), "unregistered"),
            (str(f["maintenance_overdue"].label), "maintenance_overdue"),
            (str(f["inspection_due"].label), "inspection_due"),
            (str(f["arrears"].label), "arrears"),
        ],
    )
    upkeep.paragraph = Paragraph(
        sentence(
            _(
                "Third, upkeep after handover. Of %(in_service)s elevators in service, %(unregistered)s have no use "
                "registration yet, %(maintenance)s are overdue for maintenance and %(inspection)s have an "
                "inspection due; %(arrears)s households are behind with electricity or repair-fund charges."
            ),
            in_service=ref("in_service"),
            unregistered=ref("unregistered"),
            maintenance=ref("maintenance_overdue"),
            inspection=ref("inspection_due"),
            arrears=ref("arrears"),
        )
    )
    other = Difficulty(
        _("Other"),
        [
            (str(f["acceptance_failed"].label), "acceptance_failed"),
            (str(f["stalled"].label), "stalled"),
            (str(f["conflicts"].label), "conflicts"),
        ],
    )
    report.difficulties = [opinion, money, upkeep, other]


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


def _next_steps(report, ref):
    f = report.figures
    steps = report.next_steps
    if f["ready_waiting"].value:
        steps.append(
            Paragraph(
                sentence(
                    _("Draft-sign the agreement and post the public notice in the %(n)s units that have reached consent but are still being consulted."),
                    n=ref("ready_waiting"),
                )
            )
        )
    if f[rules.FEW_HOLDOUTS].value:
        steps.append(
            Paragraph(
                sentence(
                    _(
                        "In the %(n)s units with a few holdouts, find out how strongly and why each objects: visit those "
                        "who misunderstand the policy with a neighbour from the same floor and a cadre, and ask "
                        "neighbours to take over part of the share of hardship households."
                    ),
                    n=ref(rules.FEW_HOLDOUTS),
                )
            )
        )
    if f[rules.WAIT_AND_SEE].value:
        steps.append(
            Paragraph(
                sentence(
                    _("Hold an on-site Q&A meeting before the feedback deadline in each of the %(n)s units waiting to see."),
                    n=ref(rules.WAIT_AND_SEE),
                )
            )
        )
    if f["in_service"].value:
        steps.append(
            Paragraph(
                sentence(
                    _(
                        "Have building leaders run the %(n)s elevators in service: a maintenance visit at least every "
                        "15 days, periodic inspections, the electricity fee and the repair fund; register the "
                        "%(unregistered)s not yet registered."
                    ),
                    n=ref("in_service"),
                    unregistered=ref("unregistered"),
                )
            )
        )
    steps.append(
        Paragraph(
            sentence(
                _(
                    "Keep explaining the policy, survey the willingness of the households in the other eligible "
                    "buildings, and take the model of residents leading, the community guiding, the government "
                    "supporting and all parties working together to more old estates."
                )
            )
        )
    )


def report_scope(user, level: str, pk: int):
    """The street or community a report is for, and the user's units in it; 404 unless the user covers it.

    A street's report needs the whole street in the user's scope (a street leader or a street-wide
    viewer); a community's, the community or its street. Unit leaders and companies get none.
    """
    from django.http import Http404

    from retrofit.permissions import covers_whole, require_roster, scope_at_level

    obj, units = scope_at_level(user, level, pk, levels=("street", "community"))
    if not covers_whole(user, level, obj):
        raise Http404
    require_roster(user)
    return obj, units


# --- the Word document ----------------------------------------------------------------------------

BODY_FONT, HEADING_FONT, TABLE_FONT = "仿宋", "黑体", "宋体"


def _east_asian(style_or_run, name: str) -> None:
    from docx.oxml.ns import qn

    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


APPENDIX_MAX_ROWS = 300  # a figure with more rows lists the first ones and links to the full list


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def write_district_docx(report: DistrictReport, output, *, base_url: str = "") -> None:
    """The report as an editable .docx: A4, Chinese fonts, an appendix listing each figure's rows.

    ``base_url`` (e.g. "https://host") makes the links to the full lists absolute.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    _east_asian(normal, BODY_FONT)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    for name, size in (("Heading 1", 15), ("Heading 2", 13)):
        style = document.styles[name]
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = None
        _east_asian(style, HEADING_FONT)

    title = document.add_paragraph()
    run = title.add_run(
        _("Report on adding elevators to old residential estates: %(scope)s") % {"scope": report.scope_name}
    )
    run.bold, run.font.size = True, Pt(20)
    _east_asian(run, HEADING_FONT)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = document.add_paragraph(f"{report.start.isoformat()} — {report.end.isoformat()}")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_("Dear District Head and leaders:"))

    def body(paragraph: Paragraph):
        p = document.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(28)
        if paragraph.lead:
            p.add_run(paragraph.lead).bold = True
        for segment in paragraph.segments:
            p.add_run(segment.text if isinstance(segment, Ref) else segment)
        return p

    def table(headers, rows, widths, *, merge_first=False):
        t = document.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.autofit = False
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            cell.text = str(text)
            cell.paragraphs[0].runs[0].bold = True
        _repeat_header(t.rows[0])
        for values in rows:
            for cell, text in zip(t.add_row().cells, values, strict=True):
                cell.text = str(text)
        for column, width in zip(t.columns, widths, strict=True):
            column.width = Cm(width)  # the grid, which LibreOffice and WPS follow
        for row in t.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
                for p in cell.paragraphs:
                    p.paragraph_format.first_line_indent = None
                    p.paragraph_format.line_spacing = 1.0
                    for r in p.runs:
                        r.font.size = Pt(10.5)
        if merge_first:
            # One cell per category: merge the runs of equal first cells.
            start = 1
            for index in range(2, len(t.rows) + 1):
                if index == len(t.rows) or rows[index - 1][0] != rows[start - 1][0]:
                    if index - 1 > start:
                        top, bottom = t.cell(start, 0), t.cell(index - 1, 0)
                        text = rows[start - 1][0]
                        merged = top.merge(bottom)
                        merged.text = str(text)
                        for r in merged.paragraphs[0].runs:
                            r.font.size = Pt(10.5)
                    start = index
        return t

    document.add_heading(_("1. Basic situation"), level=1)
    for paragraph in report.basic:
        body(paragraph)
    f = report.figures
    table(
        [_("Figure"), _("By %(end)s") % {"end": report.end.isoformat()}, _("In the period")],
        [(label, f[key].text, f[period].text if period else "") for label, key, period in report.basic_table],
        (8.8, 3.5, 3.5),
    )
    document.add_heading(_("2. What worked"), level=1)
    for paragraph in report.worked:
        body(paragraph)
    document.add_heading(_("3. Difficulties"), level=1)
    for difficulty in report.difficulties:
        if difficulty.paragraph is not None:
            body(difficulty.paragraph)
    table(
        [_("Category"), _("Item"), _("Count")],
        [(d.category, label, f[key].text) for d in report.difficulties for label, key in d.items],
        (4.3, 9.3, 2.2),
        merge_first=True,
    )
    document.add_heading(_("4. Next steps"), level=1)
    for number, paragraph in enumerate(report.next_steps, start=1):
        body(Paragraph(paragraph.segments, lead=f"{number}. "))
    sign = document.add_paragraph(report.scope_name)
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    day = document.add_paragraph(report.today.isoformat())
    day.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(_("Appendix: what each figure counts"), level=1)
    for figure in report.appendix:
        document.add_heading(f"{figure.label}: {figure.text}", level=2)
        if not figure.rows:
            document.add_paragraph("—")
            continue
        rows = figure.rows[:APPENDIX_MAX_ROWS]
        table(
            ["#", _("Item"), _("Date"), _("Detail")],
            [(i, row.label, _d(row.date) if row.date else "", row.detail) for i, row in enumerate(rows, start=1)],
            (1.2, 7.6, 2.8, 4.2),
        )
        if len(figure.rows) > len(rows):
            document.add_paragraph(
                _("…and %(n)s more. The full list: %(url)s")
                % {"n": len(figure.rows) - len(rows), "url": base_url + report.figure_url(figure.key)}
            )
    document.save(output)
