"""Demo data: the old mill dormitory estate of the pilot report, plus a second community."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from consultations import rules
from consultations.models import Vote, VoteChange, VoteSource
from retrofit.models import Role, User
from units import contracts, plans
from units.models import (
    Building,
    Community,
    EntryType,
    Estate,
    Household,
    Occupancy,
    SignatureStatus,
    SplitMethod,
    Stage,
    StageChange,
    Street,
    SubsidyKind,
    Unit,
)

DEMO_PASSWORD = "retrofit-demo"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国秀英桂兰志强国华玉兰明德淑珍文华丽娟德明凤英海燕红梅春生小军国平玉珍俊杰晓燕子涵欣怡浩然"

# Each unit's mood, so the demo shows every situation: share agreeing / opposing / undecided.
PROFILES = {
    "ready": (0.85, 0.05, 0.05),
    "few": (0.70, 0.12, 0.10),
    "wait": (0.45, 0.05, 0.45),
    "unlikely": (0.40, 0.45, 0.10),
}

USERS = [
    ("leader", "街道领导（王书记）", Role.STREET_LEADER),
    ("staff", "绵纺社区 李干事", Role.COMMUNITY_STAFF),
    ("staff2", "光华社区 赵干事", Role.COMMUNITY_STAFF),
    ("unitlead", "1栋1单元 楼栋长", Role.UNIT_LEADER),
    ("viewer", "街道只读账号", Role.VIEWER),
]


class Command(BaseCommand):
    help = "Load the demo street (skipped when the database already has data) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing but print logins if data exists")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, if_empty, seed, **options):
        if Street.objects.exists():
            if not if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据。")
        else:
            with transaction.atomic():
                self._build(random.Random(seed), random.Random(seed + 1))
            self.stdout.write(self.style.SUCCESS("演示数据已载入：红旗街道 · 绵纺厂宿舍小区（试点）"))
        self._print_logins()

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write("  admin     系统管理员（/admin/）")
        for username, label, _role in USERS:
            self.stdout.write(f"  {username:<9} {label}")
        self.stdout.write("")

    def _build(self, rng: random.Random, plan_rng: random.Random):
        # The street's policy: 40 % of the cost, at most 280,000 yuan; DESIGN.md's example coefficients.
        street = Street.objects.create(
            name="红旗街道",
            subsidy_kind=SubsidyKind.PERCENT,
            subsidy_percent=Decimal("40"),
            subsidy_cap=Decimal("280000"),
            default_coefficients="1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5",
        )
        mill = Community.objects.create(street=street, name="绵纺社区")
        guanghua = Community.objects.create(street=street, name="光华社区")
        estate = Estate.objects.create(
            community=mill,
            name="绵纺厂宿舍小区",
            is_pilot=True,
            pilot_start=date(2026, 3, 2),
            description="原绵纺厂职工宿舍和家属区，已完成老旧小区改造，具备加装电梯条件。",
        )
        other = Estate.objects.create(community=guanghua, name="光华小区")
        layout = [
            (estate, "1", 6, ["ready", "few", "wait"]),
            (estate, "2", 6, ["ready", "unlikely"]),
            (estate, "3", 7, ["few", "wait", "ready"]),
            (estate, "4", 6, ["unlikely", "few"]),
            (other, "1", 6, ["ready", "wait"]),
            (other, "2", 7, ["few", "unlikely"]),
        ]
        now = timezone.now()
        units = []
        for target_estate, number, floors, profiles in layout:
            building = Building.objects.create(
                estate=target_estate, number=number, floors=floors, floor_height=Decimal("2.90"), spacing=Decimal("12.50")
            )
            for index, profile in enumerate(profiles, start=1):
                unit = Unit.objects.create(building=building, number=str(index), stage=Stage.SURVEY, stage_since=now)
                units.append(unit)
                self._households(rng, unit, floors, profile, now)
        users = self._users(street, mill, guanghua, units[0])
        self._plans(plan_rng, units, users, now)

    def _households(self, rng, unit, floors, profile, now):
        agree, oppose, undecided = PROFILES[profile]
        households, votes, changes = [], [], []
        shared_owner = None
        for floor in range(1, unit.building.floors + 1):
            for side in (1, 2):
                room = f"{floor}{side:02d}"
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
                phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
                if floor == 5 and side == 1:
                    shared_owner = (name, phone)
                if floor == 6 and side == 2 and shared_owner and profile != "unlikely":
                    name, phone = shared_owner  # one owner with two flats: counts once by headcount
                # The reports: high floors and the elderly support, low floors and tenants hold out.
                lift = (floor - 3) * 0.04
                roll = rng.random()
                if roll < agree + lift:
                    vote = rules.AGREE
                elif roll < agree + lift + oppose:
                    vote = rules.OPPOSE
                elif roll < agree + lift + oppose + undecided:
                    vote = rng.choice([rules.UNDECIDED, rules.UNDECIDED, rules.UNREACHABLE])
                else:
                    vote = rules.ABSTAIN
                occupancy = rng.choices([Occupancy.OWNER, Occupancy.RENTED, Occupancy.EMPTY], [8, 3, 1])[0]
                households.append(
                    Household(
                        unit=unit,
                        room=room,
                        floor=floor,
                        area=Decimal(rng.randrange(5200, 9800)) / 100,
                        owner_name=name,
                        phone=phone,
                        occupancy=occupancy,
                        hardship=rng.random() < 0.08,
                        age_band=rng.choice(["under_40", "40_59", "60_74", "60_74", "75_plus"]),
                    )
                )
                votes.append(vote)
        # One owner, one vote: the second flat of the shared owner follows the first.
        owners = {}
        for household, vote in zip(households, votes, strict=True):
            key = (household.owner_name, household.phone)
            owners.setdefault(key, vote)
        created = Household.objects.bulk_create(households)
        for household in created:
            vote = owners[(household.owner_name, household.phone)]
            reason = "担心噪音和采光" if vote == rules.OPPOSE and household.floor <= 2 else ""
            Vote.objects.create(household=household, value=vote, reason=reason, recorded_at=now, version=1)
            changes.append(
                VoteChange(household=household, before="", after=vote, reason=reason, source=VoteSource.IMPORT, changed_at=now)
            )
        VoteChange.objects.bulk_create(changes)

    def _users(self, street, mill, guanghua, first_unit):
        User.objects.create_superuser("admin", "", DEMO_PASSWORD, display_name="系统管理员")
        scopes = {
            "leader": {"street": street},
            "staff": {"community": mill},
            "staff2": {"community": guanghua},
            "unitlead": {},
            "viewer": {"street": street},
        }
        users = {}
        for username, label, role in USERS:
            user = User.objects.create_user(username, "", DEMO_PASSWORD, role=role, display_name=label, **scopes[username])
            users[username] = user
            if role == Role.UNIT_LEADER:
                first_unit.leaders.add(user)
        return users

    def _plans(self, rng, units, users, now):
        """Every unit gets a plan (一单元一策); a few show versions, the area method, relief and a contract."""
        shafts = ["北侧楼梯间外", "南侧入户门外", "东侧山墙", "北侧平台外"]
        for index, unit in enumerate(units):
            households = list(unit.households.order_by("-floor", "room"))
            staff = users["staff"] if unit.building.estate.community.name == "绵纺社区" else users["staff2"]
            entry = EntryType.HALF if index % 3 == 1 else EntryType.FLAT
            # Half-floor entry is cheaper (DESIGN.md): 450–560 thousand, flat-floor 590–700 thousand.
            low, high = (4500, 5600) if entry == EntryType.HALF else (5900, 7000)
            draft = plans.draft_for(unit, households)
            draft.total_cost = Decimal(rng.randrange(low, high + 1) * 100)
            draft.entry_type = entry
            draft.shaft_position = shafts[index % len(shafts)]
            draft.note = "第三方团队初步方案"
            if index == 5:
                draft.method = SplitMethod.FLOOR_AREA
                draft.note = "按楼层系数×面积分摊（单元会议决定）"
            when = now - timedelta(days=40 - index)
            plans.plan_save(unit=unit, draft=draft, by=staff, households=households, when=when, check_stale=False)
            if index == 0:
                # What-if kept: the top floor pays about 10 % more.
                top = max(draft.coefficients)
                draft.coefficients[top] = (draft.coefficients[top] * Decimal("1.1")).quantize(Decimal("0.01"))
                draft.note = "顶层系数上调10%"
                plans.plan_save(unit=unit, draft=draft, by=staff, households=households, when=when + timedelta(days=3), check_stale=False)
            if index == 2:
                # Hardship relief for flat 302: 3,000 yuan, taken over by the other paying flats.
                flat = next(h for h in households if h.room == "302")
                Household.objects.filter(pk=flat.pk).update(hardship=True)
                draft.reliefs = {flat.pk: Decimal("3000")}
                draft.note = "302困难户减免3000元"
                plans.plan_save(unit=unit, draft=draft, by=staff, households=households, when=when + timedelta(days=5), check_stale=False)
        self._contract(units[3], users["staff"], now)

    def _contract(self, unit, staff, now):
        """One unit has passed its notice and is collecting signatures."""
        moves = [Stage.SURVEY, Stage.CONSULTATION, Stage.NOTICE, Stage.SIGNING]
        for step, (before, after) in enumerate(zip(moves, moves[1:], strict=False)):
            StageChange.objects.create(
                unit=unit, before=before, after=after, reason="演示数据", changed_by=staff,
                changed_at=now - timedelta(days=30 - 10 * step),
            )
        Unit.objects.filter(pk=unit.pk).update(stage=Stage.SIGNING, stage_since=now - timedelta(days=10))
        unit.refresh_from_db()
        contract = contracts.contract_start(unit=unit, by=staff, when=now - timedelta(days=9))
        today = timezone.localdate()
        contracts.contract_update(
            contract=contract,
            data={
                "elevator_company": "蜀通电梯有限公司",
                "construction_company": "锦城建设工程有限公司",
                "community_signed_on": today - timedelta(days=8),
                "elevator_company_signed_on": today - timedelta(days=8),
            },
            by=staff,
            when=now - timedelta(days=8),
        )
        for number, signature in enumerate(contract.signatures.select_related("household").order_by("-household__floor", "household__room")):
            if number < 6:
                status, day = SignatureStatus.SIGNED, today - timedelta(days=7 - number)
            elif number == 6:
                status, day = SignatureStatus.REFUSED, today - timedelta(days=2)
            else:
                continue
            contracts.signature_set(signature=signature, status=status, signed_on=day, by=staff, when=now - timedelta(days=7 - number))
