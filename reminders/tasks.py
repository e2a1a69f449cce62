"""send_reminders on the task queue's workers: the active users in groups of ``GROUP``, one task a group,
so that a city's users are shared by every worker on every machine and the cron call returns at once.

Each task computes the attention list once and stores its group's reminders (services.reminders_snapshot);
a group sent twice stores nothing twice (a reminder is unique per user and key).
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from retrofit.models import User

from .services import reminders_snapshot

GROUP = 200


@task()
def send_reminders_to(user_ids: list[int], day: str) -> dict:
    """Store the reminders of these users as of ``day`` (ISO); returns the counts for the task's result."""
    result = reminders_snapshot(today=date.fromisoformat(day), users=User.objects.filter(pk__in=user_ids, is_active=True))
    return {"users": result.users, "created": result.created, "removed": result.removed}


def queue_reminders(day: date) -> int:
    """Send every active user's reminders for ``day`` to the workers; returns how many tasks were queued."""
    ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    groups = [ids[start : start + GROUP] for start in range(0, len(ids), GROUP)]
    for group in groups:
        send_reminders_to.enqueue(group, day.isoformat())
    return len(groups)
