"""A realistic district of any size, for load tests, benchmarks and large demos.

``seed_district(households=100_000)`` builds what the issue calls a district: 10 streets, 100
communities, about 7,300 units and 100,000 households. (The issue's "3,000 units" would mean 33 flats a
stairwell; walk-ups of 5–7 floors with 2–3 flats a floor hold 10–21, so the same households need more
units: a heavier district for the pages, not a lighter one.) Each street holds 10,000 households in 10
communities and is built by the same recipe from its own random stream, so street 1 of a
100,000-household district is the very street a 10,000-household district consists of: a benchmark
that compares the two compares the same pages over a database ten times larger.

What makes it realistic (docs/rules.md and the pilot's report):

- buildings of 5–7 floors, 2–4 units (stairwells) each, 2–3 flats a floor; areas 50–120 m²;
- owners named from common surnames and given names, a few owners holding two flats of a unit;
- votes skewed as the reports say: high floors and the elderly agree more, low floors, tenants and
  the young hold out; each unit has its own mood, so every situation shows up;
- stages spread as a district looks a year into the programme (most units in survey or consultation,
  a tail through notice, signing, works and upkeep, a few paused or withdrawn), each with its
  StageChange history; vote history (VoteChange) with a first survey answer and later changes over
  the past twelve weeks; an open consultation round, contacts and holdout records in consultation.

Everything is written with ``bulk_create`` in batches, street by street (memory stays flat), and no
signal fires. Stored consent figures (UnitTally) are left to be computed on first read unless
``tallies=True`` (see docs/benchmarks.md for which is faster).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from consultations import rules
from consultations.models import (
    ConsultationRound,
    Contact,
    ContactChannel,
    ContactOutcome,
    Degree,
    Holdout,
    HoldoutReason,
    Vote,
    VoteChange,
    VoteSource,
    VoteWeek,
)
from consultations.selectors import consent_by_unit
from retrofit.models import Role, User
from units.lifecycle import stages_reached_store
from units.models import (
    AgeBand,
    Building,
    Community,
    District,
    Estate,
    Household,
    Occupancy,
    Stage,
    StageChange,
    Street,
    Unit,
)

from .street import random_flat

HOUSEHOLDS_PER_STREET = 10_000
COMMUNITIES_PER_STREET = 10
BATCH = 2_000

STREET_NAMES = [
    "锦江街道", "春熙街道", "书院街道", "合江亭街道", "水井坊街道", "牛市口街道", "龙舟路街道", "双桂路街道",
    "莲新街道", "沙河街道", "东光街道", "狮子山街道", "成龙路街道", "柳江街道", "三圣街道", "东湖街道",
]
COMMUNITY_WORDS = [
    "红星", "建设", "和平", "光明", "新华", "东风", "胜利", "幸福", "团结", "前进", "长虹", "友谊",
    "桂花", "芙蓉", "玉林", "青松", "望江", "安顺", "莲花", "金桥", "锦华", "民兴", "永丰", "兴隆",
]
ESTATE_WORDS = [
    "纺织厂宿舍", "机械厂家属院", "电力小区", "粮食局宿舍", "邮电小区", "铁路新村", "教师公寓", "卫生局宿舍",
    "水电苑", "建工新村", "红旗苑", "百花苑", "翠竹园", "银杏园", "枫林苑", "丽景苑", "金鱼小区", "工人村",
    "河畔小区", "商业局宿舍", "化工厂宿舍", "棉麻公司宿舍", "税务小区", "交通局宿舍",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国秀英桂兰志强国华玉兰明德淑珍文华丽娟德明凤英海燕红梅春生小军国平玉珍俊杰晓燕子涵欣怡浩然世平永康"

# Where a district's units stand a year into the programme (weights, in percent).
STAGE_MIX = {
    Stage.SURVEY: 27,
    Stage.CONSULTATION: 36,
    Stage.NOTICE: 5,
    Stage.SIGNING: 6,
    Stage.APPROVAL: 4,
    Stage.CONSTRUCTION: 5,
    Stage.ACCEPTANCE: 3,
    Stage.IN_SERVICE: 4,
    Stage.UPKEEP: 5,
    Stage.PAUSED: 4,
    Stage.WITHDRAWN: 1,
}
# A unit's mood: the base chance of agree, oppose, and of no answer yet (the rest abstain).
MOODS = {
    "ready": (0.86, 0.04, 0.06),
    "few": (0.70, 0.12, 0.10),
    "wait": (0.42, 0.06, 0.45),
    "unlikely": (0.38, 0.42, 0.12),
}
MOODS_IN_CONSULTATION = (("ready", 15), ("few", 35), ("wait", 30), ("unlikely", 20))


@dataclass
class DistrictReport:
    streets: int = 0
    communities: int = 0
    estates: int = 0
    buildings: int = 0
    units: int = 0
    households: int = 0
    vote_changes: int = 0
    stage_changes: int = 0
    contacts: int = 0
    seconds: float = 0.0

    def __str__(self):
        return (
            f"{self.streets} streets, {self.communities} communities, {self.estates} estates, "
            f"{self.buildings} buildings, {self.units} units, {self.households} households, "
            f"{self.vote_changes} vote changes, {self.stage_changes} stage changes, {self.contacts} contacts "
            f"in {self.seconds:.1f} s"
        )


def _split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _free_street_names(count: int) -> list[tuple[int, str]]:
    """``count`` (number, name) pairs not yet used by a street, the number fixing the staff usernames."""
    taken = set(Street.objects.values_list("name", flat=True))
    found, number = [], 0
    while len(found) < count:
        name = STREET_NAMES[number] if number < len(STREET_NAMES) else f"第{number + 1}街道"
        if name not in taken:
            found.append((number + 1, name))
        number += 1
    return found


def seed_district(
    *, households: int, seed: int = 2026, stdout=None, tallies: bool = False, district: District | None = None
) -> DistrictReport:
    """Build a district of ``households`` households (see the module docstring); returns what it made.

    Deterministic for a given ``seed`` (dates are counted back from now). ``tallies=True`` stores every
    unit's consent figures at the end instead of leaving them to the first read. The streets belong to
    ``district`` when one is given (the demo's, beside 红旗街道).
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    started = time.perf_counter()
    report = DistrictReport()
    now = timezone.now()
    streets = max(1, round(households / HOUSEHOLDS_PER_STREET))
    with transaction.atomic():
        names = _free_street_names(streets)
        for (number, name), quota in zip(names, _split(households, streets), strict=True):
            rng = random.Random(f"{seed}-street-{number}")
            _StreetBuilder(rng, number, name, quota, now, report).build(district)
            if stdout is not None:
                stdout.write(f"  {name}: {quota} households ({time.perf_counter() - started:.1f} s)\n")
        if tallies:
            store_tallies(Unit.objects.filter(building__estate__community__street__name__in=[n for _, n in names]))
    report.seconds = time.perf_counter() - started
    if stdout is not None:
        stdout.write(f"District built: {report}\n")
    return report


def store_tallies(units, chunk: int = 500) -> int:
    """Compute and store the consent figures of these units (those missing), ``chunk`` units at a time."""
    ids = list(units.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), chunk):
        consent_by_unit(Unit.objects.for_listing().filter(pk__in=ids[start : start + chunk]))
    return len(ids)


class _StreetBuilder:
    """One street of ``quota`` households: communities, estates, buildings, units and their people."""

    def __init__(self, rng: random.Random, number: int, name: str, quota: int, now, report: DistrictReport):
        self.rng, self.number, self.name, self.quota, self.now, self.report = rng, number, name, quota, now, report

    def build(self, district: District | None) -> None:
        rng = self.rng
        street = Street.objects.create(
            name=self.name, district=district, default_coefficients="1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5"
        )
        count = max(1, min(COMMUNITIES_PER_STREET, round(self.quota / 1_000)))
        words = rng.sample(COMMUNITY_WORDS, count)
        communities = Community.objects.bulk_create(
            [Community(street=street, name=f"{word}社区") for word in words]
        )
        staff = User.objects.bulk_create(
            [
                User(
                    username=f"district-{self.number:02d}-{index:02d}",
                    password=make_password(None),
                    role=Role.COMMUNITY_STAFF,
                    community=community,
                    display_name=f"社区工作人员{index:02d}",  # the menu adds the community
                )
                for index, community in enumerate(communities, start=1)
            ]
        )
        User.objects.create(
            username=f"district-{self.number:02d}-leader", password=make_password(None),
            role=Role.STREET_LEADER, street=street, display_name="街道领导小组组长",
        )
        self.report.streets += 1
        self.report.communities += len(communities)

        # Lay out the estates and buildings of every community first (three bulk inserts), then the flats.
        plans = []  # (building, [(unit number, flats per floor)]) in creation order
        estates, buildings = [], []
        for community, quota in zip(communities, _split(self.quota, count), strict=True):
            left = quota
            names = iter(rng.sample(ESTATE_WORDS, len(ESTATE_WORDS)))
            while left > 0:
                estate = Estate(community=community, name=next(names, None) or f"{len(estates) + 1}号小区")
                estates.append(estate)
                for number in range(1, rng.randint(3, 7) + 1):
                    if left <= 0:
                        break
                    floors = rng.choice((5, 6, 6, 6, 7, 7))
                    per_floor = rng.choice((2, 2, 2, 3))
                    stairwells = rng.choice((2, 3, 3, 4))
                    building = Building(
                        estate=estate,
                        number=str(number),
                        floors=floors,
                        floor_height=Decimal(rng.choice(("2.80", "2.90", "2.90", "3.00"))),
                        spacing=Decimal(rng.randrange(800, 2000)) / 100,
                    )
                    buildings.append(building)
                    layout = []
                    for unit_number in range(1, stairwells + 1):
                        if left <= 0:
                            break
                        flats = min(left, floors * per_floor)
                        layout.append((unit_number, per_floor, flats))
                        left -= flats
                    plans.append((building, layout))
        Estate.objects.bulk_create(estates, batch_size=BATCH)
        for building in buildings:
            building.estate_id = building.estate.pk
        Building.objects.bulk_create(buildings, batch_size=BATCH)
        self.report.estates += len(estates)
        self.report.buildings += len(buildings)

        staff_of = {user.community_id: user for user in staff}
        units, unit_plans = [], []
        for building, layout in plans:
            for unit_number, per_floor, flats in layout:
                stage = rng.choices(list(STAGE_MIX), weights=list(STAGE_MIX.values()))[0]
                unit = Unit(building_id=building.pk, number=str(unit_number), stage=stage, eligible=rng.random() > 0.03)
                if not unit.eligible:
                    unit.stage = Stage.SURVEY
                units.append(unit)
                unit_plans.append((unit, building, per_floor, flats))
        self._stage_history(units)
        Unit.objects.bulk_create(units, batch_size=BATCH)
        self.report.units += len(units)
        self._people(unit_plans, staff_of)

    # --- stages -------------------------------------------------------------------------------

    def _stage_history(self, units: list[Unit]) -> None:
        """Give each unit the moves that brought it to its stage (dates set here, rows written later)."""
        rng, now = self.rng, self.now
        self.moves: dict[int, list[tuple[str, str, object]]] = {}
        for index, unit in enumerate(units):
            if unit.stage in Stage.SIDE:
                reached = rng.choice((Stage.CONSULTATION, Stage.CONSULTATION, Stage.NOTICE))
                path = [*Stage.span(Stage.SURVEY, reached), unit.stage]
            else:
                path = list(Stage.span(Stage.SURVEY, unit.stage))
            steps = len(path) - 1
            # Later stages started earlier: up to a year back for a unit already in upkeep.
            day = now - timedelta(days=rng.randint(30, 60) + steps * rng.randint(25, 40))
            moves = []
            for before, after in zip(path, path[1:], strict=False):
                day += timedelta(days=rng.randint(15, 35))
                day = min(day, now - timedelta(days=1))
                moves.append((before, after, day))
            self.moves[index] = moves
            unit.stage_since = moves[-1][2] if moves else now - timedelta(days=rng.randint(10, 60))

    # --- households, votes and the consultation records ----------------------------------------

    def _mood(self, unit: Unit) -> str:
        if unit.stage in (Stage.SURVEY, Stage.CONSULTATION):
            moods, weights = zip(*MOODS_IN_CONSULTATION, strict=True)
            return self.rng.choices(moods, weights=weights)[0]
        if unit.stage in Stage.SIDE:
            return "unlikely"
        return "ready"  # a unit past consultation passed its vote

    def _vote(self, mood: str, floor: int, floors: int, occupancy: str, age: str) -> str:
        agree, oppose, silent = MOODS[mood]
        # The reports: high floors and the elderly support; low floors, tenants and the young hold out.
        lift = (floor - (floors + 1) / 2) * 0.05
        if occupancy == Occupancy.RENTED:
            lift -= 0.15
        if age == AgeBand.UNDER_40:
            lift -= 0.10
        elif age == AgeBand.OVER_75:
            lift += 0.08
        agree = min(0.98, max(0.02, agree + lift))
        oppose = max(0.0, oppose - lift / 2)
        roll = self.rng.random()
        if roll < agree:
            return rules.AGREE
        if roll < agree + oppose:
            return rules.OPPOSE
        if roll < agree + oppose + silent:
            return rules.UNDECIDED if self.rng.random() < 0.7 else rules.UNREACHABLE
        return rules.ABSTAIN

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
        return rng.choice(SURNAMES) + given, f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"

    def _people(self, unit_plans, staff_of) -> None:
        rng, now = self.rng, self.now
        households: list[Household] = []
        votes: list[tuple[str, str]] = []  # (first answer, current vote) per household
        community_of_unit = {}
        stage_rows: list[StageChange] = []
        rounds: list[ConsultationRound] = []
        for index, (unit, building, per_floor, flats) in enumerate(unit_plans):
            community_id = building.estate.community_id
            community_of_unit[unit.pk] = community_id
            staff = staff_of[community_id]
            for before, after, day in self.moves[index]:
                stage_rows.append(
                    StageChange(unit_id=unit.pk, before=before, after=after, reason="进度推进", changed_by=staff, changed_at=day)
                )
            if unit.stage == Stage.CONSULTATION:
                opened = timezone.localtime(unit.stage_since).date()
                rounds.append(
                    ConsultationRound(
                        unit_id=unit.pk, number=1, opened_on=opened, deadline=opened + timedelta(days=rng.randint(30, 90)),
                        by_notice=True, by_yard_meeting=rng.random() < 0.6, by_door_to_door=True,
                        by_group_chat=rng.random() < 0.8, hotline="028-8888" + f"{rng.randrange(10**4):04d}",
                        opened_by=staff,
                    )
                )
            mood = self._mood(unit)
            shared = rng.random() < 0.05 and flats >= 4  # one owner holds two flats of this unit
            owner_of_first = None
            for position in range(flats):
                floor, side = divmod(position, per_floor)
                floor += 1
                occupancy = rng.choices((Occupancy.OWNER, Occupancy.RENTED, Occupancy.EMPTY), (72, 20, 8))[0]
                if occupancy == Occupancy.RENTED:
                    age = rng.choices(AgeBand.values, (50, 35, 10, 5))[0]
                else:
                    age = rng.choices(AgeBand.values, (12, 28, 38, 22))[0]
                name, phone = self._person()
                vote = self._vote(mood, floor, building.floors, occupancy, age)
                if unit.stage == Stage.SURVEY and rng.random() < 0.35:
                    vote = rules.UNDECIDED  # the survey is still going round
                if shared and position == 0:
                    owner_of_first = (name, phone, vote)
                if shared and position == per_floor + 1 and owner_of_first:
                    name, phone, vote = owner_of_first  # one owner, one vote
                first = vote
                if rng.random() < 0.3:
                    first = rng.choice((rules.UNDECIDED, rules.UNDECIDED, rules.ABSTAIN, rules.OPPOSE))
                households.append(
                    random_flat(
                        rng, unit.pk, floor, side + 1, name, phone, occupancy, age, hundredths=(5000, 12000), hardship=0.05
                    )
                )
                votes.append((first, vote))
        StageChange.objects.bulk_create(stage_rows, batch_size=BATCH)
        stages_reached_store({row.unit_id for row in stage_rows})  # a bulk write sends no signals
        ConsultationRound.objects.bulk_create(rounds, batch_size=BATCH)
        Household.objects.bulk_create(households, batch_size=BATCH)
        self.report.stage_changes += len(stage_rows)
        self.report.households += len(households)

        stage_of = {unit.pk: unit for unit, *_rest in unit_plans}
        vote_rows, change_rows, contacts, holdouts = [], [], [], []
        for household, (first, current) in zip(households, votes, strict=True):
            unit = stage_of[household.unit_id]
            staff = staff_of[community_of_unit[unit.pk]]
            surveyed = unit.stage_since - timedelta(days=rng.randint(20, 60))
            change_rows.append(
                VoteChange(household_id=household.pk, before="", after=first, source=VoteSource.IMPORT, changed_by=staff, changed_at=surveyed)
            )
            version = 1
            reason = ""
            if current == rules.OPPOSE:
                reason = rng.choice(("担心噪音和采光", "低层用不上电梯", "费用太高", "担心影响通风", ""))
            if first != current:
                changed = now - timedelta(days=rng.randint(1, 84), minutes=rng.randint(0, 600))
                change_rows.append(
                    VoteChange(household_id=household.pk, before=first, after=current, reason=reason, source=VoteSource.PAGE, changed_by=staff, changed_at=changed)
                )
                version = 2
            vote_rows.append(
                Vote(household_id=household.pk, value=current, reason=reason, recorded_by=staff, recorded_at=now, version=version)
            )
            if unit.stage == Stage.CONSULTATION and current != rules.AGREE and rng.random() < 0.45:
                for _n in range(rng.randint(1, 2)):
                    contacts.append(
                        Contact(
                            household_id=household.pk,
                            channel=rng.choice(ContactChannel.values[:3]),
                            outcome=rng.choice(ContactOutcome.values),
                            made_by=staff,
                            contacted_at=now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600)),
                            note=rng.choice(("", "再做工作", "家人意见不一", "想了解分摊")),
                        )
                    )
            if unit.stage == Stage.CONSULTATION and current == rules.OPPOSE and rng.random() < 0.5:
                if household.hardship:
                    cause = HoldoutReason.HARDSHIP
                elif household.floor <= 2:
                    cause = rng.choice((HoldoutReason.LOW_FLOOR, HoldoutReason.NOISE_LIGHT))
                else:
                    cause = rng.choice((HoldoutReason.MISUNDERSTANDING, HoldoutReason.COST_SPLIT, HoldoutReason.OTHER))
                holdouts.append(
                    Holdout(
                        household_id=household.pk, reason=cause, degree=rng.choice(Degree.values), detail=reason,
                        recorded_by=staff, updated_at=now - timedelta(days=rng.randint(0, 30)),
                    )
                )
        Vote.objects.bulk_create(vote_rows, batch_size=BATCH)
        VoteChange.objects.bulk_create(change_rows, batch_size=BATCH)
        unit_of = {household.pk: household.unit_id for household in households}  # a bulk write sends no signals
        VoteWeek.add((unit_of[c.household_id], c.changed_at, c.before, c.after) for c in change_rows)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        Holdout.objects.bulk_create(holdouts, batch_size=BATCH)
        self.report.vote_changes += len(change_rows)
        self.report.contacts += len(contacts)


__all__ = ["seed_district", "store_tallies", "DistrictReport"]
