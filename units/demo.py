"""The demo street: the pilot estate of the street's report, five months into its work, with its history.

红旗街道 runs the pilot in 绵纺厂宿舍小区 (绵纺社区). Its 1栋1单元 was the model unit 样板单元, installed
more than a year ago; its success launched the estate-wide pilot about five months ago. Since then
the first batch has gone through notice and signing into the works, the second batch is in notice and
signing, and the rest are still being consulted, each in one of the four situations of the reports.
In 光华小区 (光华社区) the willingness survey has just been done.

Every write goes through the services (lifecycle, consultation, plans, contracts; the works demo the
works services), so the demo obeys the same guards as real work. Dates are counted back from today.
A service that takes a date is given it; one that stamps "now" itself is followed by ``_settle``, which
moves the rows it has just written back to the day they belong to. Everything random comes from one
seeded generator, so the same day gives the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from consultations import rules
from consultations import services as consult
from consultations.models import (
    ActionItem,
    Channel,
    ConsultationRound,
    ContactChannel,
    ContactOutcome,
    Degree,
    Holdout,
    HoldoutReason,
    Meeting,
    MeetingKind,
    Notice,
    Objection,
    RoundStatus,
    Vote,
    VoteChange,
    VoteSource,
)
from retrofit.models import Role, User

from . import contracts, lifecycle, plans
from .models import (
    AgeBand,
    Building,
    Community,
    Contract,
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
# A one-page PDF standing in for the scanned signature page of a complete contract.
DEMO_SCAN = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
STREET = "红旗街道"
PILOT_ESTATE = "绵纺厂宿舍小区"
OTHER_ESTATE = "光华小区"
# The works demo (works/management/commands/seed_works_demo.py) uses the same names on its records.
ELEVATOR_COMPANY = "蜀通电梯工程有限公司"  # the company login "elevator" belongs to it
SECOND_ELEVATOR_COMPANY = "锦江电梯有限公司"
CONSTRUCTION_COMPANY = "锦城建筑工程有限公司"
ELEVATOR_OF_UNIT = {("1", "1"): ELEVATOR_COMPANY, ("3", "3"): ELEVATOR_COMPANY}

# username, display name (the menu adds role and scope), what the login is for.
USERS = [
    ("leader", "王书记", Role.STREET_LEADER, "街道领导小组组长，看全街道"),
    ("staff", "李干事", Role.COMMUNITY_STAFF, "绵纺社区工作人员（试点小区）"),
    ("staff2", "赵干事", Role.COMMUNITY_STAFF, "光华社区工作人员"),
    ("unitlead", "陈建华", Role.UNIT_LEADER, "绵纺厂宿舍小区1栋1单元楼栋长（运维）"),
    ("viewer", "刘科长", Role.VIEWER, "街道只读账号"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "建国秀英桂兰志强国华玉兰明德淑珍文华丽娟德明凤英海燕红梅春生小军国平玉珍俊杰晓燕子涵欣怡浩然"
VOTE = {"A": rules.AGREE, "O": rules.OPPOSE, "B": rules.ABSTAIN, "U": rules.UNDECIDED, "X": rules.UNREACHABLE}
ALL_CHANNELS = [
    Channel.NOTICE,
    Channel.YARD_MEETING,
    Channel.DOOR_TO_DOOR,
    Channel.GROUP_CHAT,
    Channel.HOTLINE,
]
HOTLINE = "028-86012345"

# Days before today. The pilot: joint meeting, survey of every household, first round of consultation.
LAUNCH, SURVEY, ROUND1, ROUND1_DEADLINE, ROUND1_CLOSED = 152, 150, 148, 118, 116
GUANGHUA_SURVEY = 22


@dataclass(frozen=True)
class Layout:
    estate: str
    building: str
    floors: int
    units: int
    shaft: str


LAYOUT = [
    Layout(PILOT_ESTATE, "1", 6, 3, "北侧楼梯间外"),
    Layout(PILOT_ESTATE, "2", 6, 3, "南侧入户门外"),
    Layout(PILOT_ESTATE, "3", 7, 3, "北侧平台外"),
    Layout(PILOT_ESTATE, "4", 6, 3, "北侧楼梯间外"),
    Layout(PILOT_ESTATE, "5", 6, 2, "东侧山墙"),
    Layout(OTHER_ESTATE, "1", 7, 2, "北侧楼梯间外"),
]


@dataclass(frozen=True)
class Votes:
    """A unit's votes at the willingness survey and today, one letter a flat: 101, 102, 201, 202, …

    A agree, O oppose, B abstain, U undecided, X unreachable. Where ``shared`` is set, 501 and 602 have
    one owner (counted once); 602 then follows 501, whatever its letter says.
    """

    survey: str
    today: str
    window: tuple[int, int]  # days ago: the changes between the two fall in this stretch
    shared: bool = True


# The high floors and the elderly agree early; the low floors, tenants and the young hold out (the
# pilot report's pattern). Each unit ends where its story needs it; the checks in tests/test_demo.py
# make sure the consent engine agrees.
VOTES = {
    (PILOT_ESTATE, "1", "1"): Votes("UOAUAAUAAAAA", "AOAAAAAAAAAA", (483, 466)),
    (PILOT_ESTATE, "1", "2"): Votes("UUUAAUAAAAAA", "AOAAAAAAAAAA", (147, 136)),
    (PILOT_ESTATE, "1", "3"): Votes("OUUUAAAAAUAA", "OAAAAAAAABAA", (147, 135)),
    (PILOT_ESTATE, "2", "1"): Votes("UOUUUAUAAXAA", "AOAAAAAAAAAA", (140, 50)),
    (PILOT_ESTATE, "2", "2"): Votes("UUAUAAUAAAAA", "AUAAAAAAAAAA", (146, 126)),
    (PILOT_ESTATE, "2", "3"): Votes("OOUUUUAAUAAA", "OOAAAAAAAAAA", (140, 27), shared=False),
    (PILOT_ESTATE, "3", "1"): Votes("OOUUUUUAAAAAAA", "OOAABAAAAAAAAA", (135, 11)),
    (PILOT_ESTATE, "3", "2"): Votes("OUUUUUUAAUAAAA", "OUAAAAAAABAAAA", (130, 2)),
    (PILOT_ESTATE, "3", "3"): Votes("UUUUAAAAAAAAAA", "OAAAAAAAAAAAAA", (146, 133)),
    (PILOT_ESTATE, "4", "1"): Votes("OUUUUUAUAUAA", "OUOBAOAAAAAA", (140, 3)),
    (PILOT_ESTATE, "4", "2"): Votes("UOXUUUUUAUAA", "UOXUBUUAAUAA", (140, 5)),
    (PILOT_ESTATE, "4", "3"): Votes("OUAAUUUAAAAA", "OOOAUAAAAAAA", (140, 6), shared=False),
    (PILOT_ESTATE, "5", "1"): Votes("OUOUUAUAAAAA", "OOOBOAUAAOAA", (140, 41), shared=False),
    (PILOT_ESTATE, "5", "2"): Votes("OUUUAAUAAAAA", "OAAAAUAAAAAA", (146, 112)),
    (OTHER_ESTATE, "1", "1"): Votes("UUOUUAUAUAAAAA", "UUOAUAUAAAAAAA", (21, 15), shared=False),
    (OTHER_ESTATE, "1", "2"): Votes("XUOOUUAUAUAAUA", "XUOOUAAUAUAAAA", (21, 16), shared=False),
}

# What the unit is meant to show today: its stage, and in consultation its situation.
EXPECTED = {
    ("1", "1"): Stage.UPKEEP,
    ("1", "2"): Stage.IN_SERVICE,
    ("1", "3"): Stage.ACCEPTANCE,
    ("2", "1"): Stage.SIGNING,
    ("2", "2"): Stage.APPROVAL,
    ("2", "3"): Stage.NOTICE,
    ("3", "1"): Stage.NOTICE,
    ("3", "2"): (Stage.CONSULTATION, rules.READY),
    ("3", "3"): Stage.CONSTRUCTION,
    ("4", "1"): (Stage.CONSULTATION, rules.FEW_HOLDOUTS),
    ("4", "2"): (Stage.CONSULTATION, rules.WAIT_AND_SEE),
    ("4", "3"): (Stage.CONSULTATION, rules.FEW_HOLDOUTS),
    ("5", "1"): (Stage.CONSULTATION, rules.UNLIKELY),
    ("5", "2"): Stage.PAUSED,
}

AGREE_NOTES = [
    "入户讲解补贴政策和分摊办法后，表示同意。",
    "子女在外地，电话沟通后同意，意见表已签。",
    "看了分摊测算表，认为合理，同意加装。",
    "老人腿脚不便，盼早日装上，同意。",
    "参加坝坝会后表示同意。",
    "和同层邻居一起做工作后同意。",
]
TALK_NOTES = [
    "家里人意见不一致，说再商量。",
    "要看最终分摊金额再定。",
    "询问施工期间噪音和出行问题，已解释。",
    "担心后期电费和维修费用，已介绍运维办法。",
]
NO_ANSWER_NOTES = ["敲门无人应答，已在门上留联系卡。", "电话无人接听。"]
# Only where a tenant lives: the owner is reached through them, or not at all.
TENANT_NOTES = ["租户在住，业主在外地，已留电话。", "租户说业主周末回来。"]
OPPOSE_REASONS = {
    HoldoutReason.LOW_FLOOR: "一楼用不上电梯，担心影响采光和通风。",
    HoldoutReason.NOISE_LIGHT: "电梯井挨着卧室窗户，担心噪音和采光。",
    HoldoutReason.COST_SPLIT: "认为二楼系数偏高，不同意现在的分摊比例。",
    HoldoutReason.HARDSHIP: "家庭困难，承担不起分摊费用。",
    HoldoutReason.MISUNDERSTANDING: "以为加装电梯要占用自家阳台，还要一楼出钱。",
}


class Demo:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.plan_rng = random.Random(seed + 1)
        self.today = timezone.localdate()
        # Rows written from here on carry "now" until _settle moves them to their own day.
        self.started = timezone.now()
        self.units: dict[tuple[str, str, str], Unit] = {}

    # --- the clock ---------------------------------------------------------------------------------

    def day(self, ago: int):
        return self.today - timedelta(days=ago)

    def at(self, ago: int, hour: int = 10, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(self.day(ago), time(hour, minute)))

    def evening(self, ago: int) -> datetime:
        """Home visits and calls happen when people are home: weekday evenings, weekend days."""
        if self.day(ago).weekday() >= 5:
            return self.at(ago, self.rng.choice([9, 10, 15, 16]), self.rng.choice([0, 15, 30, 45]))
        return self.at(ago, self.rng.choice([18, 19, 20]), self.rng.choice([0, 10, 20, 30, 40, 50]))

    def _settle(self, when: datetime) -> None:
        """Date the vote history and stage moves a service has just stamped "now" back to ``when``."""
        VoteChange.objects.filter(changed_at__gte=self.started).update(changed_at=when)
        Vote.objects.filter(recorded_at__gte=self.started).update(recorded_at=when)
        changes = StageChange.objects.filter(changed_at__gte=self.started)
        unit_ids = list(changes.values_list("unit_id", flat=True))
        if unit_ids:
            changes.update(changed_at=when)
            Unit.objects.filter(pk__in=unit_ids).update(stage_since=when)

    # --- the whole demo ----------------------------------------------------------------------------

    def build(self) -> None:
        street = Street.objects.create(
            name=STREET,
            subsidy_kind=SubsidyKind.PERCENT,
            subsidy_percent=Decimal("40"),
            subsidy_cap=Decimal("280000"),
            default_coefficients="1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5",
        )
        self.street = street
        mill = Community.objects.create(street=street, name="绵纺社区")
        guanghua = Community.objects.create(street=street, name="光华社区")
        estates = {
            PILOT_ESTATE: Estate.objects.create(
                community=mill,
                name=PILOT_ESTATE,
                is_pilot=True,
                pilot_start=self.day(LAUNCH),
                description="原绵纺厂职工宿舍和家属区，已完成老旧小区改造，具备加装电梯条件。"
                "1栋1单元为样板单元，已交付使用一年。",
            ),
            OTHER_ESTATE: Estate.objects.create(community=guanghua, name=OTHER_ESTATE),
        }
        self.users = self._users(street, mill, guanghua)
        for layout in LAYOUT:
            building = Building.objects.create(
                estate=estates[layout.estate],
                number=layout.building,
                floors=layout.floors,
                floor_height=Decimal("2.90"),
                spacing=Decimal("12.50") if layout.estate == PILOT_ESTATE else Decimal("10.80"),
            )
            for number in range(1, layout.units + 1):
                key = (layout.estate, layout.building, str(number))
                surveyed = (
                    {("1", "1"): 490}.get(key[1:], SURVEY)
                    if layout.estate == PILOT_ESTATE
                    else GUANGHUA_SURVEY
                )
                unit = Unit.objects.create(
                    building=building,
                    number=str(number),
                    stage=Stage.SURVEY,
                    stage_since=self.at(surveyed, 9),
                )
                self.units[key] = unit
                self._households(unit, layout.estate == PILOT_ESTATE)
        self.units[(PILOT_ESTATE, "1", "1")].leaders.add(self.users["unitlead"])
        self._model_unit()
        self._pilot()
        self._guanghua()
        self.meetings()

    def unit(self, building: str, number: str, estate: str = PILOT_ESTATE) -> Unit:
        unit = self.units[(estate, building, number)]
        unit.refresh_from_db()
        return unit

    def _users(self, street, mill, guanghua) -> dict[str, User]:
        # One hash for all: the demo shares a password, and hashing is the slow part of creating users.
        password = make_password(DEMO_PASSWORD)
        User.objects.create(
            username="admin", password=password, is_staff=True, is_superuser=True, display_name="系统管理员"
        )
        scopes = {
            "leader": {"street": street},
            "staff": {"community": mill},
            "staff2": {"community": guanghua},
            "unitlead": {},
            "viewer": {"street": street},
        }
        return {
            username: User.objects.create(
                username=username, password=password, role=role, display_name=name, **scopes[username]
            )
            for username, name, role, _label in USERS
        }

    def _households(self, unit: Unit, pilot: bool) -> None:
        rng = self.rng
        flats = []
        shared_owner = None
        for floor in range(1, unit.building.floors + 1):
            for side in (1, 2):
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
                phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
                if floor == 5 and side == 1:
                    shared_owner = (name, phone)
                # Low floors rent out and house the young; high floors keep the old factory families.
                high = floor >= 4
                occupancy = rng.choices(
                    [Occupancy.OWNER, Occupancy.RENTED, Occupancy.EMPTY], [9, 2, 1] if high else [6, 5, 1]
                )[0]
                age = rng.choice(
                    [AgeBand.FROM_60, AgeBand.OVER_75, AgeBand.FROM_60, AgeBand.FROM_40]
                    if high
                    else [AgeBand.UNDER_40, AgeBand.UNDER_40, AgeBand.FROM_40, AgeBand.FROM_60]
                )
                flats.append(
                    Household(
                        unit=unit,
                        room=f"{floor}{side:02d}",
                        floor=floor,
                        area=Decimal(rng.randrange(5200, 9800)) / 100,
                        owner_name=name,
                        phone=phone,
                        occupancy=occupancy,
                        hardship=rng.random() < 0.06,
                        age_band=age,
                        note="老厂职工" if pilot and high and rng.random() < 0.3 else "",
                    )
                )
        script = VOTES[self._key(unit)]
        if script.shared and shared_owner:
            last = flats[-1]  # 602 (or 702): one owner with two flats counts once by headcount
            if last.room.endswith("02") and last.floor >= 6:
                last.owner_name, last.phone = shared_owner
        Household.objects.bulk_create(flats)

    def _key(self, unit: Unit) -> tuple[str, str, str]:
        return (unit.building.estate.name, unit.building.number, unit.number)

    def households(self, unit: Unit) -> dict[str, Household]:
        return {h.room: h for h in unit.households.order_by("floor", "room")}

    def staff_of(self, unit: Unit) -> User:
        return self.users["staff"] if unit.building.estate.name == PILOT_ESTATE else self.users["staff2"]

    # --- votes ------------------------------------------------------------------------------------

    def _letters(self, unit: Unit, letters: str) -> dict[str, str]:
        rooms = list(self.households(unit))
        assert len(rooms) == len(letters), f"{unit}: {len(letters)} votes for {len(rooms)} flats"
        return {room: VOTE[letter] for room, letter in zip(rooms, letters, strict=True)}

    def survey(self, unit: Unit, ago: int) -> None:
        """The willingness survey 意愿摸排, entered from the community's ledger."""
        staff = self.staff_of(unit)
        households = self.households(unit)
        for room, value in self._letters(unit, VOTES[self._key(unit)].survey).items():
            household = households[room]
            if Vote.objects.filter(household=household).exists():
                continue  # the second flat of an owner got the vote with the first
            reason = (
                OPPOSE_REASONS[HoldoutReason.LOW_FLOOR]
                if value == rules.OPPOSE and household.floor <= 2
                else ""
            )
            consult.vote_record(
                household=household, value=value, reason=reason, by=staff, source=VoteSource.IMPORT
            )
        self._settle(self.at(ago, 16))

    def contact(
        self,
        household: Household,
        ago: int,
        *,
        channel: str = ContactChannel.VISIT,
        outcome: str = ContactOutcome.TALKED,
        note: str = "",
        vote: str = "",
        by: User | None = None,
        companions: str = "",
        when: datetime | None = None,
    ):
        when = when or self.evening(ago)
        contact = consult.contact_log(
            household=household,
            channel=channel,
            outcome=outcome,
            by=by or self.staff_of(household.unit),
            note=note,
            companions=companions,
            contacted_at=when,
            vote=vote,
        )
        self._settle(when)
        return contact

    def campaign(
        self,
        unit: Unit,
        *,
        extra_contacts: int = 0,
        extra_since: int | None = None,
        notes: dict[str, str] | None = None,
        dates: dict[str, int] | None = None,
    ) -> list[tuple[datetime, Household, dict]]:
        """The contacts that turn the survey votes into today's votes, oldest first, not yet logged.

        Each owner whose vote differs is won over (or lost) on a day in the unit's window (``dates``
        fixes the day for a room), by the visit, call or message that did it; ``extra_contacts`` more
        contacts with owners still not agreeing (from ``extra_since`` days ago, default the window's
        start) end in "come back later", "nobody home" or a talk, as most visits do. ``play`` logs them, so that each lands in the round that was open on its day.
        """
        notes, dates = notes or {}, dates or {}
        script = VOTES[self._key(unit)]
        households = self.households(unit)
        before = self._letters(unit, script.survey)
        after = self._letters(unit, script.today)
        start, end = script.window
        owners, moves = set(), []
        for room, household in households.items():
            if before[room] != after[room] and consult.owner_key(household) not in owners:
                owners.add(consult.owner_key(household))
                moves.append(room)
        free = [room for room in moves if room not in dates]
        days = sorted((self.rng.randint(end, start) for _ in free), reverse=True)
        if days:
            days[-1] = end  # the window closes with the last change
        days_of = {**dict(zip(free, days, strict=True)), **dates}
        events = []
        for room in moves:
            value, ago = after[room], days_of[room]
            if value == rules.AGREE:
                channel = self.rng.choice(
                    [ContactChannel.VISIT, ContactChannel.VISIT, ContactChannel.PHONE, ContactChannel.WECHAT]
                )
                outcome = (
                    ContactOutcome.FORM_SIGNED if channel == ContactChannel.VISIT else ContactOutcome.TALKED
                )
                note = notes.get(room) or self.rng.choice(AGREE_NOTES)
            else:
                channel, outcome = ContactChannel.VISIT, ContactOutcome.TALKED
                default = (
                    OPPOSE_REASONS[HoldoutReason.LOW_FLOOR]
                    if value == rules.OPPOSE
                    else self.rng.choice(TALK_NOTES)
                )
                note = notes.get(room) or default
            kwargs = {"channel": channel, "outcome": outcome, "note": note, "vote": value}
            events.append((self.evening(ago), households[room], kwargs))
        holdouts = [households[room] for room in households if after[room] != rules.AGREE]
        for _ in range(extra_contacts if holdouts else 0):
            household = self.rng.choice(holdouts)
            ago = self.rng.randint(end, extra_since or start)
            outcome = self.rng.choice(
                [
                    ContactOutcome.CALL_BACK,
                    ContactOutcome.NO_ANSWER,
                    ContactOutcome.TALKED,
                    ContactOutcome.TALKED,
                ]
            )
            phone = outcome == ContactOutcome.NO_ANSWER and self.rng.random() < 0.5
            channel = ContactChannel.PHONE if phone else ContactChannel.VISIT
            notes_for = NO_ANSWER_NOTES if outcome == ContactOutcome.NO_ANSWER else TALK_NOTES
            if household.occupancy == Occupancy.RENTED and outcome != ContactOutcome.TALKED:
                notes_for = notes_for + TENANT_NOTES
            note = self.rng.choice(notes_for)
            events.append(
                (self.evening(ago), household, {"channel": channel, "outcome": outcome, "note": note})
            )
        events.sort(key=lambda event: (event[0], event[1].room))
        return events

    def play(self, events: list, through: int | None = None) -> None:
        """Log the campaign's contacts up to ``through`` days ago (all of them without it)."""
        cutoff = None if through is None else self.at(through - 1, 0)
        while events and (cutoff is None or events[0][0] < cutoff):
            when, household, kwargs = events.pop(0)
            self.contact(household, 0, when=when, **kwargs)

    def rounds(self, unit: Unit, events: list, second: tuple[int, int] | None = None) -> None:
        """The first round closes without consent; the campaign goes on, in a second round if given."""
        self.play(events, through=ROUND1_CLOSED + 1)
        self.close_round(unit, ROUND1_CLOSED)
        if second:
            self.play(events, through=second[0] + 1)
            self.open_round(unit, *second)
        self.play(events)

    # --- stages, rounds, notice, plan, contract ----------------------------------------------------

    def move(self, unit: Unit, after: str, ago: int, reason: str, by: User | None = None, hour: int = 10):
        return lifecycle.unit_move(
            unit=unit, after=after, by=by or self.staff_of(unit), reason=reason, when=self.at(ago, hour)
        )

    def open_round(self, unit: Unit, opened: int, deadline: int) -> ConsultationRound:
        if unit.stage == Stage.SURVEY:
            number = unit.rounds.count() + 1
            self.move(
                unit,
                Stage.CONSULTATION,
                opened,
                f"第{number}轮意愿征询启动，意见反馈截止 {self.day(deadline):%Y-%m-%d}",
                hour=9,
            )
        return consult.round_open(
            unit=unit,
            deadline=self.day(deadline),
            channels=ALL_CHANNELS
            if opened >= ROUND1
            else [Channel.DOOR_TO_DOOR, Channel.GROUP_CHAT, Channel.HOTLINE],
            hotline=HOTLINE,
            opened_on=self.day(opened),
            by=self.staff_of(unit),
        )

    def close_round(self, unit: Unit, ago: int) -> None:
        current = unit.rounds.exclude(status=RoundStatus.CLOSED).first()
        consult.round_close(consultation_round=current, by=self.staff_of(unit), on=self.day(ago))

    def plan(self, unit: Unit, ago: int, *, note: str = "第三方团队初步方案", tweak=None) -> None:
        """A plan version (一单元一策); ``tweak(draft, households)`` turns the current one into the next."""
        households = list(unit.households.order_by("-floor", "room"))
        current = unit.plans.order_by("-version").first()
        if current is None:
            layout = next(
                x
                for x in LAYOUT
                if x.building == unit.building.number and x.estate == unit.building.estate.name
            )
            index = int(unit.building.number) + int(unit.number)
            entry = EntryType.HALF if index % 3 == 1 else EntryType.FLAT
            # Half-floor entry is cheaper (DESIGN.md): 450–560 thousand yuan, flat-floor 590–700 thousand.
            low, high = (4500, 5600) if entry == EntryType.HALF else (5900, 7000)
            draft = plans.draft_for(unit, households)
            draft.total_cost = Decimal(self.plan_rng.randrange(low, high + 1) * 100)
            draft.entry_type = entry
            draft.shaft_position = layout.shaft
        else:
            draft = plans.draft_for(unit, households, current)
        if tweak:
            tweak(draft, households)
        draft.note = note
        plans.plan_save(
            unit=unit,
            draft=draft,
            by=self.staff_of(unit),
            households=households,
            when=self.at(ago, 15),
            check_stale=False,
        )

    def notice(self, unit: Unit, ago: int, *, days: int = 20) -> Notice:
        """Draft-sign the agreement two days before and post it: consultation → notice, the round closes."""
        drafted = ago + 2
        self.move(
            unit,
            Stage.NOTICE,
            ago,
            f"协议于 {self.day(drafted):%Y-%m-%d} 草签，{self.day(ago):%Y-%m-%d} 起在单元门口和小区公示栏公示{days}日",
            hour=9,
        )
        plan = unit.plans.order_by("-version").first()
        notice = consult.notice_start(
            unit=unit,
            draft_signed_on=self.day(drafted),
            starts_on=self.day(ago),
            days=days,
            plan_summary=(
                f"{plan.get_entry_type_display()}，井道位于{plan.shaft_position}，{plan.stops}站；"
                f"总造价{plan.total_cost:,.0f}元，政府补贴{plan.subsidy:,.0f}元，"
                f"其余{plan.net_cost:,.0f}元由住户按{plan.get_method_display()}分摊（一楼不分摊）。"
            ),
            contact_phone=HOTLINE,
            by=self.staff_of(unit),
            when=self.at(ago, 9),  # recorded on the day it was posted, as the story tells it
        )
        ConsultationRound.objects.filter(unit=unit, closed_on=self.today).update(closed_on=self.day(ago))
        return notice

    def objection(
        self, notice: Notice, room: str, received: int, content: str, settled: tuple[int, str] | None = None
    ):
        household = notice.unit.households.get(room=room)
        objection = consult.objection_log(
            notice=notice,
            objector=household.owner_name,
            received_on=self.day(received),
            content=content,
            household=household,
            by=self.staff_of(notice.unit),
        )
        Objection.objects.filter(pk=objection.pk).update(recorded_at=self.at(received, 11))
        if settled:
            ago, resolution = settled
            consult.objection_settle(
                objection=objection, resolution=resolution, by=self.users["leader"], settled_on=self.day(ago)
            )
        return objection

    def contract(
        self,
        unit: Unit,
        started: int,
        *,
        parties: dict[str, int],
        signed_by: int,
        refused: dict[str, tuple[int, str]] | None = None,
        pending: int = 0,
        last_signature: int | None = None,
    ) -> Contract:
        """The three-party contract from the current plan; the parties and the households sign on their days.

        Households sign from the day after ``started`` to ``signed_by`` days ago, top floor first (they
        want the lift most), except the ``refused`` ones and the last ``pending`` ones in that order;
        ``last_signature`` holds the very last signature back to that day.
        """
        staff = self.staff_of(unit)
        contract = contracts.contract_start(unit=unit, by=staff, when=self.at(started, 14))
        elevator = ELEVATOR_OF_UNIT.get((unit.building.number, unit.number), SECOND_ELEVATOR_COMPANY)
        contracts.contract_update(
            contract=contract,
            data={"elevator_company": elevator, "construction_company": CONSTRUCTION_COMPANY},
            by=staff,
            when=self.at(started, 15),
        )
        for ago in sorted(set(parties.values()), reverse=True):
            data = {name: self.day(ago) for name, day in parties.items() if day == ago}
            contracts.contract_update(contract=contract, data=data, by=staff, when=self.at(ago, 16))
        if all(name in parties for name in Contract.PARTY_FIELDS):
            # The signed parties' page, scanned the day the last party signed: version 1 of the scan.
            contracts.contract_update(
                contract=contract, data={"scan": ContentFile(DEMO_SCAN, name="三方协议签字页.pdf")}, by=staff,
                when=self.at(min(parties.values()), 17),
            )
        signatures = list(
            contract.signatures.select_related("household").order_by("-household__floor", "household__room")
        )
        refused = refused or {}
        to_sign = [s for s in signatures if s.household.room not in refused]
        to_sign = to_sign[: len(to_sign) - pending]
        span = started - 1 - signed_by
        for index, signature in enumerate(to_sign):
            ago = started - 1 - (index * span) // max(len(to_sign) - 1, 1)
            if last_signature is not None and index == len(to_sign) - 1:
                ago = last_signature
            contracts.signature_set(
                signature=signature,
                status=SignatureStatus.SIGNED,
                signed_on=self.day(ago),
                by=staff,
                when=self.at(ago, 19),
            )
        for signature in signatures:
            if signature.household.room in refused:
                ago, note = refused[signature.household.room]
                contracts.signature_set(
                    signature=signature,
                    status=SignatureStatus.REFUSED,
                    signed_on=self.day(ago),
                    note=note,
                    by=staff,
                    when=self.at(ago, 20),
                )
        return contract

    def through_signing(
        self,
        unit: Unit,
        *,
        notice: int,
        signing: int,
        contract: int,
        signed_by: int,
        approval: int,
        last_signature=None,
    ) -> None:
        """Notice, signing and a complete contract; then the leader sends the unit on to approval."""
        self.notice(unit, notice)
        self.move(unit, Stage.SIGNING, signing, "公示期满，无异议，进入签约")
        self.contract(
            unit,
            contract,
            parties={
                "community_signed_on": contract - 1,
                "elevator_company_signed_on": contract - 1,
                "construction_company_signed_on": contract - 2,
                "signed_on": signed_by,
            },
            signed_by=signed_by,
            last_signature=last_signature,
        )
        payers = unit.contract.signatures.count()
        self.move(
            unit,
            Stage.APPROVAL,
            approval,
            f"三方协议签订完成：出资住户{payers}户、社区、电梯公司和施工单位均已签字，报联合审查",
            by=self.users["leader"],
        )

    # --- the model unit, more than a year ago -----------------------------------------------------

    def _model_unit(self) -> None:
        unit = self.unit("1", "1")
        self.survey(unit, 490)
        self.open_round(unit, 484, 464)
        self.plan(unit, 483)
        self.play(self.campaign(unit, extra_contacts=2))
        self.through_signing(unit, notice=463, signing=442, contract=441, signed_by=434, approval=432)

    # --- the pilot --------------------------------------------------------------------------------

    def _pilot(self) -> None:
        keys = [key for key in self.units if key[0] == PILOT_ESTATE and key[1:] != ("1", "1")]
        for key in keys:
            self.survey(self.units[key], SURVEY)
        for key in keys:
            unit = self.unit(*key[1:])
            self.open_round(unit, ROUND1, ROUND1_DEADLINE)
            self.plan(unit, ROUND1 - 1)
        self._first_batch()
        self._second_batch()
        self._still_consulting()

    def _first_batch(self) -> None:
        """Ready in the first round: on notice, signed and handed to the works within weeks."""
        for (building, number), dates in [
            (("1", "2"), dict(notice=134, signing=113, contract=112, signed_by=104, approval=103)),
            (("1", "3"), dict(notice=133, signing=112, contract=111, signed_by=101, approval=100)),
            (("3", "3"), dict(notice=131, signing=110, contract=109, signed_by=97, approval=96)),
            # 2栋2单元: the owner of 202 works in Shenzhen and signed last; the joint review wants more.
            (
                ("2", "2"),
                dict(notice=124, signing=103, contract=100, signed_by=42, approval=38, last_signature=40),
            ),
        ]:
            unit = self.unit(building, number)
            self.play(self.campaign(unit, extra_contacts=2))
            if (building, number) == ("1", "2"):
                self._top_floor_up(unit, dates["notice"] + 2)
            self.through_signing(unit, **dates)

    def _top_floor_up(self, unit: Unit, ago: int) -> None:
        def tweak(draft, households):
            top = max(draft.coefficients)
            draft.coefficients[top] = (draft.coefficients[top] * Decimal("1.1")).quantize(Decimal("0.01"))

        self.plan(unit, ago, note="单元会议：顶层系数上调10%", tweak=tweak)

    def _second_batch(self) -> None:
        # 2栋1单元: a second round brought it over the line; now collecting signatures.
        unit = self.unit("2", "1")
        self.rounds(unit, self.campaign(unit, extra_contacts=3), second=(75, 45))
        self.notice(unit, 48)
        self.move(unit, Stage.SIGNING, 27, "公示期满，无异议，进入签约")
        self.contract(
            unit,
            26,
            parties={"community_signed_on": 24, "elevator_company_signed_on": 24},
            signed_by=4,
            refused={"202": (10, "认为电梯公司报价偏高，要求再比价")},
            pending=2,
        )

        # 2栋3单元: split by coefficient × area, as the unit meeting decided; an objection was settled
        # and the notice period is over, so signing can start.
        unit = self.unit("2", "3")
        self.rounds(unit, self.campaign(unit, extra_contacts=3), second=(62, 26))

        def by_area(draft, households):
            draft.method = SplitMethod.FLOOR_AREA

        self.plan(unit, 40, note="单元会议决定：按楼层系数×面积分摊", tweak=by_area)
        notice = self.notice(unit, 24)
        self.objection(
            notice,
            "101",
            18,
            "电梯井在我家窗外，影响采光，要求补偿。",
            settled=(
                11,
                "街道、社区组织协商：第三方团队日照分析影响在标准内；楼上住户自愿承担101防盗窗改造费用，本人签字认可。",
            ),
        )

        # 3栋1单元: on notice, with a written objection still open.
        unit = self.unit("3", "1")
        self.rounds(unit, self.campaign(unit, extra_contacts=3, extra_since=45), second=(45, 12))
        notice = self.notice(unit, 9)
        self.objection(notice, "201", 3, "二楼基本不用电梯，按1.5的系数分摊不合理，要求降低或免除。")

    def _still_consulting(self) -> None:
        leader, staff = self.users["leader"], self.users["staff"]
        # 3栋2单元: the last owners needed agreed this week; the notice is being prepared.
        unit = self.unit("3", "2")
        self.rounds(unit, self.campaign(unit, extra_contacts=5, extra_since=30), second=(30, -12))

        # 4栋1单元: two short. 302 cannot afford the share: relief proposed and put in the plan;
        # 202 misunderstands the policy: a joint visit with a neighbour and a cadre is planned.
        unit = self.unit("4", "1")
        events = self.campaign(
            unit,
            extra_contacts=7,
            extra_since=28,
            notes={
                "302": OPPOSE_REASONS[HoldoutReason.HARDSHIP],
                "201": OPPOSE_REASONS[HoldoutReason.NOISE_LIGHT],
            },
        )
        self.rounds(unit, events, second=(28, -5))
        flats = self.households(unit)
        Household.objects.filter(pk=flats["302"].pk).update(
            hardship=True, age_band=AgeBand.OVER_75, note="低保户，独居老人"
        )
        self.holdout(
            flats["302"],
            HoldoutReason.HARDSHIP,
            Degree.SOFT,
            8,
            detail="愿意装，就是拿不出钱。",
            relief=Decimal("3000"),
        )
        self.holdout(
            flats["202"],
            HoldoutReason.MISUNDERSTANDING,
            Degree.SOFT,
            6,
            detail="以为装电梯要占用自家阳台。",
            neighbour=flats["402"],
            cadre=staff,
            visit=-2,
        )
        self.holdout(
            flats["101"], HoldoutReason.LOW_FLOOR, Degree.STRONG, 12, detail="一楼用不上，还怕挡光。"
        )
        self.holdout(
            flats["201"], HoldoutReason.NOISE_LIGHT, Degree.SOFT, 9, detail="卧室挨着井道，怕晚上吵。"
        )
        relief_for = flats["302"].pk

        def relief(draft, households):
            draft.reliefs = {relief_for: Decimal("3000")}

        self.plan(unit, 5, note="302困难户减免3000元，由其他出资户按比例分担", tweak=relief)

        # 4栋2单元: wait and see; an on-site Q&A meeting is set before the deadline (see meetings).
        unit = self.unit("4", "2")
        self.rounds(unit, self.campaign(unit, extra_contacts=9, extra_since=21), second=(21, -10))

        # 4栋3单元: one short, and the second round's deadline has passed.
        unit = self.unit("4", "3")
        events = self.campaign(
            unit,
            extra_contacts=7,
            extra_since=34,
            notes={
                "201": OPPOSE_REASONS[HoldoutReason.COST_SPLIT],
                "102": OPPOSE_REASONS[HoldoutReason.LOW_FLOOR],
            },
            dates={"201": 50},
        )
        self.rounds(unit, events, second=(34, 4))
        flats = self.households(unit)
        self.holdout(
            flats["101"],
            HoldoutReason.NOISE_LIGHT,
            Degree.STRONG,
            20,
            detail="井道正对卧室窗户。",
            companions="街道城建科 王书记",
        )
        self.holdout(flats["102"], HoldoutReason.LOW_FLOOR, Degree.STRONG, 20, detail="一楼不用电梯。")
        self.holdout(
            flats["201"],
            HoldoutReason.COST_SPLIT,
            Degree.SOFT,
            14,
            detail="原来同意，看到二楼系数后改为反对。",
        )
        self.holdout(
            flats["301"],
            HoldoutReason.MISUNDERSTANDING,
            Degree.SOFT,
            7,
            detail="业主在外地，听说要拆楼梯。",
            neighbour=flats["302"],
            cadre=leader,
            visit=-3,
        )

        # 5栋1单元: not enough support; the round is on hold for the leadership group.
        unit = self.unit("5", "1")
        events = self.campaign(
            unit, extra_contacts=5, extra_since=70, notes={"502": "听说电梯费每月要几十元，改为反对。"}
        )
        self.rounds(unit, events, second=(70, 40))
        current = unit.rounds.get(status=RoundStatus.OPEN)
        consult.round_hold(
            consultation_round=current,
            note="反对5户，其中一、二楼4户态度坚决，502由同意改为反对；申请领导小组研究是否暂缓。",
            by=staff,
        )
        ConsultationRound.objects.filter(pk=current.pk).update(held_at=self.at(36, 17))

        # 5栋2单元: consent was reached, but a gas main runs under the planned shaft.
        unit = self.unit("5", "2")
        self.rounds(unit, self.campaign(unit, extra_contacts=1))
        self.move(
            unit,
            Stage.PAUSED,
            88,
            "专题协调会：井道位置下方有燃气中压管道，需燃气公司出具迁改方案后再公示。",
            by=leader,
        )

    def holdout(
        self,
        household: Household,
        reason: str,
        degree: str,
        ago: int,
        *,
        detail: str = "",
        relief: Decimal | None = None,
        neighbour: Household | None = None,
        cadre: User | None = None,
        visit: int | None = None,
        companions: str = "",
    ) -> Holdout:
        """Why a household holds out, learned on a visit ``ago`` days ago, with the plan its reason calls for."""
        if reason in (HoldoutReason.HARDSHIP, HoldoutReason.NOISE_LIGHT):
            # Both are about living there: the owner does.
            Household.objects.filter(pk=household.pk).update(occupancy=Occupancy.OWNER)
        self.contact(household, ago, note=f"了解未同意原因：{detail}", companions=companions)
        holdout = consult.holdout_save(
            household=household,
            reason=reason,
            degree=degree,
            by=self.staff_of(household.unit),
            detail=detail,
            relief_amount=relief,
            neighbour=neighbour,
            cadre=cadre,
            visit_planned_on=None if visit is None else self.day(visit),
        )
        Holdout.objects.filter(pk=holdout.pk).update(updated_at=self.evening(ago))
        return holdout

    # --- 光华小区: the survey is in ---------------------------------------------------------------

    def _guanghua(self) -> None:
        for number in ("1", "2"):
            unit = self.unit("1", number, OTHER_ESTATE)
            self.survey(unit, GUANGHUA_SURVEY)
            self.play(self.campaign(unit, extra_contacts=2))
            self.plan(unit, 12, note="第三方团队初步测算（待征询）")

    # --- the leadership group's meetings ----------------------------------------------------------

    def meetings(self) -> None:
        """Joint, regular and coordination meetings with minutes, decisions and action items; the
        estate's yard meeting; the Q&A meeting set for the wait-and-see unit."""
        street, leader, staff, unitlead = (
            self.street,
            self.users["leader"],
            self.users["staff"],
            self.users["unitlead"],
        )
        mill = Community.objects.get(street=street, name="绵纺社区")
        u = self.unit
        pilot_units = [unit for key, unit in self.units.items() if key[0] == PILOT_ESTATE]
        group = "街道党工委书记、办事处主任（双组长），分管副主任，城建科、社区事务科负责人，绵纺社区书记，居民代表"

        def meeting(
            kind,
            ago,
            *,
            place,
            attendees,
            minutes="",
            decisions="",
            units=(),
            community=None,
            hour=9,
            items=(),
        ):
            m = consult.meeting_save(
                street=street,
                community=community,
                kind=kind,
                held_on=self.day(ago),
                starts_at=time(hour, 0),
                place=place,
                attendees=attendees,
                minutes=minutes,
                decisions=decisions,
                units=units,
                by=leader,
            )
            Meeting.objects.filter(pk=m.pk).update(created_at=self.at(max(ago, 1), 17))
            for text, owner, due, done, item_units in items:
                item = consult.action_item_add(
                    meeting=m, text=text, owner=owner, due_on=self.day(due), units=item_units, by=leader
                )
                if done is not None:
                    consult.action_item_set_done(item=item, done=True, by=owner)
                    ActionItem.objects.filter(pk=item.pk).update(done_at=self.at(done, 17))
            return m

        meeting(
            MeetingKind.JOINT,
            LAUNCH,
            place="街道办事处三楼会议室",
            attendees=group + "，区住建局、规划分局、市场监管所，第三方专业团队",
            minutes="通报绵纺厂宿舍小区1栋1单元样板电梯运行一年情况；研究在全小区开展加装电梯试点。",
            decisions="一、成立以党工委书记、办事处主任为双组长的工作领导小组。\n"
            "二、全小区开展意愿摸排，第1轮征询意见反馈截止时间统一公告。\n"
            "三、第三方团队按每栋层高、户数、间距测算安装方式和成本，一单元一策。",
            units=pilot_units,
            items=[
                ("完成全小区14个单元意愿摸排并录入台账", staff, SURVEY, SURVEY + 1, []),
                ("第三方团队提交各单元初步方案和分摊测算", leader, ROUND1, ROUND1 + 1, []),
            ],
        )
        meeting(
            MeetingKind.YARD,
            145,
            community=mill,
            hour=19,
            place="小区中心花园",
            attendees="绵纺社区、第三方团队、蜀通电梯技术人员，住户代表约80人",
            minutes="讲解补贴政策、分摊办法和施工安排，现场答疑；公布政策咨询电话和第1轮反馈截止时间。",
            units=pilot_units,
        )
        meeting(
            MeetingKind.REGULAR,
            120,
            place="街道办事处三楼会议室",
            attendees=group,
            minutes="第1轮征询过半：1栋2单元、1栋3单元、3栋3单元条件成熟，2栋2单元接近。",
            decisions="条件成熟的单元率先草签协议并公示，营造氛围；其余单元分类施策。",
            units=[u("1", "2"), u("1", "3"), u("3", "3"), u("2", "2")],
            items=[
                ("条件成熟单元草签协议、张贴公示", staff, 110, 118, [u("1", "2"), u("1", "3"), u("3", "3")])
            ],
        )
        meeting(
            MeetingKind.COORDINATION,
            90,
            place="绵纺社区会议室",
            attendees=group + "，燃气公司、供电所、第三方团队",
            minutes="协调楼道表箱、燃气管道迁移；5栋2单元勘察发现井道位置下方有燃气中压管道。"
            "讨论楼层之间分摊争议和困难户减免办法。",
            decisions="一、5栋2单元暂缓，待燃气公司出具迁改方案。\n二、困难户分摊可减免，由其他出资户按比例分担，经单元会议通过。",
            units=[u("5", "2")],
            items=[("困难户减免办法写入各单元方案说明", staff, 75, 78, [])],
        )
        meeting(
            MeetingKind.REGULAR,
            62,
            place="街道办事处三楼会议室",
            attendees=group,
            minutes="首批单元施工、审批进展；2栋1单元第2轮征询启动；5栋1单元反对意见集中。",
            decisions="2栋3单元、3栋1单元开启第2轮征询；5栋1单元由社区再做一轮工作。",
            units=[u("2", "1"), u("2", "3"), u("3", "1"), u("5", "1")],
            items=[("2栋1单元第2轮征询，逐户上门", staff, 45, 48, [u("2", "1")])],
        )
        meeting(
            MeetingKind.JOINT,
            34,
            place="区政务服务中心",
            attendees="街道领导小组，区规划分局、住建局、市场监管局，电梯公司、施工单位",
            minutes="联合审查2栋2单元、3栋3单元加装电梯方案。3栋3单元材料齐全；2栋2单元井道距离道路红线需补充测量。",
            decisions="3栋3单元通过联审；2栋2单元补测后再审。",
            units=[u("2", "2"), u("3", "3")],
            items=[("2栋2单元补充红线测量报告，再次报审", leader, -7, None, [u("2", "2")])],
        )
        meeting(
            MeetingKind.COORDINATION,
            16,
            place="绵纺社区会议室",
            attendees=group + "，区住建局质监站、锦城建筑、锦江电梯",
            minutes="1栋3单元区级验收未通过（底坑渗水、层门地坎间隙超标），研究整改。"
            "2栋3单元异议已调解，公示期满后进入签约。",
            decisions="施工单位10日内完成整改并申请复验；5栋1单元提交下次例会研究。",
            units=[u("1", "3"), u("2", "3"), u("5", "1")],
            items=[
                ("1栋3单元整改完成后申请区级复验", leader, 9, 10, [u("1", "3")]),
                ("2栋3单元签约准备：打印协议、通知住户", staff, -3, None, [u("2", "3")]),
            ],
        )
        meeting(
            MeetingKind.REGULAR,
            6,
            place="街道办事处三楼会议室",
            attendees=group,
            minutes="试点进度：1栋1单元运维满一年，年度检验将到期；1栋2单元交付使用，待办使用登记；"
            "4栋3单元第2轮征询已过截止时间仍差1户；4栋2单元观望住户多。",
            decisions="一、4栋3单元逐户攻坚，争取本周内补齐。\n二、4栋2单元召开现场答疑会。\n"
            "三、1栋2单元30日内办理使用登记。",
            units=[u("1", "1"), u("1", "2"), u("4", "2"), u("4", "3")],
            items=[
                ("4栋3单元逐户上门，争取201、301同意", staff, 2, None, [u("4", "3")]),
                ("4栋2单元现场答疑会：通知住户、准备答疑材料", staff, -3, None, [u("4", "2")]),
                ("1栋2单元办理使用登记", leader, -20, None, [u("1", "2")]),
                ("1栋1单元预约年度定期检验", unitlead, -14, None, [u("1", "1")]),
                ("3栋1单元异议答复：二楼系数依据说明", staff, 1, 2, [u("3", "1")]),
            ],
        )
        meeting(
            MeetingKind.QA,
            -4,
            community=mill,
            hour=19,
            place="4栋楼前坝子",
            attendees="街道城建科、绵纺社区、第三方团队、锦江电梯技术人员，4栋2单元住户",
            units=[u("4", "2")],
        )
