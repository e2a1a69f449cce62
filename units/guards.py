"""The one shape of a lifecycle guard: written once for a list of units, asked for one unit as well.

A guard answers, per unit id, the sentences that block a move (units/lifecycle.py). The lists and the
dashboard ask for many units in a fixed number of queries; ``unit_move`` and the unit page ask for one.
Deriving the one-unit form from the list form keeps both on the same query and the same words.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet

from .lifecycle import Guard, ManyGuard


def one_unit(many: ManyGuard) -> Guard:
    """The guard ``many`` asked for a single unit: ``guard(unit)`` is ``many([unit])[unit.pk]``."""

    def guard(unit) -> list[str]:
        return many([unit])[unit.pk]

    guard.__name__ = guard.__qualname__ = many.__name__.removesuffix("_many")
    guard.__module__ = many.__module__
    guard.__doc__ = many.__doc__
    return guard


def each_unit_record(units, records: QuerySet, answer: Callable[[Model | None], list[str]]) -> dict[int, list[str]]:
    """A list guard over each unit's one record of a kind (its approval, its registration …): one query of
    ``records`` for all the units, then ``answer(record)`` per unit id, None where the unit has none yet."""
    ids = [unit.pk for unit in units]
    found = {record.unit_id: record for record in records.filter(unit_id__in=ids)}
    return {unit_id: answer(found.get(unit_id)) for unit_id in ids}
