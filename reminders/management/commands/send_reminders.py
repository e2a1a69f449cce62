"""Store each user's reminders for today, so the menu badge shows what is new to them.

Run it daily from cron, e.g. ``15 7 * * * cd /srv/retrofit && .venv/bin/python manage.py send_reminders``.
No mail or message service is needed: people see the badge when they next open the product.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reminders.services import reminders_snapshot


class Command(BaseCommand):
    help = "Store today's reminders for every active user (deadlines, notices, stalled units, money, upkeep)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Compute as of this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from None
        result = reminders_snapshot(today=today)
        self.stdout.write(f"{result.users} users: {result.created} new reminders, {result.removed} resolved.")
