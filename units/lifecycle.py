"""A unit's life as an explicit state machine: which moves exist, who may make them, and what must hold.

Guards are registered by the apps that own the evidence (the consultation app knows whether the
notice period has run; the units app whether the contract is complete), so this table stays the one
place that says how a unit moves. ``unit_move`` records every move with who, when, before, after and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, Min, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.models import STAFF_ROLES, Role
from retrofit.refusals import Refused

from .models import Stage, StageChange, StageReached, Unit

STAFF = STAFF_ROLES
LEADERS = frozenset({Role.STREET_LEADER})

REASON_REQUIRED = _("Give a reason for this move.")
NOT_ALLOWED = _("A unit cannot move from “%(before)s” to “%(after)s”.")
ROLE_NOT_ALLOWED = _("Your role may not move a unit from “%(before)s” to “%(after)s”.")
UNKNOWN_STAGE = _("an unknown stage")

Guard = Callable[..., list[str]]
# The same guard for a whole list of units: ``many(units, counted=None) -> {unit id: what blocks}``, in a
# fixed number of queries (``counted``: the page's figure per unit id, as ``Guard``'s ``counted=``).
ManyGuard = Callable[..., dict[int, list[str]]]


@dataclass(frozen=True)
class Move:
    before: str
    after: str
    roles: frozenset = STAFF
    guards: tuple[str, ...] = ()
    needs_reason: bool = False

    def get_after_display(self) -> str:
        return _label(self.after)


@dataclass
class Machine:
    moves: dict[tuple[str, str], Move] = field(default_factory=dict)
    guards: dict[str, Guard] = field(default_factory=dict)
    # guard name → the name of a page read (units/panels.py, ``shared``) the guard may reuse as ``counted=``
    counted: dict[str, str] = field(default_factory=dict)
    # guard name → its form for a whole list of units (units/nextstep.py reads it for the lists)
    many: dict[str, ManyGuard] = field(default_factory=dict)

    def add(self, move: Move) -> None:
        self.moves[(move.before, move.after)] = move

    def register_guard(
        self, name: str, guard: Guard, *, counted: str | None = None, many: ManyGuard | None = None
    ) -> None:
        """``guard(unit)`` lists what blocks the move. With ``counted``, a page that has already read
        that figure (its panels' ``shared[counted]``) passes it as ``guard(unit, counted=...)``. ``many``
        answers the same for a list of units in a fixed number of queries (the dashboard, the lists)."""
        self.guards[name] = guard
        if counted:
            self.counted[name] = counted
        if many:
            self.many[name] = many

    def forward(self, stage: str) -> Move | None:
        """The move forward from ``stage`` (the way survey → upkeep), or None: upkeep and the side states."""
        after = Stage.following(stage)
        return self.moves.get((stage, after)) if after else None


MACHINE = Machine()
# Forward, one step at a time. Guards are filled in by the owning apps (see their apps.py ready()).
MACHINE.add(Move(Stage.SURVEY, Stage.CONSULTATION))
MACHINE.add(Move(Stage.CONSULTATION, Stage.NOTICE, guards=("consent_ready",)))
MACHINE.add(Move(Stage.NOTICE, Stage.SIGNING, guards=("notice_over", "objections_settled")))
MACHINE.add(Move(Stage.SIGNING, Stage.APPROVAL, guards=("contract_complete",)))
MACHINE.add(Move(Stage.APPROVAL, Stage.CONSTRUCTION, guards=("approval_done",)))
MACHINE.add(Move(Stage.CONSTRUCTION, Stage.ACCEPTANCE, guards=("construction_complete",)))
MACHINE.add(Move(Stage.ACCEPTANCE, Stage.IN_SERVICE, guards=("acceptance_passed",)))
MACHINE.add(Move(Stage.IN_SERVICE, Stage.UPKEEP, guards=("registered",)))
# Back: a notice that draws a sustained objection, or a failed acceptance, returns the unit.
MACHINE.add(Move(Stage.NOTICE, Stage.CONSULTATION, needs_reason=True))
# A failed acceptance level sends the unit back; the company that records the failure may make this move.
MACHINE.add(Move(Stage.ACCEPTANCE, Stage.CONSTRUCTION, roles=STAFF | {Role.COMPANY}, needs_reason=True))
# Side states from anywhere in the sequence, each with a reason; a paused unit resumes where it was.
for stage in Stage.ORDER:
    MACHINE.add(Move(stage, Stage.PAUSED, roles=STAFF, needs_reason=True))
    MACHINE.add(Move(stage, Stage.WITHDRAWN, roles=LEADERS, needs_reason=True))
    MACHINE.add(Move(Stage.PAUSED, stage, roles=STAFF, needs_reason=True))
MACHINE.add(Move(Stage.PAUSED, Stage.WITHDRAWN, roles=LEADERS, needs_reason=True))


class MoveRefused(Refused):
    """The move exists but its guards do not hold; ``messages`` says why, each in words for staff."""


def _label(stage: str) -> str:
    # A stage posted by hand (or by an old form) may be no stage at all: the refusal still reads.
    return str(Stage(stage).label) if stage in Stage.values else str(UNKNOWN_STAGE)


def blockers(unit: Unit, after: str, shared=None) -> list[str]:
    """Why ``unit`` cannot move to ``after`` now (empty when it can), whatever the user's role.

    ``shared`` is what a page has already read for this unit (units/panels.py); ``unit_move`` never
    passes it, so a move is decided on a freshly locked row and live counts."""
    move = MACHINE.moves.get((unit.stage, after))
    if move is None:
        return [str(NOT_ALLOWED % {"before": _label(unit.stage), "after": _label(after)})]
    return [reason for reasons in failing_guards(unit, move, shared).values() for reason in reasons]


def failing_guards(unit: Unit, move: Move, shared=None) -> dict[str, list[str]]:
    """The guards of ``move`` that fail for ``unit`` now, each with its sentences (see ``blockers``)."""
    failing: dict[str, list[str]] = {}
    for name in move.guards:
        guard = MACHINE.guards.get(name)
        if guard is None:
            continue
        counted = MACHINE.counted.get(name)
        if shared is not None and counted is not None and counted in shared:
            reasons = guard(unit, counted=shared[counted])
        else:
            reasons = guard(unit)
        if reasons:
            failing[name] = list(reasons)
    return failing


def moves_from(unit: Unit, user, shared=None, known: dict[str, list[str]] | None = None) -> list[tuple[Move, list[str]]]:
    """The moves this user could make from the unit's stage, each with what still blocks it.

    ``shared``: the page's reads the guards may reuse (see ``blockers``); ``known``: what blocks a move
    already asked about on this page (the next step), by the stage it leads to, not asked again."""
    result = []
    for (before, _after), move in MACHINE.moves.items():
        if before != unit.stage:
            continue
        if not (user.is_superuser or user.role in move.roles):
            continue
        if unit.stage == Stage.PAUSED and move.after != Stage.WITHDRAWN and move.after != _resume_stage(unit):
            continue
        if known is not None and move.after in known:
            result.append((move, known[move.after]))
        else:
            result.append((move, blockers(unit, move.after, shared)))
    return result


def _resume_stage(unit: Unit) -> str | None:
    last = unit.stage_changes.filter(after=Stage.PAUSED).order_by("-changed_at", "-id").first()
    return last.before if last else None


def unit_move(*, unit: Unit, after: str, by, reason: str = "", when=None) -> StageChange:
    """Move a unit to ``after`` if the machine allows it for this user; record who, when and why."""
    move = MACHINE.moves.get((unit.stage, after))
    if move is None:
        raise MoveRefused(NOT_ALLOWED % {"before": _label(unit.stage), "after": _label(after)})
    if by is not None and not (by.is_superuser or by.role in move.roles):
        raise PermissionDenied(ROLE_NOT_ALLOWED % {"before": _label(unit.stage), "after": _label(after)})
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise MoveRefused(REASON_REQUIRED)
    if unit.stage == Stage.PAUSED and after != Stage.WITHDRAWN and after != _resume_stage(unit):
        raise MoveRefused(NOT_ALLOWED % {"before": _label(unit.stage), "after": _label(after)})
    when = when or timezone.now()
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        if locked.stage != unit.stage:
            raise MoveRefused(_("Someone else moved this unit meanwhile; reload the page."))
        problems = blockers(locked, after)
        if problems:
            raise MoveRefused(problems)
        change = StageChange.objects.create(
            unit=locked, before=locked.stage, after=after, reason=reason, changed_by=by, changed_at=when
        )
        Unit.objects.filter(pk=unit.pk).update(stage=after, stage_since=when)
    unit.stage, unit.stage_since = after, when
    return change


# --- when each unit first reached each stage (StageReached) -----------------------------------------

def stage_reached_record(change: StageChange) -> None:
    """Keep the unit's first arrival in ``change.after`` when this new move is the earliest into it (the
    receiver of every new StageChange, signals.py): one UPDATE, and an INSERT the first time."""
    reached = StageReached.first(change.unit_id, change.after, change.changed_at)
    earlier = Q(first_at__gt=reached.first_at)  # both read the row as it was
    if not StageReached.objects.filter(unit_id=reached.unit_id, stage=reached.stage).update(
        first_at=Case(When(earlier, then=Value(reached.first_at)), default=F("first_at")),
        period=Case(When(earlier, then=Value(reached.period)), default=F("period")),
    ):
        reached.save()


REACHED_CHUNK = 500


def stages_reached_store(unit_ids) -> None:
    """Set these units' first arrivals in each stage from their whole history of moves: after a bulk write
    of moves (which sends no signals) or one that re-dated them. ``REACHED_CHUNK`` units at a time."""
    unit_ids = sorted(set(unit_ids))
    for start in range(0, len(unit_ids), REACHED_CHUNK):
        chunk = unit_ids[start : start + REACHED_CHUNK]
        first = StageChange.objects.filter(unit_id__in=chunk).values_list("unit_id", "after").annotate(Min("changed_at"))
        with transaction.atomic():
            rows = [StageReached.first(unit_id, stage, at) for unit_id, stage, at in first.order_by()]
            StageReached.objects.filter(unit_id__in=chunk).delete()
            StageReached.objects.bulk_create(rows)


# --- what an import may no longer change -----------------------------------------------------------

def units_from_signing(units) -> set[int]:
    """The ids of the units that have reached signing: in signing or a later stage, or paused or withdrawn
    after reaching it. Signed shares and the contract rest on their owners, areas and flats.

    One query, only when some unit is paused or withdrawn (its history says how far it got).
    """
    units = list(units)
    found = {unit.pk for unit in units if unit.stage in Stage.SIGNED_OR_LATER}
    aside = [unit.pk for unit in units if unit.stage in Stage.SIDE]
    if aside:
        found.update(
            StageChange.objects.filter(unit_id__in=aside, after__in=Stage.SIGNED_OR_LATER).values_list("unit_id", flat=True)
        )
    return found
