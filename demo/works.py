"""The works chapter, on top of the street's story (demo/pilot.py): companies, the company login
``elevator``, and the units signed so far taken through approval, construction, acceptance and into
service.

The story leaves the signed units in approval, each on its own day. From there every move goes through
``unit_move`` with its guards, dated back along the unit's timeline, after the records that let it pass:

* 1栋1单元, the model unit: built more than a year ago; a failed district acceptance sent it back
  once; in upkeep for a year (visits every two weeks but the last one 16 days ago, the yearly
  inspection due in three weeks, electricity and repair-fund charges with arrears).
* 1栋2单元: accepted at all three levels and handed over 12 days ago; use registration still to do.
* 1栋3单元: the district acceptance failed (sent back to construction), passed on the second check;
  the city acceptance is still to come.
* 3栋3单元: being built (construction log with photos; two micro-renovation items still open).
* 2栋2单元: in approval, the joint review asked for a survey of the road line.

The company login belongs to 蜀通电梯, which works on 1栋1单元 and 3栋3单元; 锦江电梯 has the others.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from retrofit.models import Role, User
from retrofit.periods import months_before
from units import lifecycle, running_costs
from units.models import Stage, Unit
from works import services
from works.models import (
    Assignment,
    ChargeKind,
    Company,
    CompanyKind,
    ConstructionLogEntry,
    Result,
    UtilityCharge,
)

from .accounts import COMPANY_USER_NAME
from .files import demo_png
from .story import CONSTRUCTION_COMPANY, ELEVATOR_COMPANY, PILOT_ESTATE, SECOND_ELEVATOR_COMPANY

ESTATE = PILOT_ESTATE
ELEVATOR = ELEVATOR_COMPANY
SECOND_ELEVATOR = SECOND_ELEVATOR_COMPANY
BUILDER = CONSTRUCTION_COMPANY
THIRD_PARTY = "蓉创加梯工程咨询有限公司"
# A month's electricity meter reading for the lift (yuan) and the maintenance contract's monthly fee.
ELECTRICITY_BILLS = [Decimal("168.40"), Decimal("182.90"), Decimal("176.30")]
MAINTENANCE_FEE = Decimal("300.00")
LOADED = "工程演示数据已载入：1栋1单元（运维）、1栋2单元（交付使用）、1栋3单元（验收）、3栋3单元（施工）、2栋2单元（审批）"
SKIPPED = "工程演示数据已存在，跳过。"


def seed_works() -> bool:
    """Take the story's signed units through the works; False (nothing written) when already done.

    Raises CommandError when the story is missing or a move's guard refuses (nothing is then written).
    """
    if Company.objects.filter(name=ELEVATOR).exists():
        return False
    _Works().build()
    return True


class _Works:
    def __init__(self):
        try:
            self.leader = User.objects.get(username="leader")
            self.staff = User.objects.get(username="staff")
            self.unit_leader = User.objects.get(username="unitlead")
            self.units = {
                key: Unit.objects.get(building__estate__name=ESTATE, building__number=key[0], number=key[1])
                for key in [("1", "1"), ("1", "2"), ("1", "3"), ("2", "1"), ("2", "2"), ("3", "3")]
            }
        except (User.DoesNotExist, Unit.DoesNotExist) as missing:
            raise CommandError("Run seed_demo first: the demo users and units are missing.") from missing
        self.today = timezone.localdate()
        self.started = timezone.now()

    def build(self) -> None:
        with transaction.atomic():
            self._companies()
            self._model_unit(self.units[("1", "1")])
            self._handed_over(self.units[("1", "2")])
            self._second_acceptance(self.units[("1", "3")])
            self._under_construction(self.units[("3", "3")])
            self._in_approval(self.units[("2", "2")])

    # --- helpers -------------------------------------------------------------------------------------

    def _day(self, days_ago: int):
        return self.today - timedelta(days=days_ago)

    def _at(self, days_ago: int, hour: int = 10):
        return timezone.make_aware(datetime.combine(self._day(days_ago), time(hour, 0)))

    def _move(self, unit: Unit, after: str, days_ago: int, reason: str, by=None) -> None:
        try:
            lifecycle.unit_move(
                unit=unit, after=after, by=by or self.leader, reason=reason, when=self._at(days_ago)
            )
        except lifecycle.MoveRefused as refused:
            raise CommandError(f"{unit} cannot move to {after}: {'; '.join(refused.messages)}") from refused

    def _dated(self, record, days_ago: int):
        """The works services stamp "now"; the demo's records belong to their own day."""
        type(record).objects.filter(pk=record.pk).update(recorded_at=self._at(days_ago, 17))
        return record

    def _approved(
        self, unit: Unit, permit_number: str, permit: int, notice: int, start: int, notes="", by=None
    ):
        """The joint review's permit (``permit`` days ago), market supervision told (``notice``, the day it
        is recorded), and the builders move in ``start`` days ago."""
        self._dated(
            services.approval_save(
                unit=unit,
                by=by or self.leader,
                permit_number=permit_number,
                permit_date=self._day(permit),
                market_notice_date=self._day(notice),
                notes=notes,
            ),
            notice,
        )
        self._move(unit, Stage.CONSTRUCTION, start, "联审通过，已书面告知市场监管部门，施工单位进场")

    def _construction(
        self, unit: Unit, started: int, completed: int | None, others="", *, by=None, done=True, recorded=None
    ):
        """The construction record: begun and completed (None: not yet) so many days ago, recorded on its
        completion unless ``recorded`` says; the meter boxes are moved, with ``done`` the pipes and ditch too."""
        self._dated(
            services.construction_save(
                unit=unit,
                by=by or self.leader,
                started_on=self._day(started),
                completed_on=None if completed is None else self._day(completed),
                meter_boxes=True,
                pipes=done,
                drainage_ditch=done,
                others=others,
            ),
            completed if recorded is None else recorded,
        )

    def _log(self, unit: Unit, days_ago: int, text: str, colours=None, by=None):
        photo = ContentFile(demo_png(240, 160, *colours), name="demo.png") if colours else None
        entry = services.log_entry_add(
            unit=unit, by=by or self.elevator_user, date=self._day(days_ago), text=text, photo=photo
        )
        ConstructionLogEntry.objects.filter(pk=entry.pk).update(created_at=self._at(days_ago, 18))

    def _accept(self, unit: Unit, level: str, days_ago: int, inspector: str, result=Result.PASS, remarks=""):
        check = services.acceptance_record(
            unit=unit,
            by=self.leader,
            level=level,
            result=result,
            date=self._day(days_ago),
            inspector=inspector,
            remarks=remarks,
            when=self._at(days_ago, 16),
        )
        self._dated(check, days_ago)

    # --- companies ----------------------------------------------------------------------------------

    def _companies(self) -> None:
        street = self.units[("1", "1")].street
        self.elevator = Company.objects.create(
            name=ELEVATOR, kind=CompanyKind.ELEVATOR, street=street, contact="周经理 13800000001"
        )
        second = Company.objects.create(
            name=SECOND_ELEVATOR, kind=CompanyKind.ELEVATOR, street=street, contact="唐工 13800000003"
        )
        builder = Company.objects.create(
            name=BUILDER, kind=CompanyKind.CONSTRUCTION, street=street, contact="何工 13800000002"
        )
        third = Company.objects.create(
            name=THIRD_PARTY, kind=CompanyKind.THIRD_PARTY, street=street, contact="宋工 13800000004"
        )
        # The demo password's hash, as seed_demo stored it for its users: no second slow hashing.
        self.elevator_user = User.objects.create(
            username="elevator",
            password=self.leader.password,
            role=Role.COMPANY,
            company=self.elevator,
            display_name=COMPANY_USER_NAME,
        )
        for unit in self.units.values():
            contract = unit.contract
            elevator = self.elevator if contract.elevator_company == ELEVATOR else second
            assigned = contract.created_at.date()
            Assignment.objects.create(
                unit=unit, company=elevator, kind=CompanyKind.ELEVATOR, assigned_on=assigned
            )
            Assignment.objects.create(
                unit=unit, company=builder, kind=CompanyKind.CONSTRUCTION, assigned_on=assigned
            )
            Assignment.objects.create(
                unit=unit, company=third, kind=CompanyKind.THIRD_PARTY, assigned_on=assigned
            )
        self.second = second

    # --- the units ----------------------------------------------------------------------------------

    def _model_unit(self, unit: Unit) -> None:
        """Built last year: approval, construction, a failed district acceptance, then service and upkeep."""
        self._approved(
            unit,
            "锦规联审〔2025〕017号",
            420,
            412,
            410,
            "联合审查会议：街道、规划、住建、市场监管。",
            by=self.elevator_user,
        )
        self._log(unit, 410, "进场，围挡，基坑开挖。", ((176, 190, 197), (120, 94, 68)))
        self._log(unit, 395, "基础浇筑完成。")
        self._log(unit, 380, "井道钢结构吊装完成。", ((135, 180, 220), (90, 100, 110)))
        self._log(unit, 373, "表箱、燃气管道迁移完成；明沟修复。")
        self._construction(unit, 410, 372, "楼道墙面粉刷，更换声控灯。", by=self.elevator_user)
        self._move(unit, Stage.ACCEPTANCE, 370, "施工和楼道微更新完成，申请验收")
        self._accept(unit, "supervisory", 368, "市特种设备检验院 张工")
        self._accept(unit, "district", 362, "区住建局 刘科长", Result.FAIL, "底坑有积水；轿厢照明不足。")
        self._log(unit, 358, "底坑防水整改、轿厢照明更换。")
        self._construction(
            unit, 410, 357, "楼道墙面粉刷，更换声控灯；底坑防水、轿厢照明整改。", by=self.elevator_user
        )
        self._move(unit, Stage.ACCEPTANCE, 356, "整改完成，申请区级复验")
        self._accept(unit, "district", 353, "区住建局 刘科长")
        self._accept(unit, "city", 349, "市住建局 陈处长")
        self._move(unit, Stage.IN_SERVICE, 347, "三级验收全部通过，交付使用")
        self._dated(
            services.registration_save(
                unit=unit,
                by=self.leader,
                number="梯11川A2025·0317",
                registered_on=self._day(344),
                user_unit="绵纺厂宿舍小区1栋1单元全体业主",
                leader=self.unit_leader,
                maintenance_company=self.elevator,
            ),
            344,
        )
        self._move(unit, Stage.UPKEEP, 343, "使用登记完成，楼栋长统一管理，转入日常运维")
        plan = unit.contract.plan
        self._dated(
            services.subsidy_record(unit=unit, by=self.leader, paid_on=self._day(300), amount=plan.subsidy),
            300,
        )
        # The yearly periodic inspection falls due in three weeks.
        self._dated(
            services.inspection_add(
                unit=unit,
                by=self.unit_leader,
                date=self._day(345),
                result=Result.PASS,
                next_due=self._day(-20),
                remarks="首次检验合格，下次定期检验一年后。",
            ),
            345,
        )
        # Every 14 days, once 18 days (a power cut in the estate), the latest 16 days ago: overdue now.
        days_ago, visits = 16, []
        while days_ago < 343:
            visits.append(days_ago)
            days_ago += 18 if len(visits) == 9 else 14
        for days_ago in reversed(visits):
            note = (
                "小区停电检修，保养顺延4天；检查曳引机和门系统。" if days_ago == visits[8] else "例行保养。"
            )
            self._dated(
                services.visit_add(
                    unit=unit,
                    by=self.unit_leader,
                    date=self._day(days_ago),
                    company=self.elevator,
                    notes=note,
                ),
                days_ago,
            )
        self._charges(unit, plan)

    def _charges(self, unit: Unit, plan) -> None:
        """The last three months: the bill split like the cost (units' running costs), then charged.

        The electricity share is the electricity fee; the maintenance contract is paid from the repair
        fund. The ground floor does not use the lift and pays nothing.
        """
        households = {h.room: h for h in unit.households.all()}
        for months_ago, electricity in zip((3, 2, 1), ELECTRICITY_BILLS, strict=True):
            index = self.today.year * 12 + self.today.month - 1 - months_ago
            period = months_before(self.today, months_ago)
            # Billed on the 5th of the month after.
            after = index + 1
            billed = min(self.today.replace(year=after // 12, month=after % 12 + 1, day=5), self._day(1))
            days_ago = (self.today - billed).days
            running = running_costs.running_cost_save(
                unit=unit,
                plan=plan,
                period=period,
                electricity=electricity,
                maintenance=MAINTENANCE_FEE,
                method=plan.method,
                coefficients=plan.coefficient_table,
                by=self.unit_leader,
                when=self._at(days_ago, 9),
            )
            table = running_costs.running_split(
                plan,
                electricity=running.electricity,
                maintenance=running.maintenance,
                method=running.method,
                coefficients=running.coefficient_table,
            )
            for row in table.rows:
                for kind, amount in (
                    (ChargeKind.ELECTRICITY, row.electricity),
                    (ChargeKind.REPAIR_FUND, row.maintenance),
                ):
                    if amount > 0:
                        services.charges_add(
                            unit=unit,
                            by=self.unit_leader,
                            period=period,
                            kind=kind,
                            amount=amount,
                            household=households[row.room],
                        )
            UtilityCharge.objects.filter(unit=unit, period=period).update(recorded_at=self._at(days_ago, 9))
        # Most pay within days; two flats owe for every month, and the odd floors not yet for the last.
        paying = sorted((h for h in households.values() if h.floor > 1), key=lambda h: (h.floor, h.room))
        unpaid_rooms = {paying[-1].room, paying[len(paying) // 2].room}
        latest = (
            UtilityCharge.objects.filter(unit=unit)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        for charge in (
            UtilityCharge.objects.filter(unit=unit).select_related("household").order_by("period", "id")
        ):
            if charge.household.room in unpaid_rooms or (
                charge.period == latest and charge.household.floor % 2
            ):
                continue
            billed = (charge.recorded_at + timedelta(days=3 + charge.household.floor)).date()
            services.charge_mark_paid(charge=charge, by=self.unit_leader, paid_on=min(billed, self._day(1)))

    def _handed_over(self, unit: Unit) -> None:
        """Accepted at every level 12 days ago; the use registration is still to be done."""
        self._approved(unit, "锦规联审〔2026〕021号", 92, 86, 85)
        self._log(unit, 84, "进场围挡，基坑开挖。", by=self.staff)
        self._log(unit, 60, "井道钢结构吊装完成，开始安装导轨。", by=self.staff)
        self._log(unit, 40, "表箱迁移、楼道管线整理完成；明沟修复。", by=self.staff)
        self._log(unit, 33, "电梯调试完成，楼道粉刷。", by=self.staff)
        self._construction(unit, 84, 33, "楼道扶手更换。")
        self._move(unit, Stage.ACCEPTANCE, 31, "施工和楼道微更新完成，申请验收")
        self._accept(unit, "supervisory", 28, "市特种设备检验院 张工")
        self._accept(unit, "district", 21, "区住建局 刘科长")
        self._accept(unit, "city", 15, "市住建局 陈处长")
        self._move(unit, Stage.IN_SERVICE, 12, "三级验收全部通过，交付使用")

    def _second_acceptance(self, unit: Unit) -> None:
        """The district acceptance failed and sent the unit back; after the fixes it passed, the city's is next."""
        self._approved(unit, "锦规联审〔2026〕022号", 90, 84, 83)
        self._log(unit, 82, "进场围挡，基坑开挖。", by=self.staff)
        self._log(unit, 55, "井道钢结构吊装完成。", by=self.staff)
        self._log(unit, 42, "电梯调试完成；表箱、管道迁移，明沟修复。", by=self.staff)
        self._construction(unit, 82, 41)
        self._move(unit, Stage.ACCEPTANCE, 39, "施工和楼道微更新完成，申请验收")
        self._accept(unit, "supervisory", 36, "市特种设备检验院 张工")
        self._accept(unit, "district", 28, "区住建局 刘科长", Result.FAIL, "底坑渗水；三层层门地坎间隙超标。")
        self._log(unit, 24, "底坑重做防水，三层层门地坎调整。", by=self.staff)
        self._construction(unit, 82, 20, "底坑防水、层门地坎整改。")
        self._move(unit, Stage.ACCEPTANCE, 18, "整改完成，申请区级复验")
        self._accept(unit, "district", 9, "区住建局 刘科长")

    def _under_construction(self, unit: Unit) -> None:
        self._approved(
            unit, "锦规联审〔2026〕042号", 34, 28, 26, "联席会联合审查通过。", by=self.elevator_user
        )
        self._construction(unit, 26, None, by=self.elevator_user, done=False, recorded=12)
        self._log(unit, 26, "进场围挡，基坑开挖。", ((200, 200, 190), (130, 100, 70)))
        self._log(unit, 19, "电表箱迁移至一楼新表箱间。", ((160, 170, 180), (60, 70, 80)))
        self._log(unit, 12, "基础浇筑完成，养护中。")
        self._log(unit, 5, "井道钢结构安装至四层。")

    def _in_approval(self, unit: Unit) -> None:
        self._dated(
            services.approval_save(
                unit=unit,
                by=self.leader,
                permit_number="",
                permit_date=None,
                market_notice_date=None,
                notes="联席会联合审查：井道距道路红线需补充测量，补测后再审。",
            ),
            34,
        )
