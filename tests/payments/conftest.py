import pytest

from retrofit.models import Role
from tests.conftest import make_user
from works.models import Assignment, Company, CompanyKind


@pytest.fixture
def company_user(world):
    """A company assigned to world.unit: it sees the unit's works, never its money."""
    company = Company.objects.create(name="蜀通电梯", kind=CompanyKind.ELEVATOR)
    Assignment.objects.create(unit=world.unit, company=company, kind=CompanyKind.ELEVATOR)
    return make_user("elevator", Role.COMPANY, company=company)
