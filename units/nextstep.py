"""What a unit needs next and what blocks it, stage by stage (docs/rules.md, "The next step").

The one answer every page reads: the unit page, the dashboard and its attention list, the visit list and
the residents' public page. The rule (``next_step``) takes a stage and the guards of its move forward
that fail, and reads no database: the next move is the lifecycle's move forward, the blockers are exactly
its failing guards (registered by the apps that hold the evidence, units/lifecycle.py), and a unit can
move on only when none fails. ``next_step_for`` asks the guards for one unit; ``next_steps`` asks each
guard once for a whole list, in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import lifecycle
from .lifecycle import MACHINE
from .models import Stage, Unit

# What is done next, by stage: the move forward, or what goes on where no move follows.
ACTIONS: dict[str, Promise] = {
    Stage.SURVEY: _("Open a consultation round"),
    Stage.CONSULTATION: _("Draft-sign the agreement and start the public notice"),
    Stage.NOTICE: _("Start signing the contract"),
    Stage.SIGNING: _("Collect every signature of the contract, then move to approval"),
    Stage.APPROVAL: _("Record the approval, then start construction"),
    Stage.CONSTRUCTION: _("Complete construction and its checklist, then move to acceptance"),
    Stage.ACCEPTANCE: _("Pass the acceptance checks in order, then hand the elevator over"),
    Stage.IN_SERVICE: _("Record the use registration, then move to upkeep"),
    Stage.UPKEEP: _("Keep up a maintenance visit every 15 days and the periodic inspection"),
    Stage.PAUSED: _("Resume the unit where it stopped, or withdraw it"),
    Stage.WITHDRAWN: _("None: the unit was withdrawn"),
}


@dataclass(frozen=True)
class Blocker:
    guard: str  # the name the guard is registered under (units/lifecycle.py)
    message: str


@dataclass(frozen=True)
class NextStep:
    stage: str
    after: str | None  # the stage the unit moves to next; None where no move forward follows
    action: Promise | str
    blockers: tuple[Blocker, ...] = ()

    @property
    def can_advance(self) -> bool:
        """The unit may make its move forward now: there is one and none of its guards fails."""
        return self.after is not None and not self.blockers

    @property
    def blocked_by(self) -> frozenset[str]:
        return frozenset(b.guard for b in self.blockers)

    def is_blocked_by(self, guard: str) -> bool:
        return guard in self.blocked_by

    @property
    def blocked_by_names(self) -> str:
        """The failing guards' names, for a page's ``data-blocked-by``."""
        return " ".join(sorted(self.blocked_by))

    @property
    def after_label(self) -> str:
        return str(Stage(self.after).label) if self.after else ""

    @property
    def messages(self) -> list[str]:
        return [b.message for b in self.blockers]


def guards_of(stage: str) -> tuple[str, ...]:
    """The guards of the move forward from ``stage`` (none where no move follows)."""
    move = MACHINE.forward(stage)
    return move.guards if move else ()


def next_step(stage: str, failing: Mapping[str, Sequence[str]]) -> NextStep:
    """The rule: ``stage`` and what each failing guard says (by guard name) → the next step.

    Guards that are not the next move's are ignored; the blockers keep the move's order of guards."""
    move = MACHINE.forward(stage)
    after = move.after if move else None
    blockers = tuple(Blocker(name, str(message)) for name in guards_of(stage) for message in failing.get(name, ()))
    return NextStep(stage=stage, after=after, action=ACTIONS.get(stage, ""), blockers=blockers)


def next_step_for(unit: Unit, shared=None) -> NextStep:
    """One unit's next step, its guards asked now. ``shared``: the unit page's reads (units/panels.py)
    a guard may reuse, as the stage panel's guards do."""
    move = MACHINE.forward(unit.stage)
    failing = lifecycle.failing_guards(unit, move, shared) if move else {}
    return next_step(unit.stage, failing)


def next_steps(units: Iterable[Unit], counted: Mapping[str, Mapping[int, object]] | None = None) -> dict[int, NextStep]:
    """Each unit's next step, every guard asked once for all the units whose next move it guards.

    ``units`` with ``building__estate__community__street`` selected. ``counted``: figures a page has
    already read for every unit, by the name a guard reuses (``{"consent": consent_by_unit(units)}``).
    A guard registered with its list form (``many``) costs a fixed number of queries however many units."""
    units = list(units)
    by_guard: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        for name in guards_of(unit.stage):
            by_guard[name].append(unit)
    failing: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for name, members in by_guard.items():
        answers = _ask_many(name, members, counted or {})
        for unit in members:
            if answers.get(unit.pk):
                failing[unit.pk][name] = answers[unit.pk]
    return {unit.pk: next_step(unit.stage, failing.get(unit.pk, {})) for unit in units}


def _ask_many(name: str, units: list[Unit], counted: Mapping[str, Mapping[int, object]]) -> dict[int, list[str]]:
    key = MACHINE.counted.get(name)
    figures = counted.get(key) if key else None
    many = MACHINE.many.get(name)
    if many is not None:
        return many(units, counted=figures) if figures is not None else many(units)
    guard = MACHINE.guards.get(name)
    if guard is None:
        return {}
    # A guard without its list form is asked unit by unit: its queries grow with the list.
    return {unit.pk: guard(unit, counted=figures[unit.pk]) if figures is not None else guard(unit) for unit in units}
