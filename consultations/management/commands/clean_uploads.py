"""Remove uploaded ledgers whose preview was never confirmed (older than ROSTER_PENDING_MAX_AGE, one hour).

Every new upload does this too; run it from cron so a quiet server is cleaned as well, e.g.
``0 * * * * cd /srv/retrofit && .venv/bin/python manage.py clean_uploads``.
"""

from django.core.management.base import BaseCommand

from consultations.roster_import.pending_uploads import remove_stale


class Command(BaseCommand):
    help = "Remove uploaded ledgers waiting for a confirmation longer than ROSTER_PENDING_MAX_AGE seconds."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, help="seconds (default: the ROSTER_PENDING_MAX_AGE setting)")

    def handle(self, *args, max_age=None, **options):
        removed = remove_stale(max_age=max_age)
        self.stdout.write(f"{removed} unconfirmed ledger upload(s) removed.")
