"""Units that need attention today, gathered from every app that knows a reason.

Each app registers a source: a function ``(units, today) -> iterable of Attention`` that answers for a
whole queryset of units in a fixed number of queries. The dashboard, the reminders and the unit pages
all read this one list, so a reason is defined once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

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


def register(source: Source) -> Source:
    SOURCES.append(source)
    return source


def attention_for(units, today: date) -> list[Attention]:
    """Every reason any registered source gives for these units, most urgent first."""
    items: list[Attention] = []
    for source in SOURCES:
        items.extend(source(units, today))
    return sorted(items, key=lambda a: (ORDER.get(a.kind, 99), a.due or date.max, a.unit_id))
