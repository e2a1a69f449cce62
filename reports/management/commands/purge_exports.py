"""``purge_exports``: remove background exports older than ``EXPORT_JOBS_KEEP_DAYS`` and their files (daily from cron;
every finished job does it too)."""

from django.core.management.base import BaseCommand

from reports.jobs import mark_stale, purge_expired


class Command(BaseCommand):
    help = "Remove expired export jobs (older than EXPORT_JOBS_KEEP_DAYS) with their files; fail jobs whose worker died."

    def handle(self, *args, **options):
        stale, purged = mark_stale(), purge_expired()
        self.stdout.write(f"{purged} expired export job(s) removed, {stale} stalled job(s) marked failed")
