"""The works chapter of the demo (demo/works.py) on top of the street's story."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from demo.services import seed_street
from retrofit.models import User
from tests.sqlite_schema.demo import seeded
from units.lifecycle import MACHINE
from units.models import Stage, Unit
from works.models import Company, ConstructionLogEntry
from works.selectors import summarize, with_works_records

ESTATE = "绵纺厂宿舍小区"


def unit(building, number):
    return Unit.objects.get(building__estate__name=ESTATE, building__number=building, number=number)


@pytest.fixture(scope="module")
def street_story(django_db_setup, django_db_blocker):
    """The street's story without its works chapter (the signed units wait in approval), told once for the
    module (on SQLite copied from the day's telling: tests/sqlite_schema/demo.py), in a transaction rolled
    back after it."""

    def tell():
        seed_street()
        return ""

    with django_db_blocker.unblock(), seeded(connection, "street-story", tell):
        yield


@pytest.fixture
def demo(street_story, db):
    """The street's story for one test; what the test writes is rolled back after it."""


def test_the_demo_puts_one_unit_in_upkeep_and_one_in_construction(demo):
    out = StringIO()
    call_command("seed_works_demo", stdout=out)
    in_upkeep, building = unit("1", "1"), unit("3", "3")
    assert (in_upkeep.stage, building.stage) == (Stage.UPKEEP, Stage.CONSTRUCTION)
    history = list(in_upkeep.stage_changes.order_by("changed_at", "id").values_list("after", flat=True))
    assert history.count(Stage.ACCEPTANCE) == 2  # a failed district acceptance sent it back once
    company_user = User.objects.get(username="elevator")
    assert set(Unit.objects.visible_to(company_user)) == {in_upkeep, building}
    fetched = with_works_records(Unit.objects.filter(pk=in_upkeep.pk))
    summary = summarize(fetched, today=timezone.localdate())[in_upkeep.pk]
    assert summary.maintenance_gap.days == 16
    assert summary.inspection_status == "due_soon"
    assert summary.arrears_count > 0 and summary.subsidy is not None
    assert ConstructionLogEntry.objects.filter(photo_version__isnull=False).count() == 4
    # 2栋1单元 keeps collecting its contract signatures.
    assert unit("2", "1").stage == Stage.SIGNING
    again = StringIO()
    call_command("seed_works_demo", stdout=again)
    assert "跳过" in again.getvalue()


def test_the_demo_stops_where_a_guard_refuses_and_writes_nothing(demo, monkeypatch):
    monkeypatch.setitem(MACHINE.guards, "acceptance_passed", lambda unit: ["城市验收未通过"])
    in_upkeep = unit("1", "1")
    with pytest.raises(CommandError) as refused:
        call_command("seed_works_demo", stdout=StringIO())
    assert f"{in_upkeep} cannot move to {Stage.IN_SERVICE}: 城市验收未通过" in str(refused.value)
    assert unit("1", "1").stage == Stage.APPROVAL
    assert not Company.objects.exists() and not User.objects.filter(username="elevator").exists()
