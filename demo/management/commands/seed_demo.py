"""Demo data: the pilot estate of the street's report, five months in, with its history (demo/)."""

from django.core.management.base import BaseCommand

from demo.accounts import print_logins
from demo.services import seed_demo
from demo.story import PILOT_ESTATE, STREET


class Command(BaseCommand):
    help = "Load the demo street (skipped when the database already has data) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing but print logins if data exists"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--households",
            type=int,
            default=0,
            help="also build a district of this many households, for benchmarks (demo/district.py)",
        )

    def handle(self, *args, if_empty, seed, households, **options):
        if seed_demo(seed=seed, households=households, stdout=self.stdout):
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{STREET} · {PILOT_ESTATE}（试点）"))
        elif not if_empty:
            self.stdout.write("数据库已有数据，跳过演示数据。")
        print_logins(self.stdout)
