"""Named personas and a small street, reused by every permission and page test."""

from decimal import Decimal

import pytest

from consultations.models import Vote, VoteChange
from retrofit.models import Role, User
from units.models import Building, Community, Estate, Household, Street, Unit

PASSWORD = "test-pass-123"


def make_unit(community, *, estate="测试小区", building="1", unit="1", floors=6):
    estate_obj, _ = Estate.objects.get_or_create(community=community, name=estate)
    building_obj, _ = Building.objects.get_or_create(estate=estate_obj, number=building, defaults={"floors": floors})
    return Unit.objects.create(building=building_obj, number=unit)


def add_flats(unit, votes, *, area="80.00", per_floor=2, owner_prefix="业主"):
    """Flats 101, 102, 201… with the given votes (a list of vote codes), one owner each."""
    households = []
    for index, vote in enumerate(votes):
        floor, side = divmod(index, per_floor)
        household = Household.objects.create(
            unit=unit,
            room=f"{floor + 1}{side + 1:02d}",
            floor=floor + 1,
            area=Decimal(area),
            owner_name=f"{owner_prefix}{index}",
            phone=f"139{index:08d}",
        )
        Vote.objects.create(household=household, value=vote, version=1)
        households.append(household)
    return households


def make_user(username, role, **scope):
    return User.objects.create_user(username, password=PASSWORD, role=role, **scope)


@pytest.fixture
def world(db):
    """Two streets; street A has two communities, each with a unit. Personas for every role."""
    street = Street.objects.create(name="红旗街道")
    other_street = Street.objects.create(name="东风街道")
    community = Community.objects.create(street=street, name="绵纺社区")
    sibling = Community.objects.create(street=street, name="光华社区")
    far = Community.objects.create(street=other_street, name="东风社区")
    unit = make_unit(community, estate="绵纺厂宿舍小区")
    sibling_unit = make_unit(sibling, estate="光华小区")
    far_unit = make_unit(far, estate="东风小区")
    flats = add_flats(unit, ["agree"] * 8 + ["oppose", "undecided", "undecided", "abstain"])
    add_flats(sibling_unit, ["agree"] * 6)
    add_flats(far_unit, ["agree"] * 6)
    unit_leader = make_user("unitlead", Role.UNIT_LEADER)
    unit.leaders.add(unit_leader)
    users = {
        "leader": make_user("leader", Role.STREET_LEADER, street=street),
        "staff": make_user("staff", Role.COMMUNITY_STAFF, community=community),
        "sibling_staff": make_user("staff2", Role.COMMUNITY_STAFF, community=sibling),
        "unit_leader": unit_leader,
        "viewer": make_user("viewer", Role.VIEWER, street=street),
        "outsider": make_user("outsider", Role.STREET_LEADER, street=other_street),
    }

    class World:
        pass

    w = World()
    w.street, w.other_street = street, other_street
    w.community, w.sibling, w.far = community, sibling, far
    w.unit, w.sibling_unit, w.far_unit = unit, sibling_unit, far_unit
    w.estate = unit.building.estate
    w.flats = flats
    w.users = users
    return w


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


__all__ = ["Vote", "VoteChange", "make_unit", "add_flats", "make_user", "PASSWORD"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 costs ~0.3 s a user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
