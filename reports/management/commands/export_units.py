"""Status sheets from the command line: ``export_units --unit ID | --estate NAME --format xlsx|pdf --output PATH``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from reports.exports.common import export_log_record, render_pdf, unit_label
from reports.exports.status_sheet import sheet_context, unit_sheets, write_status_workbook
from retrofit.models import ExportKind, User
from units.models import Unit


class _Server:
    """The command line runs with the server's own access: names and phones in full."""

    is_authenticated = False
    is_superuser = True
    can_see_names = can_see_phones = can_edit = True
    role = ""

    def __str__(self) -> str:  # "exported by" on a printout
        return str(_("the server's command line"))


class Command(BaseCommand):
    help = "Write the status sheet of a unit, or of every unit of the estates with a name, as .xlsx or PDF."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--unit", type=int, help="the unit's id")
        which.add_argument("--estate", help="every unit of the estates with this name")
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--as-user",
            dest="username",
            help="export with this user's scope and masking (default: everything, names in full)",
        )

    def handle(self, *args, unit, estate, format, output, username, **options):
        user = _Server()
        units = Unit.objects.all()
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            units = Unit.objects.visible_to(user)
        units = units.filter(pk=unit) if unit is not None else units.filter(building__estate__name=estate)
        sheets = unit_sheets(units, user)
        if not sheets:
            raise CommandError("No unit matches." if unit is not None else f"No unit in an estate named {estate!r}.")
        if format == "xlsx":
            write_status_workbook(sheets, output)
        else:
            render_pdf("exports/unit_sheet_pdf.html", sheet_context(sheets, user), output)
        export_log_record(
            by=user if username else None,
            kind=ExportKind.UNIT_SHEET,
            scope=(unit_label(sheets[0].unit) if unit is not None else estate) + " (command line)",
            object_ids={"units": [s.unit.pk for s in sheets], "households": sum(len(s.households) for s in sheets)},
            format=format,
        )
        self.stdout.write(f"{len(sheets)} unit(s) → {output}")
