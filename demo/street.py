"""Places and people: 锦江区 and in it 红旗街道 with its two communities, the pilot estate 绵纺厂宿舍小区 and 光华小区,
their buildings and units, and every flat's owner, occupancy and age."""

from __future__ import annotations

from decimal import Decimal

from units.models import (
    AgeBand,
    Building,
    Community,
    District,
    Estate,
    Household,
    Occupancy,
    Stage,
    Street,
    SubsidyKind,
    Unit,
)

from .accounts import create_users
from .story import (
    DISTRICT,
    GUANGHUA_SURVEY,
    LAUNCH,
    LAYOUT,
    OTHER_ESTATE,
    PILOT_ESTATE,
    STREET,
    SURVEY,
    VOTES,
    Story,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "建国秀英桂兰志强国华玉兰明德淑珍文华丽娟德明凤英海燕红梅春生小军国平玉珍俊杰晓燕子涵欣怡浩然"


def build_places(story: Story) -> None:
    """The district and its street, the street's communities and estates, the logins, and every unit with
    its households."""
    district = District.objects.create(name=DISTRICT)
    street = Street.objects.create(
        name=STREET,
        district=district,
        subsidy_kind=SubsidyKind.PERCENT,
        subsidy_percent=Decimal("40"),
        subsidy_cap=Decimal("280000"),
        default_coefficients="1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5",
    )
    story.street = street
    mill = Community.objects.create(street=street, name="绵纺社区")
    guanghua = Community.objects.create(street=street, name="光华社区")
    estates = {
        PILOT_ESTATE: Estate.objects.create(
            community=mill,
            name=PILOT_ESTATE,
            is_pilot=True,
            pilot_start=story.day(LAUNCH),
            description="原绵纺厂职工宿舍和家属区，已完成老旧小区改造，具备加装电梯条件。"
            "1栋1单元为样板单元，已交付使用一年。",
        ),
        OTHER_ESTATE: Estate.objects.create(community=guanghua, name=OTHER_ESTATE),
    }
    story.users = create_users(district, street, mill, guanghua)
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
                stage_since=story.at(surveyed, 9),
            )
            story.units[key] = unit
            _households(story, unit, layout.estate == PILOT_ESTATE)
    story.units[(PILOT_ESTATE, "1", "1")].leaders.add(story.users["unitlead"])


def random_flat(
    rng, unit_id: int, floor: int, side: int, name: str, phone: str, occupancy: str, age: str, *,
    hundredths: tuple[int, int], hardship: float,
) -> Household:
    """A flat not yet saved: its area drawn from ``hundredths`` of a square metre, and a
    ``hardship`` chance of a household in hardship (drawn in that order, so that a seed gives the same street)."""
    return Household(
        unit_id=unit_id,
        room=f"{floor}{side:02d}",
        floor=floor,
        area=Decimal(rng.randrange(*hundredths)) / 100,
        owner_name=name,
        phone=phone,
        occupancy=occupancy,
        hardship=rng.random() < hardship,
        age_band=age,
    )


def _households(story: Story, unit: Unit, pilot: bool) -> None:
    rng = story.rng
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
            flat = random_flat(
                rng, unit.pk, floor, side, name, phone, occupancy, age, hundredths=(5200, 9800), hardship=0.06
            )
            if pilot and high and rng.random() < 0.3:
                flat.note = "老厂职工"
            flats.append(flat)
    script = VOTES[story.key(unit)]
    if script.shared and shared_owner:
        last = flats[-1]  # 602 (or 702): one owner with two flats counts once by headcount
        if last.room.endswith("02") and last.floor >= 6:
            last.owner_name, last.phone = shared_owner
    Household.objects.bulk_create(flats)
