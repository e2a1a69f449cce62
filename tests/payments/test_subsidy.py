"""The subsidy application (works.Subsidy, extended): applied, approved, then paid after acceptance."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import pass_acceptance, signed_plan_for
from units.models import Stage
from works import services
from works.models import Subsidy, SubsidyStatus

pytestmark = pytest.mark.django_db
D = Decimal


def test_application_approval_then_payment(world):
    staff = world.users["staff"]
    signed_plan_for(world.unit, stage=Stage.CONSTRUCTION)
    subsidy = services.subsidy_application_save(
        unit=world.unit, by=staff, applied_on=date(2026, 3, 1), amount_applied=D("240000.00")
    )
    assert subsidy.status == SubsidyStatus.APPLIED and subsidy.paid_on is None
    with pytest.raises(ValidationError):
        services.subsidy_application_save(
            unit=world.unit, by=staff, applied_on=date(2026, 3, 1), amount_applied=D("240000.00"),
            approved_on=date(2026, 2, 28), amount_approved=D("200000.00"),
        )
    with pytest.raises(ValidationError):  # an approval has a date and an amount
        services.subsidy_application_save(
            unit=world.unit, by=staff, applied_on=date(2026, 3, 1), amount_applied=D("240000.00"),
            approved_on=date(2026, 4, 1),
        )
    subsidy = services.subsidy_application_save(
        unit=world.unit, by=staff, applied_on=date(2026, 3, 1), amount_applied=D("240000.00"),
        approved_on=date(2026, 4, 1), amount_approved=D("200000.00"),
    )
    assert subsidy.status == SubsidyStatus.APPROVED
    with pytest.raises(ValidationError):  # paid only after acceptance
        services.subsidy_record(unit=world.unit, by=staff, paid_on=date(2026, 5, 1), amount=D("200000.00"))
    pass_acceptance(world.unit, on=date(2026, 5, 10))
    subsidy = services.subsidy_record(unit=world.unit, by=staff, paid_on=date(2026, 5, 20), amount=D("200000.00"))
    assert subsidy.status == SubsidyStatus.PAID
    assert (subsidy.applied_on, subsidy.amount_approved) == (date(2026, 3, 1), D("200000.00"))  # kept


def test_the_database_keeps_an_approval_after_its_application(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Subsidy.objects.create(unit=world.unit, approved_on=date(2026, 4, 1), amount_approved=D("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Subsidy.objects.create(unit=world.unit)  # neither applied nor paid


@pytest.mark.parametrize("role, status", [("staff", 302), ("viewer", 403), ("unit_leader", 403), ("outsider", 404)])
def test_who_records_the_application(client, world, role, status):
    client.force_login(world.users[role])
    response = client.post(
        reverse("works_subsidy_application", args=[world.unit.pk]),
        {"applied_on": "2026-03-01", "amount_applied": "240000.00", "approved_on": "", "amount_approved": ""},
    )
    assert response.status_code == status
    assert Subsidy.objects.filter(unit=world.unit).exists() == (status == 302)


def test_the_form_refuses_a_future_date_and_a_half_approval(client, world):
    client.force_login(world.users["staff"])
    url = reverse("works_subsidy_application", args=[world.unit.pk])
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"applied_on": future, "amount_applied": "1.00"})
    assert response.status_code == 422 and response.context["subsidy_application_form"].errors["applied_on"]
    response = client.post(url, {"applied_on": "2026-03-01", "amount_applied": "1.00", "approved_on": "2026-04-01"})
    assert response.context["subsidy_application_form"].non_field_errors()
    assert not Subsidy.objects.exists()


def test_the_payments_page_shows_the_subsidy_status(client, world):
    services.subsidy_application_save(
        unit=world.unit, by=world.users["staff"], applied_on=date(2026, 3, 1), amount_applied=D("240000.00")
    )
    client.force_login(world.users["viewer"])
    response = client.get(reverse("unit_payments", args=[world.unit.pk]))
    assert response.context["money"].subsidy.status == SubsidyStatus.APPLIED
    assert "240,000.00" in response.content.decode()
