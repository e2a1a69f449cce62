"""The works reasons on the attention list: maintenance, inspection, failed acceptance."""

from datetime import date, timedelta

from django.utils import timezone

from retrofit.attention import attention_for
from tests.factories import at_stage, fail_check
from units.models import Stage, Unit
from works.models import AcceptanceCheck, Inspection, MaintenanceVisit, Registration


def kinds(units, today):
    return sorted((a.unit_id, a.kind) for a in attention_for(units, today) if a.kind != "stalled")


def test_maintenance_and_inspection_warnings_around_their_boundaries(works):
    today = timezone.localdate()
    unit = at_stage(works.unit, Stage.UPKEEP)
    Registration.objects.create(
        unit=unit, number="梯11", registered_on=today - timedelta(days=15), user_unit="业主"
    )
    units = Unit.objects.all()
    assert kinds(units, today) == []  # 15 days since registration, no visit yet: still fine
    Registration.objects.filter(unit=unit).update(registered_on=today - timedelta(days=16))
    assert kinds(units, today) == [(unit.pk, "maintenance_overdue")]
    MaintenanceVisit.objects.create(unit=unit, date=today - timedelta(days=15))
    assert kinds(units, today) == []
    Inspection.objects.create(
        unit=unit, date=today - timedelta(days=300), result="pass", next_due=today + timedelta(days=31)
    )
    assert kinds(units, today) == []
    Inspection.objects.create(
        unit=unit, date=today - timedelta(days=200), result="pass", next_due=today + timedelta(days=30)
    )
    item = [a for a in attention_for(units, today) if a.kind == "inspection_due"][0]
    assert (item.unit_id, item.due) == (unit.pk, today + timedelta(days=30))


def test_a_failed_level_is_listed_until_it_passes(works):
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    fail_check(unit, works.users["staff"], "district", date(2026, 10, 1), "区住建局", "底坑积水")
    units = Unit.objects.all()
    items = [a for a in attention_for(units, date(2026, 10, 2)) if a.kind == "acceptance_failed"]
    assert [(a.unit_id, "底坑积水" in a.detail) for a in items] == [(unit.pk, True)]
    AcceptanceCheck.objects.create(
        unit=unit, level="district", result="pass", date=date(2026, 10, 9), inspector="x"
    )
    assert kinds(units, date(2026, 10, 10)) == []


def test_the_works_source_costs_two_queries_for_any_number_of_units(works, django_assert_num_queries):
    from works.attention import works_attention

    for unit in (works.unit, works.sibling_unit, works.far_unit):
        at_stage(unit, Stage.UPKEEP)
        Registration.objects.create(
            unit=unit, number=f"梯{unit.pk}", registered_on=date(2026, 1, 1), user_unit="业主"
        )
    with django_assert_num_queries(2):
        items = works_attention(Unit.objects.all(), date(2026, 10, 1))
    assert len(items) == 3
