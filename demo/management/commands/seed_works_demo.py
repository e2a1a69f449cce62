"""The works chapter of the demo on its own (demo/works.py); seed_demo runs it too."""

from django.core.management.base import BaseCommand

from demo.works import LOADED, SKIPPED, seed_works


class Command(BaseCommand):
    help = "Add the works demo (companies, the company login 'elevator', units in the works) to the seed_demo data."

    def handle(self, *args, **options):
        if seed_works():
            self.stdout.write(self.style.SUCCESS(LOADED))
        else:
            self.stdout.write(SKIPPED)
