"""The figures of the report to the district: every count and sum, each with the rows behind it.

Dates. A unit counts as signed, installed or accepted as the dashboard counts it (the stage it has
reached, ``reports.dashboard.REACHED``); the date it did so is the record's own date where there is
one (the contract date, the construction completion date, the city acceptance date), else the day
the unit first moved into that stage. "By the end date" counts units that reached it on or before
the end; "in the period" those whose date falls between start and end. Consent figures are today's.

Queries do not grow with the data: consent is computed in chunks of units (as in the progress
workbook), everything else in one aggregate query each.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
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
from consultations.selectors import consent_by_unit, owner_groups, same_owner_decisions, support_pattern
from consultations.situations import NAMES as SITUATION_NAMES
from reports.dashboard import REACHED
from reports.exports.common import unit_label
from retrofit import attention, words
from units.models import Household, Plan, PlanShare, Signature, SignatureStatus, Stage, StageChange, Unit
from works.models import AcceptanceCheck, AcceptanceLevel, UtilityCharge
from works.selectors import SERVICE_STAGES, one

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


class Figures(dict):
    """The report's figures by key, in the order they were counted."""

    def add(self, key: str, label, rows: list[Row], value=None, money: bool = False) -> Figure:
        """A figure of ``rows``: its value is their number unless given (a sum of households, of yuan)."""
        self[key] = Figure(key, str(label), len(rows) if value is None else value, rows, money)
        return self[key]


@dataclass
class Scope:
    """What a report covers: the units (a queryset scoped to the user), read once, and the period."""

    level: str
    obj: object
    units: object
    start: date
    end: date
    today: date
    unit_list: list[Unit] = field(default_factory=list)

    def __post_init__(self):
        self.unit_list = list(
            self.units.select_related(
                "building__estate__community__street", "contract", "construction", "registration", "subsidy"
            ).order_by("building__estate__community__name", "building__estate__name", "building__number", "number")
        )
        self.by_id = {u.pk: u for u in self.unit_list}
        self.ids = list(self.by_id)

    def in_period(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass
class Facts:
    """What the report's sentences say besides its figures."""

    owners: int = 0
    pilots: list = field(default_factory=list)  # pilot estates, earliest start first
    channels: Counter = field(default_factory=Counter)  # publicity channel → rounds using it
    actions_done: int = 0  # of the actions agreed at leadership meetings in the period
    actions: int = 0
    support: object = None  # consultations.selectors.support_pattern of the units


def collect(scope: Scope) -> tuple[Figures, Facts]:
    """Every figure of the report, in the order of its sections, and the facts its sentences cite."""
    figures, facts = Figures(), Facts()
    _places(scope, figures, facts)
    _consent(scope, figures, facts)
    checks = _acceptance_checks(scope)
    _milestones(scope, figures, checks)
    _meetings(scope, figures, facts)
    _residents(scope, figures, facts)
    _details(scope, figures, checks)
    _holdouts_and_money(scope, figures)
    _upkeep(scope, figures)
    facts.support = support_pattern(scope.units)
    return figures, facts


def default_period(units, today: date) -> tuple[date, date]:
    """From the earliest pilot start in scope (or 1 January) to today."""
    first = units.filter(building__estate__pilot_start__isnull=False).aggregate(first=Min("building__estate__pilot_start"))
    start = first["first"] or date(today.year, 1, 1)
    return min(start, today), today


def chosen_period(params, units, today: date) -> tuple[date, date]:
    """The period in ``params`` ("from", "to": ISO dates, from the page's form), each missing or unreadable
    end taken from the default period; given the wrong way round, turned round."""
    start, end = default_period(units, today)
    chosen = {}
    for name in ("from", "to"):
        try:
            chosen[name] = date.fromisoformat(params.get(name) or "")
        except ValueError:
            continue
    start, end = chosen.get("from", start), chosen.get("to", end)
    return (end, start) if start > end else (start, end)


def situation_label(code):
    return SITUATION_NAMES.get(code, "—")


def _unit_row(unit: Unit, when: date | None = None, detail: str = "") -> Row:
    return Row(unit_label(unit), reverse("unit_detail", args=[unit.pk]), when, detail)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _places(scope: Scope, figures: Figures, facts: Facts) -> None:
    estates, buildings = {}, {}
    for unit in scope.unit_list:
        estates.setdefault(unit.building.estate_id, unit.building.estate)
        buildings.setdefault(unit.building_id, unit.building)
    figures.add(
        "estates",
        gettext_lazy("Estates"),
        [Row(e.name, reverse("estate_detail", args=[e.pk]), e.pilot_start) for e in estates.values()],
    )
    facts.pilots = sorted((e for e in estates.values() if e.is_pilot), key=lambda e: (e.pilot_start or date.max, e.name))
    figures.add(
        "pilot_estates",
        gettext_lazy("Pilot estates"),
        [Row(e.name, reverse("estate_detail", args=[e.pk]), e.pilot_start) for e in facts.pilots],
    )
    figures.add(
        "buildings",
        gettext_lazy("Buildings"),
        [
            Row(f"{b.estate.name} {b.number}栋", reverse("dashboard", kwargs={"level": "building", "pk": b.pk}))
            for b in buildings.values()
        ],
    )
    figures.add("units", gettext_lazy("Units"), [_unit_row(u) for u in scope.unit_list])
    figures.add("eligible", gettext_lazy("Units physically eligible"), [_unit_row(u) for u in scope.unit_list if u.eligible])


def _consent(scope: Scope, figures: Figures, facts: Facts) -> None:
    """Today's consent, in chunks so that a whole street's households are never in memory at once."""
    by_id = scope.by_id
    situations: dict[int, str | None] = {}
    agree_rows, household_rows, conflicts = [], [], []
    agree_total = households_total = 0
    for batch in _chunks(scope.unit_list, CHUNK_SIZE):
        for pk, result in consent_by_unit(batch).items():
            unit = by_id[pk]
            if not result.ok:
                conflicts.append(_unit_row(unit, detail=str(result.conflict)))
                situations[pk] = None
                continue
            c = result.consent
            situations[pk] = c.situation
            households_total += c.households
            facts.owners += c.owners
            agree_total += c.agree
            household_rows.append(_unit_row(unit, detail=str(c.households)))
            if c.agree:
                agree_rows.append(_unit_row(unit, detail=f"{c.agree}/{c.owners}"))
    figures.add("households", gettext_lazy("Households on the roster"), household_rows, households_total)
    figures.add("owners_agree", gettext_lazy("Owners agreeing"), agree_rows, agree_total)
    figures.add("conflicts", gettext_lazy("Units with a roster conflict"), conflicts)
    for code, label in (
        (rules.READY, gettext_lazy("Units ready (consent reached)")),
        (rules.FEW_HOLDOUTS, gettext_lazy("Units with a few holdouts")),
        (rules.WAIT_AND_SEE, gettext_lazy("Units waiting to see")),
        (rules.UNLIKELY, gettext_lazy("Units without enough support")),
    ):
        figures.add(code, label, [_unit_row(by_id[pk]) for pk, s in situations.items() if s == code])
    figures.add(
        "ready_waiting",
        gettext_lazy("Ready units still in survey or consultation"),
        [_unit_row(by_id[pk]) for pk, s in situations.items() if s == rules.READY and by_id[pk].stage in Stage.CONSULTING],
    )
    failing = [pk for pk, s in situations.items() if s in (rules.FEW_HOLDOUTS, rules.WAIT_AND_SEE, rules.UNLIKELY)]
    figures.add(
        "not_ready",
        gettext_lazy("Units that have not reached consent"),
        [_unit_row(by_id[pk], detail=str(situation_label(situations[pk]))) for pk in failing if by_id[pk].eligible],
    )


def _acceptance_checks(scope: Scope) -> dict[int, dict[str, AcceptanceCheck]]:
    """unit → acceptance level → its latest check."""
    checks = defaultdict(dict)
    for check in AcceptanceCheck.objects.filter(unit_id__in=scope.ids).order_by("date", "id"):
        checks[check.unit_id][check.level] = check
    return checks


def _milestones(scope: Scope, figures: Figures, checks) -> None:
    """Signed, installed, accepted: the stage reached (as the dashboard counts) and the date it was reached."""
    firsts = defaultdict(dict)
    for row in (
        StageChange.objects.filter(unit_id__in=scope.ids, after__in=list(REACHED.values()))
        .values("unit_id", "after")
        .annotate(first=Min("changed_at"))
        .order_by()
    ):
        firsts[row["unit_id"]][row["after"]] = timezone.localdate(row["first"])

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
        threshold = Stage.position(REACHED[name])
        by_end, in_period = [], []
        for unit in scope.unit_list:
            if Stage.position(unit.stage) < threshold:
                continue
            when = milestone_date(unit, name)
            if when is None or when <= scope.end:
                by_end.append(_unit_row(unit, when))
            if scope.in_period(when):
                in_period.append(_unit_row(unit, when))
        by_end.sort(key=lambda r: (r.date or date.max, r.label))
        in_period.sort(key=lambda r: (r.date, r.label))
        figures.add(name, label, by_end)
        figures.add(f"{name}_period", label_period, in_period)


def _meetings_in_scope(obj, level):
    if level == "street":
        return Meeting.objects.filter(street=obj)
    if level == "community":
        return Meeting.objects.filter(Q(community=obj) | Q(community__isnull=True, street_id=obj.street_id))
    return Meeting.objects.filter(units__building__estate=obj).distinct()


def _meetings(scope: Scope, figures: Figures, facts: Facts) -> None:
    """Meetings held in the period by kind, and how many of the leadership meetings' actions are done."""
    in_period = Q(held_on__gte=scope.start, held_on__lte=scope.end)
    meetings = list(_meetings_in_scope(scope.obj, scope.level).filter(in_period).order_by("held_on", "id"))

    def meeting_row(m):
        return Row(f"{m.held_on:%Y-%m-%d} {m.get_kind_display()}", reverse("meeting_detail", args=[m.pk]), m.held_on, m.place)

    leadership = [m for m in meetings if m.kind in LEADERSHIP_KINDS]
    figures.add("leadership_meetings", gettext_lazy("Leadership meetings held"), [meeting_row(m) for m in leadership])
    for kind in MeetingKind.values:
        figures.add(f"meetings_{kind}", MeetingKind(kind).label, [meeting_row(m) for m in meetings if m.kind == kind])
    items = ActionItem.objects.filter(meeting__in=[m.pk for m in leadership]).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done=True))
    )
    facts.actions, facts.actions_done = items["total"], items["done"]


def _residents(scope: Scope, figures: Figures, facts: Facts) -> None:
    """Residents decide: rounds, contacts, votes won, notices, relief, joint visits."""
    ids, by_id, start, end = scope.ids, scope.by_id, scope.start, scope.end
    rounds = list(
        ConsultationRound.objects.filter(unit_id__in=ids, opened_on__gte=start, opened_on__lte=end).order_by("opened_on")
    )
    figures.add(
        "rounds",
        gettext_lazy("Consultation rounds opened"),
        [_unit_row(by_id[r.unit_id], r.opened_on, words.listing(r.channel_labels)) for r in rounds],
    )
    facts.channels = Counter(ch for r in rounds for ch in r.channel_labels)
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
    figures.add(
        "contacts",
        gettext_lazy("Contacts with households"),
        [_unit_row(by_id[pk], detail=str(sum(c.values()))) for pk, c in contact_units.items()],
        sum(contacts.values()),
    )
    figures.add(
        "visits",
        gettext_lazy("Home visits"),
        [_unit_row(by_id[pk], detail=str(c[ContactChannel.VISIT])) for pk, c in contact_units.items() if c[ContactChannel.VISIT]],
        contacts[ContactChannel.VISIT],
    )
    # Owners, as the consent count counts them (docs/rules.md, "Words"): an owner of two flats who came
    # round is one owner, though the vote was recorded on both flats.
    came_round = set(
        VoteChange.objects.filter(
            household__unit_id__in=ids, after=rules.AGREE, changed_at__date__gte=start, changed_at__date__lte=end
        )
        .exclude(before=rules.AGREE)
        .values_list("household_id", flat=True)
        .distinct()
    )
    converted = defaultdict(int)
    if came_round:
        flats_by_unit = defaultdict(list)
        for flat in Household.objects.filter(unit__households__in=came_round).distinct().order_by("unit_id", "pk"):
            flats_by_unit[flat.unit_id].append(flat)
        decisions = same_owner_decisions(list(flats_by_unit))
        for pk, flats in flats_by_unit.items():
            owners = owner_groups(flats, decisions[pk])
            converted[pk] = sum(1 for owner in owners if any(flat.pk in came_round for flat in owner))
    figures.add(
        "converted",
        gettext_lazy("Owners who came round to agree"),
        [_unit_row(by_id[pk], detail=str(n)) for pk, n in converted.items()],
        sum(converted.values()),
    )
    notices = list(Notice.objects.filter(unit_id__in=ids, starts_on__gte=start, starts_on__lte=end).order_by("starts_on"))
    figures.add(
        "notices",
        gettext_lazy("Units that draft-signed and posted the public notice"),
        [_unit_row(by_id[n.unit_id], n.starts_on) for n in notices],
    )
    reliefs = list(
        PlanShare.objects.filter(plan__in=Plan.objects.filter(unit_id__in=ids).current(), relief__gt=0)
        .values("plan__unit_id")
        .annotate(n=Count("pk"), total=Sum("relief"))
        .order_by()
    )
    relief = figures.add(
        "relief",
        gettext_lazy("Hardship households relieved"),
        [_unit_row(by_id[r["plan__unit_id"]], detail=f"{r['n']} · {r['total']:,.2f}") for r in reliefs],
        sum(r["n"] for r in reliefs),
    )
    figures.add(
        "relief_total",
        gettext_lazy("Hardship relief shared by neighbours (yuan)"),
        relief.rows,
        sum((r["total"] for r in reliefs), Decimal("0")).quantize(CENT),
        money=True,
    )
    joint = list(
        Holdout.objects.filter(
            household__unit_id__in=ids, visit_planned_on__gte=start, visit_planned_on__lte=end
        ).values_list("household__unit_id", "visit_planned_on")
    )
    figures.add(
        "joint_visits",
        gettext_lazy("Joint visits with a neighbour and a cadre"),
        [_unit_row(by_id[u], d) for u, d in joint],
    )


def _details(scope: Scope, figures: Figures, checks) -> None:
    """Details count: micro-renovation, acceptance level by level, subsidies paid."""
    by_id = scope.by_id
    constructions = [(u, one(u, "construction")) for u in by_id.values()]
    for item, label in (
        ("meter_boxes", gettext_lazy("Units that moved meter boxes")),
        ("pipes", gettext_lazy("Units that moved pipes")),
        ("drainage_ditch", gettext_lazy("Units that repaired the drainage ditch")),
    ):
        figures.add(item, label, [_unit_row(u, c.completed_on) for u, c in constructions if c is not None and getattr(c, item)])
    for level, label in AcceptanceLevel.choices:
        rows = []
        for pk, by_level in checks.items():
            check = by_level.get(level)
            if check is not None and check.result == "pass" and scope.in_period(check.date) and pk in by_id:
                rows.append(_unit_row(by_id[pk], check.date))
        figures.add(f"passed_{level}", label, sorted(rows, key=lambda r: r.date))
    subsidies = [(u, s) for u in by_id.values() if (s := one(u, "subsidy")) is not None and scope.in_period(s.paid_on)]
    paid = figures.add(
        "subsidies",
        gettext_lazy("Subsidies paid"),
        [_unit_row(u, s.paid_on, f"{s.amount:,.2f}" if s.amount else "") for u, s in subsidies],
    )
    figures.add(
        "subsidy_total",
        gettext_lazy("Subsidies paid (yuan)"),
        paid.rows,
        sum((s.amount or Decimal("0") for _u, s in subsidies), Decimal("0")).quantize(CENT),
        money=True,
    )


def _holdouts_and_money(scope: Scope, figures: Figures) -> None:
    """Holdouts still not agreeing by their main reason, open objections, hardship, refusals to sign."""
    ids, by_id = scope.ids, scope.by_id
    reasons = defaultdict(Counter)
    for unit_id, reason in (
        Holdout.objects.filter(household__unit_id__in=ids)
        .exclude(household__vote__value=rules.AGREE)
        .values_list("household__unit_id", "reason")
    ):
        reasons[reason][unit_id] += 1

    def per_unit(key, label, counts: dict[int, int]):
        figures.add(key, label, [_unit_row(by_id[pk], detail=str(n)) for pk, n in counts.items()], sum(counts.values()))

    for key, label, codes in (
        ("holdouts_misunderstanding", HoldoutReason.MISUNDERSTANDING.label, [HoldoutReason.MISUNDERSTANDING]),
        ("holdouts_low_floor", HoldoutReason.LOW_FLOOR.label, [HoldoutReason.LOW_FLOOR]),
        ("holdouts_noise_light", HoldoutReason.NOISE_LIGHT.label, [HoldoutReason.NOISE_LIGHT]),
        ("holdouts_other", HoldoutReason.OTHER.label, [HoldoutReason.OTHER]),
        (
            "holdouts_money",
            gettext_lazy("Holdouts over money (hardship, cost split)"),
            [HoldoutReason.HARDSHIP, HoldoutReason.COST_SPLIT],
        ),
    ):
        counts = Counter()
        for code in codes:
            counts.update(reasons[code])
        per_unit(key, label, counts)
    per_unit(
        "objections",
        gettext_lazy("Open written objections"),
        Counter(
            Objection.objects.filter(notice__unit_id__in=ids, settled_on__isnull=True).values_list("notice__unit_id", flat=True)
        ),
    )
    per_unit(
        "hardship",
        gettext_lazy("Hardship households"),
        dict(
            Household.objects.filter(unit_id__in=ids, hardship=True)
            .values("unit_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("unit_id", "n")
        ),
    )
    per_unit(
        "refused",
        gettext_lazy("Households refusing to sign"),
        dict(
            Signature.objects.filter(contract__unit_id__in=ids, status=SignatureStatus.REFUSED)
            .values("contract__unit_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("contract__unit_id", "n")
        ),
    )


def _upkeep(scope: Scope, figures: Figures) -> None:
    """After handover: elevators in service, the dashboard's attention list, and what households owe."""
    by_id = scope.by_id
    kinds = defaultdict(list)
    for item in attention.attention_for(scope.units, scope.today):
        if item.unit_id in by_id:
            kinds[item.kind].append(_unit_row(by_id[item.unit_id], item.due, item.detail))
    in_service = [u for u in scope.unit_list if u.stage in SERVICE_STAGES]
    figures.add("in_service", gettext_lazy("Elevators in service"), [_unit_row(u) for u in in_service])
    figures.add(
        "unregistered",
        gettext_lazy("In service without use registration"),
        [_unit_row(u) for u in in_service if one(u, "registration") is None],
    )
    for kind in ("maintenance_overdue", "inspection_due", "acceptance_failed", "stalled"):
        figures.add(kind, attention.KINDS[kind], kinds[kind])
    arrears = list(
        UtilityCharge.objects.filter(unit_id__in=scope.ids, paid_on__isnull=True)
        .values("unit_id")
        .annotate(n=Count("household", distinct=True), total=Sum("amount"))
        .order_by()
    )
    figures.add(
        "arrears",
        gettext_lazy("Households behind with electricity or repair-fund charges"),
        [_unit_row(by_id[r["unit_id"]], detail=f"{r['n']} · {r['total']:,.2f}") for r in arrears],
        sum(r["n"] for r in arrears),
    )
