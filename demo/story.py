"""The story's script and its stage: names, days, layout and votes, and the state every chapter shares.

Every write goes through the services (lifecycle, consultation, plans, contracts; the works chapter the
works services), so the demo obeys the same guards as real work. Dates are counted back from today.
A service that takes a date is given it; one that stamps "now" itself is followed by ``Story.settle``,
which moves the rows it has just written back to the day they belong to. Everything random comes from
the story's seeded generators, so the same day gives the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from consultations import rules
from consultations.models import Vote, VoteChange, VoteWeek
from retrofit.models import User
from units import lifecycle
from units.models import Household, Stage, StageChange, Street, Unit

DISTRICT = "锦江区"
STREET = "红旗街道"
PILOT_ESTATE = "绵纺厂宿舍小区"
OTHER_ESTATE = "光华小区"
# The contracts (demo/signing.py) and the works (demo/works.py) use the same names on their records.
ELEVATOR_COMPANY = "蜀通电梯工程有限公司"  # the company login "elevator" belongs to it
SECOND_ELEVATOR_COMPANY = "锦江电梯有限公司"
CONSTRUCTION_COMPANY = "锦城建筑工程有限公司"
ELEVATOR_OF_UNIT = {("1", "1"): ELEVATOR_COMPANY, ("3", "3"): ELEVATOR_COMPANY}

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


class Story:
    """What every chapter shares: the seeded random streams, the clock, the cast and the units."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.plan_rng = random.Random(seed + 1)
        self.today = timezone.localdate()
        # Rows written from here on carry "now" until settle moves them to their own day.
        self.started = timezone.now()
        self.units: dict[tuple[str, str, str], Unit] = {}
        self.users: dict[str, User] = {}
        self.street: Street | None = None

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

    def settle(self, when: datetime) -> None:
        """Date the vote history and stage moves a service has just stamped "now" back to ``when``."""
        voted = VoteChange.objects.filter(changed_at__gte=self.started)
        voted_units = set(voted.values_list("household__unit_id", flat=True))
        voted.update(changed_at=when)
        VoteWeek.store(voted_units)  # their weeks, re-dated with them
        Vote.objects.filter(recorded_at__gte=self.started).update(recorded_at=when)
        changes = StageChange.objects.filter(changed_at__gte=self.started)
        unit_ids = list(changes.values_list("unit_id", flat=True))
        if unit_ids:
            changes.update(changed_at=when)
            Unit.objects.filter(pk__in=unit_ids).update(stage_since=when)
            lifecycle.stages_reached_store(unit_ids)  # their first arrivals, re-dated with them

    # --- the cast and the units -----------------------------------------------------------------

    def unit(self, building: str, number: str, estate: str = PILOT_ESTATE) -> Unit:
        unit = self.units[(estate, building, number)]
        unit.refresh_from_db()
        return unit

    def key(self, unit: Unit) -> tuple[str, str, str]:
        return (unit.building.estate.name, unit.building.number, unit.number)

    def households(self, unit: Unit) -> dict[str, Household]:
        return {h.room: h for h in unit.households.order_by("floor", "room")}

    def staff_of(self, unit: Unit) -> User:
        return self.users["staff"] if unit.building.estate.name == PILOT_ESTATE else self.users["staff2"]

    # --- stages ----------------------------------------------------------------------------------

    def move(self, unit: Unit, after: str, ago: int, reason: str, by: User | None = None, hour: int = 10):
        return lifecycle.unit_move(
            unit=unit, after=after, by=by or self.staff_of(unit), reason=reason, when=self.at(ago, hour)
        )
