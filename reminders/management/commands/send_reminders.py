"""Store each user's reminders for today, so the menu badge shows what is new to them.

Run it daily from cron, e.g. ``15 7 * * * cd /srv/retrofit && .venv/bin/python manage.py send_reminders``.
No mail or message service is needed: people see the badge when they next open the product. With
``--background`` the users go to the task queue's workers in groups (reminders/tasks.py) and the command
returns at once: for a city, where one process would take long.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders.services import reminders_snapshot
from reminders.tasks import queue_reminders


class Command(BaseCommand):
    help = "Store today's reminders for every active user (deadlines, notices, stalled units, money, upkeep)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Compute as of this day (YYYY-MM-DD) instead of today.")
        parser.add_argument(
            "--background", action="store_true", help="Queue the work for the task workers (db_worker) and return."
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from None
        if options["background"]:
            queued = queue_reminders(today or timezone.localdate())
            self.stdout.write(f"{queued} reminder tasks queued for the workers.")
            return
        result = reminders_snapshot(today=today)
        self.stdout.write(f"{result.users} users: {result.created} new reminders, {result.removed} resolved.")
