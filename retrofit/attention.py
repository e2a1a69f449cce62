"""Units that need attention today, gathered from every app that knows a reason.

Each app registers a source: a function ``(units, today) -> iterable of Attention`` that answers for a
whole queryset of units in a fixed number of queries. The dashboard, the reminders and the unit pages
all read this one list, so a reason is defined once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STALLED_DAYS = 30

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


ACTIVE_STAGES = ("survey", "consultation", "notice", "signing", "approval", "construction", "acceptance")


@register
def stalled_units(units, today: date) -> list[Attention]:
    """Units in an active stage whose stage and votes have not moved for 30 days."""
    cutoff = timezone.make_aware(timezone.datetime.combine(today - timedelta(days=STALLED_DAYS), timezone.datetime.min.time()))
    rows = (
        units.filter(stage__in=ACTIVE_STAGES)
        .filter(stage_since__lt=cutoff)
        .annotate(last_vote=Max("households__vote_changes__changed_at"))
        .filter(Q(last_vote__lt=cutoff) | Q(last_vote__isnull=True))
        .values_list("pk", "stage_since", "last_vote")
    )
    items = []
    for pk, stage_since, last_vote in rows:
        last = max([d for d in (stage_since, last_vote) if d], default=None)
        detail = ""
        if last:
            detail = str(_("last change %(date)s") % {"date": timezone.localdate(last).isoformat()})
        items.append(Attention(pk, "stalled", detail))
    return items
