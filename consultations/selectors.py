"""Reads for the consultation screens: consent figures for many units in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from units.models import Household, Unit

from . import rules
from .services import flats_for_rules


@dataclass(frozen=True)
class UnitConsent:
    """The consent engine's answer for one unit, or the roster conflict that stops it from answering."""

    consent: rules.Consent | None
    conflict: rules.OwnerConflict | None = None

    @property
    def ok(self) -> bool:
        return self.consent is not None


def evaluate_unit(unit: Unit, households: Iterable[Household]) -> UnitConsent:
    try:
        return UnitConsent(rules.evaluate(flats_for_rules(households), unit.street.consent_policy))
    except rules.OwnerConflict as conflict:
        return UnitConsent(None, conflict)


def households_of(units: Iterable[Unit]) -> dict[int, list[Household]]:
    """All households of these units with their votes, in one query, grouped by unit."""
    grouped: dict[int, list[Household]] = defaultdict(list)
    ids = [u.pk for u in units]
    for household in Household.objects.filter(unit_id__in=ids).select_related("vote").order_by("-floor", "room"):
        grouped[household.unit_id].append(household)
    return grouped


def consent_by_unit(units: Iterable[Unit]) -> dict[int, UnitConsent]:
    """Consent for each unit; units must come with ``building__estate__community__street`` selected."""
    units = list(units)
    grouped = households_of(units)
    return {unit.pk: evaluate_unit(unit, grouped.get(unit.pk, [])) for unit in units}
