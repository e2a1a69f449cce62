"""Writes to the same-owner decisions: a person says whether two flats listed as possibly one owner are
one owner or different people (docs/rules.md, "Possible same owner")."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.refusals import Refused
from units.models import Household, HouseholdChange, RosterSource, Unit
from units.roster_words import SAME_OWNER

from ..models import SameOwnerDecision
from ..signals import lock_units

NOT_A_PAIR = _("Choose two different flats of this unit.")


def _words(same: bool | None, other: Household) -> str:
    """The decision as the household's roster history says it (同一业主: before → after)."""
    if same is None:
        return ""
    return f"与{other.room}为同一业主" if same else f"与{other.room}不是同一业主"


def same_owner_decide(*, unit: Unit, first: Household, second: Household, same: bool, by) -> SameOwnerDecision:
    """Record that two flats of ``unit`` hold one owner (``same``) or two people, who decided and when.

    A pair has one decision; changing it is written to both households' roster history, before and after,
    and deciding the same again changes nothing. The unit's stored tally is dropped (signals.py).
    """
    if first.pk == second.pk or first.unit_id != unit.pk or second.unit_id != unit.pk:
        raise Refused(NOT_A_PAIR)
    first, second = sorted((first, second), key=lambda h: h.pk)
    now = timezone.now()
    with transaction.atomic():
        lock_units([unit.pk])
        decision = SameOwnerDecision.objects.select_for_update().filter(household_a=first, household_b=second).first()
        before = None if decision is None else decision.same
        if before == same:
            return decision
        if decision is None:
            decision = SameOwnerDecision(unit=unit, household_a=first, household_b=second)
        decision.same, decision.decided_by, decision.decided_at = same, by, now
        decision.save()
        HouseholdChange.objects.bulk_create(
            HouseholdChange(
                household=household, field=SAME_OWNER, before=_words(before, other), after=_words(same, other),
                source=RosterSource.PAGE, changed_by=by, changed_at=now,
            )
            for household, other in ((first, second), (second, first))
        )
    return decision


def same_owner_forget(*, household: Household, by, now) -> None:
    """A flat changed owner (a transfer): the decisions about its old owner no longer hold. They go, each
    written to both households' roster history as the decision before and nothing after."""
    decisions = SameOwnerDecision.objects.filter(Q(household_a=household) | Q(household_b=household)).select_related(
        "household_a", "household_b"
    )
    changes = []
    for decision in decisions:
        pair = (decision.household_a, decision.household_b)
        changes += [
            HouseholdChange(
                household=one, field=SAME_OWNER, before=_words(decision.same, other), after="",
                source=RosterSource.TRANSFER, changed_by=by, changed_at=now,
            )
            for one, other in (pair, pair[::-1])
        ]
    HouseholdChange.objects.bulk_create(changes)
    decisions.delete()
