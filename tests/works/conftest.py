"""Companies and company users on top of the shared ``world``.

The elevator company works on world.unit (红旗街道 · 绵纺社区); the builder only on world.far_unit
in the other street, so its user is the "other company" of every permission test.
"""

import pytest

from retrofit.models import Role
from tests.factories import make_user
from works.models import Assignment, Company, CompanyKind


@pytest.fixture
def works(world):
    elevator = Company.objects.create(name="蜀通电梯", kind=CompanyKind.ELEVATOR, street=world.street)
    builder = Company.objects.create(name="锦城建设", kind=CompanyKind.CONSTRUCTION)
    Assignment.objects.create(unit=world.unit, company=elevator, kind=CompanyKind.ELEVATOR)
    Assignment.objects.create(unit=world.far_unit, company=builder, kind=CompanyKind.CONSTRUCTION)
    world.elevator, world.builder = elevator, builder
    world.users["company"] = make_user("elevator", Role.COMPANY, company=elevator)
    world.users["other_company"] = make_user("builder", Role.COMPANY, company=builder)
    return world
