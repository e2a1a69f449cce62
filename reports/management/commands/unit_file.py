"""A unit's file (档案) from the command line: ``unit_file <unit id> -o file.pdf [--as-user NAME]``."""

from django.core.management.base import BaseCommand, CommandError

from reports.exports.common import export_log_record, unit_label
from reports.exports.unit_file import logged_ids, unit_file, write_pdf
from retrofit.models import ExportFormat, ExportKind, User
from units.models import Unit

from .export_units import _Server


class Command(BaseCommand):
    help = "Write a unit's file (cover, contents, roster, votes, notice, plans, contract, works, payments) as one PDF."

    def add_arguments(self, parser):
        parser.add_argument("unit", type=int, help="the unit's id")
        parser.add_argument("-o", "--output", required=True, help="the PDF to write")
        parser.add_argument(
            "--as-user",
            dest="username",
            help="export with this user's scope and masking (default: everything, names in full)",
        )

    def handle(self, *args, unit, output, username, **options):
        user, units = _Server(), Unit.objects.all()
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            if not user.can_see_roster:
                raise CommandError(f"{username!r} may not see the residents' votes.")
            units = Unit.objects.visible_to(user)
        found = units.select_related("building__estate").filter(pk=unit).first()
        if found is None:
            raise CommandError(f"No unit {unit}" + (f" visible to {username!r}." if username else "."))
        file = unit_file(found, user)
        write_pdf(file, output)
        export_log_record(
            by=user if username else None,
            kind=ExportKind.UNIT_FILE,
            scope=unit_label(found) + " (command line)",
            object_ids=logged_ids(file),
            format=ExportFormat.PDF,
        )
        self.stdout.write(f"{unit_label(found)} → {output}")
