"""The works demo on top of seed_demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from retrofit.models import User
from units.lifecycle import MACHINE
from units.models import Stage, Unit
from works.models import ConstructionLogEntry
from works.selectors import summarize, with_works_records

ESTATE = "绵纺厂宿舍小区"


def unit(building, number):
    return Unit.objects.get(building__estate__name=ESTATE, building__number=building, number=number)


@pytest.fixture
def demo(demo_street):
    return demo_street


def test_the_demo_puts_one_unit_in_upkeep_and_one_in_construction(demo, monkeypatch):
    # The notice and contract demos belong to other apps: let their guards pass, as if seeded.
    monkeypatch.setitem(MACHINE.guards, "notice_over", lambda unit: [])
    monkeypatch.setitem(MACHINE.guards, "contract_complete", lambda unit: [])
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


def test_the_demo_stops_where_a_guard_of_another_app_refuses(demo):
    out = StringIO()
    call_command("seed_works_demo", stdout=out)
    if "停在" not in out.getvalue():
        pytest.skip("the other apps' guards pass on the demo data now")
    in_upkeep = unit("1", "1")
    assert in_upkeep.stage not in (Stage.IN_SERVICE, Stage.UPKEEP)
    assert in_upkeep.registration.number  # the records are written all the same
