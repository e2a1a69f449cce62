"""Units that need attention today, gathered from every app that knows a reason.

Each app registers a source: a function ``(units, today) -> iterable of Attention`` that answers for a
whole queryset of units in a fixed number of queries. The dashboard, the reminders and the unit pages
all read this one list, so a reason is defined once. A source that may flag many units (a ``Capped``
one) counts them and lists only the first few in the database, so that a dashboard showing the worst
few (``worst``) builds no object per flagged unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Func, Subquery
from django.utils.translation import gettext_lazy as _

# Kinds, in the order of urgency the list is sorted by.
KINDS = {
    "acceptance_failed": _("Failed acceptance"),
    "objection": _("Open objection"),
    "maintenance_overdue": _("Maintenance overdue"),
    "deadline": _("Deadline within 7 days"),
    "overdue": _("Deadline passed"),
    "notice_ending": _("Notice period ending"),
    "inspection_due": _("Inspection due"),
    "unpaid": _("Shares unpaid before construction"),
    "stalled": _("No progress for 30 days"),
}
ORDER = {kind: index for index, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Attention:
    unit_id: int
    kind: str
    detail: str = ""
    due: date | None = None

    @property
    def label(self):
        return KINDS.get(self.kind, self.kind)

    @classmethod
    def told(cls, unit_id: int, kind: str, message, due: date | None = None, **values) -> Attention:
        """The reason with ``message`` (a lazy translation) as its detail, ``values`` put in (a date as 2026-03-01)."""
        values = {name: v.isoformat() if isinstance(v, date) else v for name, v in values.items()}
        return cls(unit_id, kind, str(message % values), due)


Source = Callable[[object, date], Iterable[Attention]]
SOURCES: list[Source] = []


@dataclass(frozen=True)
class Capped:
    """A source whose reasons the database lists in the order the list sorts them (urgency, due day, unit),
    the first ``n`` only, and counts, in one query: ``first(units, today, n)`` gives
    (at least its first ``n`` reasons, how many in all); ``n=None``: all of them. A few more than ``n`` may
    come along (a source's reasons that are one a unit at the most): ``worst`` sorts and cuts them all."""

    first: Callable[[object, date, int | None], tuple[list[Attention], int]]

    def __call__(self, units, today: date) -> list[Attention]:
        return self.first(units, today, None)[0]


def first_and_count(queryset, n: int | None, fields, **annotations) -> tuple[list[tuple], int]:
    """The first ``n`` rows of the ordered ``queryset`` (all of them for ``n=None``) as tuples of
    ``fields``, which may name ``annotations``, and how many rows it has in all: one query, whose rows are
    the ``n`` listed, the count an uncorrelated subquery computed once (a capped source's ``first``)."""
    count = queryset.order_by().annotate(found=Func(F("pk"), function="COUNT")).values("found")
    rows = queryset.annotate(**annotations, found=Subquery(count)).values_list(*fields, "found")
    rows = list(rows[: max(n, 1)] if n is not None else rows)  # one row at least, to carry the count
    return [row[:-1] for row in rows[:n]], rows[0][-1] if rows else 0


def register(source: Source) -> Source:
    SOURCES.append(source)
    return source


def _urgency(item: Attention) -> tuple:
    return ORDER.get(item.kind, 99), item.due or date.max, item.unit_id


def attention_for(units, today: date) -> list[Attention]:
    """Every reason any registered source gives for these units, most urgent first."""
    items: list[Attention] = []
    for source in SOURCES:
        items.extend(source(units, today))
    return sorted(items, key=_urgency)


def worst(units, today: date, limit: int) -> tuple[list[Attention], int]:
    """The ``limit`` most urgent reasons for these units, and how many there are in all: a capped source
    gives its count and its first ``limit`` only (no other reason of it could be among the worst)."""
    items: list[Attention] = []
    total = 0
    for source in SOURCES:
        if isinstance(source, Capped):
            found, count = source.first(units, today, limit)
            items.extend(found)
            total += count
        else:
            found = list(source(units, today))
            items.extend(found)
            total += len(found)
    return sorted(items, key=_urgency)[:limit], total
