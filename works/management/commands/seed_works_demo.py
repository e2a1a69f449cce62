"""Demo works data on top of seed_demo: two companies, a company login, one unit in upkeep, one being built.

Every stage move goes through ``unit_move`` with its guards, dated back along a plausible timeline
(1栋1单元 signs about 660 days ago and is in upkeep for over a year; 3栋3单元 signs about 95 days ago).
A unit already at or past a stage (another demo seeded it) is not moved again. If a guard of another
app refuses a move (its demo evidence — notice, contract — is not seeded), the unit stays where it is
and the command says so; the works records are written all the same.
"""

import struct
import zlib
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from retrofit.models import Role, User
from units import lifecycle
from units.models import Stage, Unit

from ... import services
from ...models import Assignment, ChargeKind, Company, CompanyKind, Result, UtilityCharge

DEMO_PASSWORD = "retrofit-demo"
ESTATE = "绵纺厂宿舍小区"
ELEVATOR = "蜀通电梯工程有限公司"
BUILDER = "锦城建筑工程有限公司"
# Electricity per household and month by floor: the ground floor does not use the elevator.
ELECTRICITY_BY_FLOOR = {1: None, 2: "6.00", 3: "9.00", 4: "12.00", 5: "15.00", 6: "18.00", 7: "21.00"}


def demo_png(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """A small PNG with a vertical gradient, standing in for a site photo."""
    rows = []
    for y in range(height):
        t = y / max(height - 1, 1)
        pixel = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        rows.append(b"\x00" + pixel * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class Command(BaseCommand):
    help = "Add the works demo (companies, the company login 'elevator', a unit in upkeep) to the seed_demo data."

    def handle(self, *args, **options):
        if Company.objects.filter(name=ELEVATOR).exists():
            self.stdout.write("工程演示数据已存在，跳过。")
            return
        try:
            self.leader = User.objects.get(username="leader")
            self.unit_leader = User.objects.get(username="unitlead")
            in_service = Unit.objects.get(building__estate__name=ESTATE, building__number="1", number="1")
            # 3栋3单元, not 2栋1单元: seed_demo keeps that one collecting contract signatures.
            building = Unit.objects.get(building__estate__name=ESTATE, building__number="3", number="3")
        except (User.DoesNotExist, Unit.DoesNotExist) as missing:
            raise CommandError("Run seed_demo first: the demo users and units are missing.") from missing
        self.today = timezone.localdate()
        self.stopped: set[int] = set()
        with transaction.atomic():
            elevator = Company.objects.create(
                name=ELEVATOR,
                kind=CompanyKind.ELEVATOR,
                street=in_service.street,
                contact="周经理 13800000001",
            )
            builder = Company.objects.create(
                name=BUILDER,
                kind=CompanyKind.CONSTRUCTION,
                street=in_service.street,
                contact="何工 13800000002",
            )
            self.elevator_user = User.objects.create_user(
                "elevator",
                "",
                DEMO_PASSWORD,
                role=Role.COMPANY,
                company=elevator,
                display_name="蜀通电梯 项目经理",
            )
            for unit in (in_service, building):
                Assignment.objects.create(unit=unit, company=elevator, kind=CompanyKind.ELEVATOR)
                Assignment.objects.create(unit=unit, company=builder, kind=CompanyKind.CONSTRUCTION)
            self._in_service(in_service, elevator)
            self._under_construction(building)
        self.stdout.write(self.style.SUCCESS(f"工程演示数据已载入：{in_service}（运维）、{building}（施工）"))
        self.stdout.write(f"  elevator  电梯公司账号（密码 {DEMO_PASSWORD}），只能看到分配给本公司的单元")

    # --- helpers -------------------------------------------------------------------------------------

    def _day(self, days_ago: int):
        return self.today - timedelta(days=days_ago)

    def _at(self, days_ago: int):
        return timezone.make_aware(datetime.combine(self._day(days_ago), time(10, 0)))

    def _move(self, unit: Unit, after: str, days_ago: int, reason: str = "") -> bool:
        """Move the unit on, unless it is already there (another demo seeded its earlier stages) or a
        guard stopped it before (then it stays where it is, and the records are still written)."""
        if unit.pk in self.stopped:
            return False
        sequence = lifecycle.SEQUENCE
        if unit.stage in sequence and sequence.index(unit.stage) >= sequence.index(after):
            return True
        when = self._at(days_ago)
        last = unit.stage_changes.order_by("-changed_at").values_list("changed_at", flat=True).first()
        if last is not None and when <= last:
            when = last + timedelta(minutes=1)  # keep the history in order after another demo's moves
        try:
            lifecycle.unit_move(unit=unit, after=after, by=self.leader, reason=reason, when=when)
        except lifecycle.MoveRefused as refused:
            self.stopped.add(unit.pk)
            self.stdout.write(
                self.style.WARNING(f"{unit} 停在“{unit.get_stage_display()}”：{'；'.join(refused.messages)}")
            )
            return False
        return True

    def _moves(self, unit: Unit, steps: list[tuple[str, int]]) -> None:
        for after, days_ago in steps:
            self._move(unit, after, days_ago)

    def _log(self, unit: Unit, days_ago: int, text: str, colours=None):
        photo = None
        if colours:
            photo = ContentFile(demo_png(240, 160, *colours), name="demo.png")
        services.log_entry_add(
            unit=unit, by=self.elevator_user, date=self._day(days_ago), text=text, photo=photo
        )

    # --- the two units -------------------------------------------------------------------------------

    def _in_service(self, unit: Unit, elevator: Company):
        """Built last year: approval, construction, a failed district acceptance, then service and upkeep."""
        self._moves(unit, [(Stage.CONSULTATION, 720), (Stage.NOTICE, 690), (Stage.SIGNING, 660)])
        services.approval_save(
            unit=unit,
            by=self.elevator_user,
            permit_number="锦规联审〔2025〕017号",
            permit_date=self._day(640),
            market_notice_date=self._day(628),
            notes="联合审查会议：街道、规划、住建、市场监管。",
        )
        self._moves(unit, [(Stage.APPROVAL, 645), (Stage.CONSTRUCTION, 626)])
        services.construction_save(
            unit=unit,
            by=self.elevator_user,
            started_on=self._day(625),
            completed_on=self._day(480),
            meter_boxes=True,
            pipes=True,
            drainage_ditch=True,
            others="楼道墙面粉刷，更换声控灯。",
        )
        self._log(unit, 625, "进场，基坑开挖。", ((176, 190, 197), (120, 94, 68)))
        self._log(unit, 560, "井道钢结构吊装完成。", ((135, 180, 220), (90, 100, 110)))
        self._log(unit, 500, "表箱、燃气管道迁移完成；明沟修复。")
        self._move(unit, Stage.ACCEPTANCE, 470)
        acceptance = [
            ("supervisory", Result.PASS, 465, "市特种设备检验院 张工", ""),
            ("district", Result.FAIL, 455, "区住建局 刘科长", "底坑有积水；轿厢照明不足。"),
        ]
        for level, result, days_ago, inspector, remarks in acceptance:
            services.acceptance_record(
                unit=unit,
                by=self.leader,
                level=level,
                result=result,
                date=self._day(days_ago),
                inspector=inspector,
                remarks=remarks,
                when=self._at(days_ago),
            )
        services.construction_save(
            unit=unit,
            by=self.elevator_user,
            started_on=self._day(625),
            completed_on=self._day(445),
            meter_boxes=True,
            pipes=True,
            drainage_ditch=True,
            others="楼道墙面粉刷，更换声控灯；底坑防水、轿厢照明整改。",
        )
        self._log(unit, 447, "底坑防水整改、轿厢照明更换。")
        self._move(unit, Stage.ACCEPTANCE, 444)
        for level, days_ago, inspector in [
            ("district", 440, "区住建局 刘科长"),
            ("city", 430, "市住建局 陈处长"),
        ]:
            services.acceptance_record(
                unit=unit,
                by=self.leader,
                level=level,
                result=Result.PASS,
                date=self._day(days_ago),
                inspector=inspector,
            )
        self._move(unit, Stage.IN_SERVICE, 428)
        services.registration_save(
            unit=unit,
            by=self.leader,
            number="梯11川A2025·0317",
            registered_on=self._day(420),
            user_unit="绵纺厂宿舍小区1栋1单元全体业主",
            leader=self.unit_leader,
            maintenance_company=elevator,
        )
        services.subsidy_record(
            unit=unit, by=self.leader, paid_on=self._day(400), amount=Decimal("200000.00")
        )
        self._move(unit, Stage.UPKEEP, 418)
        # Yearly inspection, the next one due in 25 days; visits every 14 days but two late ones.
        services.inspection_add(
            unit=unit,
            by=self.unit_leader,
            date=self._day(340),
            result=Result.PASS,
            next_due=self._day(-25),
            remarks="定期检验合格。",
        )
        services.inspection_add(
            unit=unit,
            by=self.unit_leader,
            date=self._day(420),
            result=Result.PASS,
            next_due=self._day(340),
            remarks="首次检验合格。",
        )
        # The latest visit 16 days ago: one day over the 15-day interval, so the warning shows.
        days_ago, visits = 16, []
        while days_ago < 418:
            visits.append(days_ago)
            days_ago += 19 if len(visits) in (7, 18) else 14
        for days_ago in visits:
            services.visit_add(
                unit=unit, by=self.unit_leader, date=self._day(days_ago), company=elevator, notes="例行保养。"
            )
        self._charges(unit)
        if unit.pk in self.stopped:
            self.stdout.write(self.style.WARNING(f"{unit}：记录已写入，但阶段未能推进到运维。"))

    def _charges(self, unit: Unit):
        households = list(unit.households.order_by("floor", "room"))
        for months_ago in (3, 2, 1):
            index = self.today.year * 12 + self.today.month - 1 - months_ago
            period = f"{index // 12:04d}-{index % 12 + 1:02d}"
            for household in households:
                amount = ELECTRICITY_BY_FLOOR.get(household.floor)
                if amount is None:
                    continue
                services.charges_add(
                    unit=unit,
                    by=self.unit_leader,
                    period=period,
                    kind=ChargeKind.ELECTRICITY,
                    amount=Decimal(amount),
                    household=household,
                )
        unpaid_rooms = {households[-1].room, households[len(households) // 2].room}
        latest = (
            UtilityCharge.objects.filter(unit=unit)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        for charge in UtilityCharge.objects.filter(unit=unit).select_related("household"):
            if charge.household.room in unpaid_rooms or (
                charge.period == latest and charge.household.floor % 2
            ):
                continue
            services.charge_mark_paid(charge=charge, by=self.unit_leader, paid_on=self._day(5))

    def _under_construction(self, unit: Unit):
        self._moves(
            unit, [(Stage.CONSULTATION, 150), (Stage.NOTICE, 120), (Stage.SIGNING, 95), (Stage.APPROVAL, 70)]
        )
        services.approval_save(
            unit=unit,
            by=self.elevator_user,
            permit_number="锦规联审〔2026〕042号",
            permit_date=self._day(60),
            market_notice_date=self._day(45),
        )
        self._move(unit, Stage.CONSTRUCTION, 44)
        services.construction_save(
            unit=unit,
            by=self.elevator_user,
            started_on=self._day(40),
            completed_on=None,
            meter_boxes=True,
            pipes=False,
            drainage_ditch=False,
        )
        self._log(unit, 40, "进场围挡，基坑开挖。", ((200, 200, 190), (130, 100, 70)))
        self._log(unit, 21, "电表箱迁移至一楼新表箱间。", ((160, 170, 180), (60, 70, 80)))
        self._log(unit, 6, "井道钢结构安装至四层。")
        if unit.pk in self.stopped:
            self.stdout.write(self.style.WARNING(f"{unit}：记录已写入，但阶段未能推进到施工。"))
