"""Shared builders for the tests: factory-boy factories for the estate, building and unit, and the
helpers every app's tests use to put a unit where they need it (a stage, a plan, a signed plan).

Plain module, imported by the tests and by tests/conftest.py; fixtures live in conftest.py files.
"""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from consultations.models import Vote
from consultations.signals import drop_tallies
from retrofit.models import User
from units import contracts, plans
from units.models import Building, Estate, Household, Stage, Unit
from works import services as works
from works.models import AcceptanceCheck

PASSWORD = "test-pass-123"

# What each persona of the ``world`` fixture (tests/conftest.py) gets on world.unit's pages: its street's
# leader and its community's staff read and write, the unit's leader and the street's viewer only read,
# the other community's staff and the other street's leader do not find it. A saved form redirects (302).
READS_THE_UNIT = {"leader": 200, "staff": 200, "sibling_staff": 404, "unit_leader": 200, "viewer": 200, "outsider": 404}
WRITES_THE_UNIT = {"leader": 302, "staff": 302, "sibling_staff": 404, "unit_leader": 403, "viewer": 403, "outsider": 404}


# --- factories -------------------------------------------------------------------------------------


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate
        django_get_or_create = ("community", "name")

    name = "测试小区"


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ("estate", "number")

    estate = factory.SubFactory(EstateFactory)
    number = "1"
    floors = 6


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = "1"


# --- the helpers built on them ---------------------------------------------------------------------


def make_unit(community, *, estate="测试小区", building="1", unit="1", floors=6):
    building_obj = BuildingFactory(
        estate=EstateFactory(community=community, name=estate), number=building, floors=floors
    )
    return UnitFactory(building=building_obj, number=unit)


def add_flats(unit, votes, *, area="80.00", per_floor=2, owner_prefix="业主"):
    """Flats 101, 102, 201… with the given votes (a list of vote codes), one owner each.

    Written as the roster import writes new flats: in bulk, no signal per row, the unit's stored tally
    dropped once (``drop_tallies``)."""
    households = Household.objects.bulk_create(
        Household(
            unit=unit,
            room=f"{floor + 1}{side + 1:02d}",
            floor=floor + 1,
            area=Decimal(area),
            owner_name=f"{owner_prefix}{index}",
            phone=f"139{index:08d}",
        )
        for index, (floor, side) in enumerate(divmod(index, per_floor) for index in range(len(votes)))
    )
    Vote.objects.bulk_create(
        Vote(household=household, value=vote, version=1) for household, vote in zip(households, votes, strict=True)
    )
    drop_tallies([unit.pk])
    return households


def make_user(username, role, **scope):
    return User.objects.create_user(username, password=PASSWORD, role=role, **scope)


def households(unit):
    """The unit's households, top floor first, as the plan pages list them."""
    return list(Household.objects.filter(unit=unit).order_by("-floor", "room"))


def at_stage(unit, stage):
    """Put a unit in a stage directly, past the guards: for tests about what comes after."""
    Unit.objects.filter(pk=unit.pk).update(stage=stage)
    unit.refresh_from_db()
    return unit


def plan_for(unit, total="600000", base=None, reliefs=None):
    """Save the unit's next plan version (the street's default coefficients, the policy subsidy; the
    current plan's reliefs unless ``reliefs`` is given)."""
    draft = plans.draft_for(unit, households(unit))
    draft.total_cost = Decimal(total)
    if reliefs is not None:
        draft.reliefs = reliefs
    return plans.plan_save(unit=unit, draft=draft, by=None, base_version=base)


def signed_plan_for(unit, total="600000", stage=Stage.APPROVAL):
    """A plan frozen by a contract, with the unit left in ``stage``."""
    plan = plan_for(unit, total)
    at_stage(unit, Stage.SIGNING)
    contracts.contract_start(unit=unit, by=None)
    at_stage(unit, stage)
    plan.refresh_from_db()
    return plan


def shares(plan):
    """Household pk → share, from the stored rows."""
    return {s.household_id: s.amount for s in plan.shares.all()}


def pass_acceptance(unit, on=date(2026, 5, 10)):
    for level in ("supervisory", "district", "city"):
        AcceptanceCheck.objects.create(unit=unit, level=level, result="pass", date=on, inspector="检验员")


def approve(unit, by, *, permit_date=date(2026, 9, 1), notice=date(2026, 9, 5)):
    """The joint review's approval (permit 017) through the works service."""
    return works.approval_save(
        unit=unit, by=by, permit_number="017", permit_date=permit_date, market_notice_date=notice
    )


def build(unit, by, started, completed):
    """A construction record through the works service, with the meter boxes, pipes and ditch all done."""
    return works.construction_save(
        unit=unit,
        by=by,
        started_on=started,
        completed_on=completed,
        meter_boxes=True,
        pipes=True,
        drainage_ditch=True,
    )


def fail_check(unit, by, level, on, inspector, remarks):
    """A failed acceptance check through the works service (in acceptance, it sends the unit back)."""
    return works.acceptance_record(
        unit=unit, by=by, level=level, result="fail", date=on, inspector=inspector, remarks=remarks
    )
