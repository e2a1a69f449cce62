"""Storing what each user has been reminded of, so the badge counts what is new to them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from retrofit import attention
from retrofit.models import User
from units.models import Unit

from . import selectors
from .models import Reminder


@dataclass(frozen=True)
class SnapshotResult:
    users: int
    created: int
    removed: int


def reminders_store(*, user, items: list[selectors.Item], seen: bool = False, now=None) -> tuple[int, int]:
    """Make the user's stored reminders match ``items``: add the new ones, drop those resolved.

    Reminders already stored keep their seen flag. With ``seen`` (the user is looking at the page)
    everything stored is marked seen. Returns (created, removed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        stored = dict(Reminder.objects.filter(user=user).values_list("key", "pk"))
        current = {item.key: item for item in items}
        new = [
            Reminder(
                user=user,
                key=key[:120],
                kind=item.kind,
                unit=item.unit,
                detail=item.detail[:300],
                due=item.due,
                created_at=now,
                seen_at=now if seen else None,
            )
            for key, item in current.items()
            if key not in stored
        ]
        if new:
            Reminder.objects.bulk_create(new)
        stale = [pk for key, pk in stored.items() if key not in current]
        if stale:
            Reminder.objects.filter(pk__in=stale).delete()
        if seen:
            Reminder.objects.filter(user=user, seen_at__isnull=True).update(seen_at=now)
    return len(new), len(stale)


def reminders_snapshot(*, today: date | None = None, users=None) -> SnapshotResult:
    """For every active user: store what needs doing in their scope today (``send_reminders``).

    The attention list is computed once for all units and then cut to each user's scope, so the cost
    is a few queries per user, not a full computation each.
    """
    today = today or timezone.localdate()
    users = list(users if users is not None else User.objects.filter(is_active=True))
    found = attention.attention_for(Unit.objects.all(), today)
    unit_ids = {a.unit_id for a in found}
    units = Unit.objects.filter(pk__in=unit_ids).for_listing().in_bulk() if unit_ids else {}
    actions = defaultdict(list)
    for item in selectors.action_items_due(today, owners=users):
        actions[item.owner_id].append(item)
    created = removed = 0
    for user in users:
        visible = set(Unit.objects.visible_to(user).filter(pk__in=unit_ids).values_list("pk", flat=True)) if unit_ids else set()
        mine = selectors.allowed_kinds(user, [a for a in found if a.unit_id in visible])
        items = [selectors.Item(selectors.attention_key(a), a.kind, a.detail, a.due, unit=units[a.unit_id]) for a in mine]
        if user.can_see_roster:  # action items come from meetings
            items += [selectors.action_item(item, today) for item in actions.get(user.pk, [])]
        added, dropped = reminders_store(user=user, items=items)
        created += added
        removed += dropped
    return SnapshotResult(users=len(users), created=created, removed=removed)


def unseen_count(user) -> int:
    return Reminder.objects.filter(user=user, seen_at__isnull=True).count()
