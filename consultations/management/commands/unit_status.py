import json

from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook

from consultations.reports import STATUS_KEYS, unit_status_rows, units_for_status
from retrofit import xlsx


class Command(BaseCommand):
    help = "Print each unit's consent status: one JSON object per line, or an .xlsx sheet."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--estate", help="only the units of estates with this name")
        parser.add_argument("--output", help="file to write (required for xlsx)")

    def handle(self, *args, format, estate, output, **options):
        rows = unit_status_rows(units_for_status(estate))
        if format == "json":
            text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                self.stdout.write(text, ending="")
            return
        if not output:
            raise CommandError("--output is required with --format xlsx")
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("unit_status")
        keys = list(STATUS_KEYS)
        xlsx.append(sheet, keys)
        for row in rows:
            xlsx.append(sheet, [row.get(k) for k in keys])
        workbook.save(output)
