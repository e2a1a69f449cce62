"""The works services: a failed acceptance sends the unit back; money and dates keep their invariants."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import at_stage, fail_check
from units.models import Household, Stage, StageChange
from works import services
from works.models import AcceptanceCheck, Inspection, UtilityCharge

D = date(2026, 10, 10)


def fail(unit, by, level="district", remarks="底坑积水；轿厢照明不足"):
    return fail_check(unit, by, level, D, "区住建局 刘科长", remarks)


@pytest.mark.parametrize("recorder", ["staff", "leader", "company"])
def test_a_failed_level_sends_the_unit_back_to_construction_with_its_defects(works, recorder):
    by = works.users[recorder]
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    fail(unit, by)
    unit.refresh_from_db()
    assert unit.stage == Stage.CONSTRUCTION
    change = StageChange.objects.get(unit=unit)
    assert (change.before, change.after, change.changed_by) == ("acceptance", "construction", by)
    assert "底坑积水；轿厢照明不足" in change.reason
    assert "2026-10-10" in change.reason
    assert AcceptanceCheck.objects.get(unit=unit).result == "fail"


def test_a_failure_outside_acceptance_is_recorded_without_a_move(works):
    unit = at_stage(works.unit, Stage.CONSTRUCTION)
    fail(unit, works.users["staff"], level="supervisory")
    unit.refresh_from_db()
    assert unit.stage == Stage.CONSTRUCTION
    assert not StageChange.objects.exists()
    assert AcceptanceCheck.objects.filter(unit=unit).count() == 1


def test_a_pass_does_not_move_the_unit(works):
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    services.acceptance_record(
        unit=unit, by=works.users["staff"], level="supervisory", result="pass", date=D, inspector="张工"
    )
    unit.refresh_from_db()
    assert unit.stage == Stage.ACCEPTANCE


def test_a_failure_must_list_its_defects(works):
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    with pytest.raises(ValidationError) as error:
        fail(unit, works.users["staff"], remarks="  ")
    assert "remarks" in error.value.message_dict
    unit.refresh_from_db()
    assert unit.stage == Stage.ACCEPTANCE
    assert not AcceptanceCheck.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        AcceptanceCheck.objects.create(unit=unit, level="city", result="fail", date=D, inspector="x")


def test_the_subsidy_is_paid_only_after_acceptance(works):
    unit, staff = works.unit, works.users["staff"]
    with pytest.raises(ValidationError):
        services.subsidy_record(unit=unit, by=staff, paid_on=D)
    for level in ("supervisory", "district", "city"):
        AcceptanceCheck.objects.create(unit=unit, level=level, result="pass", date=D, inspector="张工")
    subsidy = services.subsidy_record(unit=unit, by=staff, paid_on=D, amount=Decimal("200000.00"))
    assert (subsidy.paid_on, subsidy.amount, subsidy.recorded_by) == (D, Decimal("200000.00"), staff)


def test_registration_names_a_leader_of_this_unit_or_a_user_unit(works):
    staff = works.users["staff"]
    with pytest.raises(ValidationError):
        services.registration_save(
            unit=works.unit, by=staff, number="梯11", registered_on=D, leader=works.users["viewer"]
        )
    with pytest.raises(ValidationError):
        services.registration_save(unit=works.unit, by=staff, number="梯11", registered_on=D)
    registration = services.registration_save(
        unit=works.unit, by=staff, number=" 梯11 ", registered_on=D, leader=works.users["unit_leader"]
    )
    assert registration.number == "梯11"


def test_charges_for_every_household_skip_those_already_charged(works):
    unit, leader = works.unit, works.users["unit_leader"]
    first = works.flats[0]
    services.charges_add(
        unit=unit, by=leader, period="2026-10", kind="electricity", amount=Decimal("9.00"), household=first
    )
    created, skipped = services.charges_add(
        unit=unit, by=leader, period="2026-10", kind="electricity", amount=Decimal("9.00")
    )
    assert (len(created), skipped) == (len(works.flats) - 1, 1)
    assert UtilityCharge.objects.filter(unit=unit, period="2026-10").count() == len(works.flats)
    # Another kind for the same period is a separate charge.
    created, skipped = services.charges_add(
        unit=unit, by=leader, period="2026-10", kind="repair_fund", amount=Decimal("5.00")
    )
    assert (len(created), skipped) == (len(works.flats), 0)


def test_a_household_of_another_unit_cannot_be_charged(works):
    other = Household.objects.filter(unit=works.sibling_unit).first()
    with pytest.raises(ValidationError):
        services.charges_add(
            unit=works.unit,
            by=works.users["staff"],
            period="2026-10",
            kind="electricity",
            amount=Decimal("9"),
            household=other,
        )


def test_a_charge_is_paid_once_and_arrears_are_the_unpaid(works):
    unit, leader = works.unit, works.users["unit_leader"]
    created, _ = services.charges_add(
        unit=unit, by=leader, period="2026-10", kind="electricity", amount=Decimal("9.00")
    )
    services.charge_mark_paid(charge=created[0], by=leader, paid_on=D)
    with pytest.raises(ValidationError):
        services.charge_mark_paid(charge=created[0], by=leader, paid_on=D)
    paid = UtilityCharge.objects.get(pk=created[0].pk)
    assert (paid.paid_on, paid.paid_recorded_by, paid.recorded_by) == (D, leader, leader)
    assert UtilityCharge.objects.filter(unit=unit, paid_on__isnull=True).count() == len(works.flats) - 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("period", "2026-13"), ("period", "2026-1"), ("amount", Decimal("0")), ("amount", Decimal("-1"))],
)
def test_the_database_refuses_bad_charges(works, field, value):
    values = {"period": "2026-10", "amount": Decimal("9.00"), field: value}
    with pytest.raises(IntegrityError), transaction.atomic():
        UtilityCharge.objects.create(unit=works.unit, household=works.flats[0], kind="electricity", **values)


def test_the_database_refuses_an_inspection_due_before_it_happened(works):
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(unit=works.unit, date=D, result="pass", next_due=D)


def test_the_log_service_checks_the_photo_bytes_itself(works, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        services.log_entry_add(
            unit=works.unit,
            by=works.users["staff"],
            date=D,
            text="x",
            photo=ContentFile(b"GIF89a....", name="a.png"),
        )
    assert not list(tmp_path.rglob("*.*"))


def test_company_users_and_assignments_keep_their_invariants(works):
    from retrofit.models import Role, User
    from works.models import Assignment

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("nocompany", role=Role.COMPANY)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("staffco", role=Role.VIEWER, company=works.elevator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(unit=works.unit, company=works.elevator, kind="construction")
