"""Row locks on a unit or a household: where writes that must not interleave wait for each other.

A write that reads what a unit (or a flat) already has and then adds to it locks the row first, so two
people saving at once go one after the other: consecutive plan versions, one open round, one current
public link, no outstanding amount taken twice. The lock lasts until the surrounding transaction ends.
"""

from __future__ import annotations

from .models import Household, Unit


def lock_unit(unit: Unit) -> Unit:
    """The unit's row, locked until the transaction ends and read as it is stored now."""
    return Unit.objects.select_for_update().get(pk=unit.pk)


def lock_household(household: Household) -> Household:
    """The household's row and its unit's, locked until the transaction ends and read as stored now."""
    return Household.objects.select_for_update().select_related("unit").get(pk=household.pk)
