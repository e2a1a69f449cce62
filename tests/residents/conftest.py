from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Meeting, MeetingKind, Vote
from residents import services
from tests.factories import make_unit
from units.models import Household

# Every value here is unusual enough that finding it in a page can only mean it leaked.
PEOPLE = [
    # name, phone, room, floor, area, vote, reason
    ("欧阳明华", "13912345678", "东-601", 6, "83.17", "agree", ""),
    ("司马青云", "13800001111", "西-602", 6, "91.23", "oppose", "担心噪音影响休息"),
    ("诸葛文静", "13722223333", "东-501", 5, "77.41", "abstain", "再考虑一下"),
    ("上官雨桐", "", "西-502", 5, "69.58", "undecided", ""),
    ("慕容晓峰", "13655554444", "东-401", 4, "86.39", "unreachable", ""),
    ("东方子墨", "13566667777", "西-402", 4, "72.06", "agree", ""),
    ("皇甫嘉怡", "13488889999", "东-301", 3, "64.52", "agree", ""),
    ("令狐一帆", "13311112222", "西-302", 3, "93.84", "agree", ""),
]


@pytest.fixture
def stairwell(world):
    """A unit in consultation whose households' data must never reach its public page."""
    unit = make_unit(world.community, estate="锦江花园", building="8", unit="2")
    unit.stage = "consultation"
    unit.save()
    households = []
    for name, phone, room, floor, area, vote, reason in PEOPLE:
        household = Household.objects.create(
            unit=unit, room=room, floor=floor, area=area, owner_name=name, phone=phone, hardship=room == "西-302"
        )
        Vote.objects.create(household=household, value=vote, reason=reason, version=1)
        households.append(household)
    unit.refresh_from_db()
    unit.households_list = households
    return unit


@pytest.fixture
def link(stairwell, world):
    return services.public_link_issue(unit=stairwell, by=world.users["staff"])


@pytest.fixture
def yard_meeting(world, stairwell):
    meeting = Meeting.objects.create(
        street=world.street, community=world.community, kind=MeetingKind.YARD,
        held_on=timezone.localdate() + timedelta(days=3), place="8栋楼下空地", attendees="司马青云、欧阳明华",
        minutes="欧阳明华说同意", created_by=world.users["staff"], created_at=timezone.now(),
    )
    meeting.units.add(stairwell)
    return meeting
