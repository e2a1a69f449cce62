"""The works app's reasons for the attention list (retrofit/attention.py): overdue maintenance, an
inspection due within 30 days or overdue, and a failed acceptance level not passed since.

Two queries for any number of units: the units in service with their upkeep figures, and the
acceptance checks of the units in construction or acceptance.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from retrofit.attention import Attention
from units.models import Stage

from . import rules, upkeep
from .models import AcceptanceCheck, AcceptanceLevel
from .selectors import SERVICE_STAGES, with_works_records

LAST_VISIT = _("last visit %(date)s")
NO_VISIT = _("no visit since registration on %(date)s")
INSPECTION_DUE = _("inspection due %(date)s")
LEVEL_FAILED = _("%(level)s failed on %(date)s: %(defects)s")


def works_attention(units, today: date) -> list[Attention]:
    return [*_upkeep_due(units, today), *_failed_levels(units)]


def _upkeep_due(units, today: date) -> list[Attention]:
    """Units in service whose maintenance is overdue, or whose inspection is due soon or overdue."""
    in_service = with_works_records(units.filter(stage__in=SERVICE_STAGES)).values_list(
        "pk", "last_visit", "next_inspection_due", "registration__registered_on"
    )
    items = []
    for pk, last_visit, next_due, registered_on in in_service:
        visits = [last_visit] if last_visit else []
        if any(gap.open for gap in upkeep.maintenance_gaps(visits, today=today, since=registered_on)):
            message, since = (LAST_VISIT, last_visit) if last_visit else (NO_VISIT, registered_on)
            due = upkeep.next_visit_due(since)
            items.append(Attention.told(pk, "maintenance_overdue", message, due, date=since))
        if upkeep.inspection_status(next_due, today=today) in (
            upkeep.INSPECTION_DUE_SOON,
            upkeep.INSPECTION_OVERDUE,
        ):
            items.append(Attention.told(pk, "inspection_due", INSPECTION_DUE, next_due, date=next_due))
    return items


def _failed_levels(units) -> list[Attention]:
    """Units in construction or acceptance whose latest check of a level failed: the first such level."""
    latest: dict[int, dict[str, AcceptanceCheck]] = {}
    checks = AcceptanceCheck.objects.filter(
        unit__in=units.filter(stage__in=Stage.BUILDING)
    ).order_by("date", "id")
    for check in checks:
        latest.setdefault(check.unit_id, {})[check.level] = check
    labels = dict(AcceptanceLevel.choices)
    items = []
    for pk, by_level in latest.items():
        for level in rules.LEVELS:
            check = by_level.get(level)
            if check is not None and check.result == rules.FAIL:
                values = {"level": labels[level], "date": check.date, "defects": check.remarks[:80]}
                items.append(Attention.told(pk, "acceptance_failed", LEVEL_FAILED, **values))
                break
    return items
