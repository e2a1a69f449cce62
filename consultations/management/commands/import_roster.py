from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from consultations.roster_import import ImportFailed, import_roster


class Command(BaseCommand):
    help = "Import an estate ledger (.xlsx or .xls, sheet 住户台账). All rows or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file, dry_run, **options):
        translation.activate("zh-hans")
        try:
            report = import_roster(file, dry_run=dry_run)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Import failed with %(count)d error(s); nothing was written.") % {"count": len(failed.errors)}) from None
        heading = _("Dry run: nothing was written.") if dry_run else _("Import complete.")
        self.stdout.write(heading)
        for line in report.skipped:
            self.stdout.write(line)
        for change in report.changes:
            self.stdout.write(
                _("Row %(row)d %(unit)s %(room)s: %(changes)s")
                % {"row": change.row, "unit": change.unit, "room": change.room, "changes": change.describe()}
            )
        self.stdout.write(
            _(
                "%(rows)d rows: %(created)d households created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(votes)d vote changes; %(units)d units created."
            )
            % {
                "rows": report.rows,
                "created": report.households_created,
                "updated": report.households_updated,
                "unchanged": report.households_unchanged,
                "votes": report.votes_changed,
                "units": report.units_created,
            }
        )
        if report.plans_created or report.plans_unchanged:
            self.stdout.write(
                _("Unit plans: %(created)d new versions, %(unchanged)d unchanged.")
                % {"created": report.plans_created, "unchanged": report.plans_unchanged}
            )
