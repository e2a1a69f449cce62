"""What the public page of a unit shows, read in a fixed number of queries.

Only what the whole stairwell may know: the stage and its dates, the plan's totals, how many owners
agree against what is needed, the share per floor (coefficient and average, never a flat's row), the
next residents' meeting and whom to call. No name, phone, room, area or vote of any household.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import campaign
from consultations.models import RESIDENT_KINDS, ConsultationRound, Meeting, Notice, NoticeStatus, RoundStatus
from consultations.selectors import consent_by_unit
from units import nextstep
from units.models import Plan, Stage, StageChange, Unit
from units.selectors import current_plans
from works.models import Construction

from .models import CommunityContact

CENT = Decimal("0.01")

# The next step in the residents' words (units/nextstep.py): what each failing guard waits for, never a
# staff instruction; and what goes on where no move follows.
WAITING_FOR = {
    "consent_ready": _("More owners must agree first."),
    "notice_over": _("The public notice must run its full period first."),
    "objections_settled": _("Objections to the public notice are being dealt with: signing waits until they are settled."),
    "contract_complete": _("Every paying household and every party must sign the contract first."),
    "approval_done": _("The approval must be recorded first."),
    "construction_complete": _("Construction must be completed first."),
    "acceptance_passed": _("The elevator must pass every acceptance check first."),
    "registered": _("The elevator's use registration must be recorded first."),
}
GOES_ON = {
    Stage.UPKEEP: _("The elevator is in service: it is maintained every 15 days and inspected on schedule."),
    Stage.PAUSED: _("The project is paused for now."),
    Stage.WITHDRAWN: _("The project has been withdrawn."),
}


@dataclass(frozen=True)
class PublicNextStep:
    """The unit's next step (units/nextstep.py) as the stairwell reads it."""

    step: nextstep.NextStep

    @property
    def waiting_for(self) -> list[str]:
        """One sentence per failing guard, in the move's order."""
        names = list(dict.fromkeys(b.guard for b in self.step.blockers))
        return [str(WAITING_FOR.get(name, "")) or self.step.blockers[0].message for name in names]

    @property
    def goes_on(self) -> str:
        return str(GOES_ON.get(self.step.stage, ""))


@dataclass(frozen=True)
class Step:
    stage: str
    label: str
    entered_on: date | None
    state: str  # "done", "current", "next"


@dataclass(frozen=True)
class FloorShare:
    floor: int
    coefficient: Decimal
    flats: int
    average: Decimal  # rounded to the fen for display; the exact shares are each flat's own business

    @property
    def exempt(self) -> bool:
        return self.average == 0


@dataclass(frozen=True)
class ConsentSummary:
    owners: int
    agree: int
    needed: int | None  # more owners who must agree; 0 when reached; None when it cannot be said
    reached: bool


@dataclass
class PublicPage:
    unit: Unit
    today: date
    steps: list[Step]
    side_state: str | None
    plan: Plan | None
    floors: list[FloorShare] = field(default_factory=list)
    consent: ConsentSummary | None = None
    round: ConsultationRound | None = None
    notice: Notice | None = None
    meeting: Meeting | None = None
    contact: CommunityContact | None = None
    hotline: str = ""
    construction_started: date | None = None
    construction_completed: date | None = None
    next_step: PublicNextStep | None = None

    @property
    def estate(self):
        return self.unit.building.estate

    @property
    def community(self):
        return self.unit.building.estate.community

    @property
    def notice_last_day(self) -> date | None:
        return self.notice.last_day if self.notice else None

    @property
    def notice_days_left(self) -> int | None:
        if self.notice is None:
            return None
        return campaign.notice_days_left(self.today, self.notice.starts_on, self.notice.days)


def _steps(unit: Unit, entered: dict[str, datetime], side_before: str | None) -> list[Step]:
    current = side_before if unit.stage in Stage.SIDE else unit.stage
    index = max(Stage.position(current), 0)
    steps = []
    for position, stage in enumerate(Stage.ORDER):
        state = "done" if position < index else "current" if position == index else "next"
        when = entered.get(stage)
        steps.append(
            Step(
                stage=stage,
                label=str(Stage(stage).label),
                entered_on=timezone.localdate(when) if when and state != "next" else None,
                state=state,
            )
        )
    return steps


def floor_shares(plan: Plan) -> list[FloorShare]:
    """Per floor: the coefficient, how many flats, the average share. Top floor first."""
    grouped: dict[int, list] = {}
    for share in plan.shares.all():
        grouped.setdefault(share.floor, []).append(share)
    rows = []
    for floor in sorted(grouped, reverse=True):
        shares = grouped[floor]
        total = sum((s.amount for s in shares), Decimal("0"))
        rows.append(
            FloorShare(
                floor=floor,
                coefficient=shares[0].coefficient,
                flats=len(shares),
                average=(total / len(shares)).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
    return rows


def public_page(unit: Unit, today: date | None = None) -> PublicPage:
    """``unit`` with ``building__estate__community__street`` selected. Nine queries (eleven in notice:
    its next step's guards)."""
    today = today or timezone.localdate()
    changes = StageChange.objects.filter(unit=unit)
    entered = dict(changes.values_list("after").annotate(at=Max("changed_at")).order_by())
    side_before = None
    if unit.stage in Stage.SIDE:
        last = changes.filter(after=unit.stage).order_by("-changed_at", "-id").values_list("before", flat=True).first()
        side_before = last or Stage.SURVEY
    page = PublicPage(
        unit=unit,
        today=today,
        steps=_steps(unit, entered, side_before),
        side_state=unit.stage if unit.stage in Stage.SIDE else None,
        plan=current_plans([unit])[unit.pk],
    )
    if page.plan is not None:
        page.floors = floor_shares(page.plan)
    result = consent_by_unit([unit])[unit.pk]
    # The consent guard reuses this count; a unit in notice asks its two notice guards (two queries).
    page.next_step = PublicNextStep(nextstep.next_step_for(unit, shared={"consent": result}))
    if result.ok and result.consent.owners:
        consent = result.consent
        page.consent = ConsentSummary(
            owners=consent.owners, agree=consent.agree, needed=consent.agrees_needed, reached=consent.threshold_met
        )
    page.round = ConsultationRound.objects.filter(unit=unit).exclude(status=RoundStatus.CLOSED).first()
    page.notice = Notice.objects.filter(unit=unit, status=NoticeStatus.RUNNING).first()
    page.meeting = (
        Meeting.objects.filter(units=unit, kind__in=RESIDENT_KINDS, held_on__gte=today)
        .order_by("held_on", "starts_at", "id")
        .first()
    )
    page.contact = CommunityContact.objects.filter(community_id=unit.building.estate.community_id).first()
    page.hotline = (page.notice.contact_phone if page.notice else "") or (page.round.hotline if page.round else "")
    construction = Construction.objects.filter(unit=unit).values_list("started_on", "completed_on").first()
    if construction:
        page.construction_started, page.construction_completed = construction
    return page
