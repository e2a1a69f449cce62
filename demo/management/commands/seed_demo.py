"""Demo data: the pilot estate of the street's report, five months in, with its history (units/demo.py)."""

import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from demo.district import seed_district
from demo.money import seed_money
from units import demo
from units.models import Street


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
        if Street.objects.exists():
            if not if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据。")
        else:
            with transaction.atomic():
                demo.Demo(seed).build()
                call_command("seed_works_demo", stdout=self.stdout)
                seed_money(random.Random(seed))
                if households:
                    seed_district(households=households, seed=seed, stdout=self.stdout)
            self.stdout.write(
                self.style.SUCCESS(f"演示数据已载入：{demo.STREET} · {demo.PILOT_ESTATE}（试点）")
            )
        self._print_logins()

    def _print_logins(self):
        from works.management.commands.seed_works_demo import COMPANY_USER_LABEL

        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        self.stdout.write("  admin     系统管理员（/admin/）")
        for username, name, _role, label in demo.USERS:
            self.stdout.write(f"  {username:<9} {name}：{label}")
        self.stdout.write(f"  {'elevator':<9} {COMPANY_USER_LABEL}")
        self.stdout.write("")
