"""Payments, refunds and reversals (payments/services.py): exact, append-only, and within the rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from payments import selectors, services
from payments.models import Fund, Kind, LedgerEntry, Method
from tests.factories import at_stage, pass_acceptance, plan_for, shares, signed_plan_for
from units.models import Stage

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 6, 1)


def pay(household, amount, receipt, *, by, fund=Fund.OWN, method=Method.BANK, on=TODAY):
    return services.payment_record(
        household=household, amount=D(amount), on=on, method=method, fund=fund, receipt_no=receipt, by=by, today=TODAY
    )


def top_flat(world):
    return world.flats[-1]  # 602: the largest share


def test_due_is_the_signed_share_and_balances_add_up(world):
    staff = world.users["staff"]
    plan = signed_plan_for(world.unit)
    flat = top_flat(world)
    due = shares(plan)[flat.pk]
    pay(flat, "1000.00", "R-1", by=staff)
    pay(flat, due - D("1000.00"), "R-2", by=staff)
    money = selectors.unit_money(world.unit)
    row = next(r for r in money.rows if r.household == flat)
    assert row.account.due == due and row.account.settled
    assert money.totals.due == plan.net_cost
    assert money.totals.collected == due
    assert money.totals.outstanding == plan.net_cost - due
    assert money.signed


def test_a_payment_above_what_is_owed_is_refused(world):
    plan = signed_plan_for(world.unit)
    flat = top_flat(world)
    with pytest.raises(ValidationError) as error:
        pay(flat, shares(plan)[flat.pk] + D("0.01"), "R-1", by=world.users["staff"])
    assert "amount" in error.value.error_dict
    assert not LedgerEntry.objects.exists()


def test_no_plan_no_payment(world):
    with pytest.raises(ValidationError):
        pay(top_flat(world), "10.00", "R-1", by=world.users["staff"])


def test_receipt_numbers_are_unique_within_a_unit_even_after_a_reversal(world):
    staff = world.users["staff"]
    signed_plan_for(world.unit)
    signed_plan_for(world.sibling_unit)
    entry = pay(world.flats[-1], "100.00", "R-7", by=staff)
    services.entry_reverse(entry=entry, reason="金额录错", by=staff)
    with pytest.raises(ValidationError) as error:
        pay(world.flats[-2], "100.00", "R-7", by=staff)
    assert "receipt_no" in error.value.error_dict
    sibling_flat = world.sibling_unit.households.order_by("-floor").first()
    pay(sibling_flat, "100.00", "R-7", by=world.users["leader"])  # another unit: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            unit=world.unit, household=world.flats[-2], kind=Kind.PAYMENT, amount=D("1.00"), on=TODAY,
            method=Method.CASH, fund=Fund.OWN, receipt_no="R-7", recorded_by=staff, recorded_at=timezone.now(),
        )


def test_provident_fund_only_after_acceptance_and_not_dated_before_it(world):
    staff = world.users["staff"]
    signed_plan_for(world.unit, stage=Stage.ACCEPTANCE)
    flat = top_flat(world)
    with pytest.raises(ValidationError) as error:
        pay(flat, "100.00", "P-1", by=staff, fund=Fund.PROVIDENT, method=Method.PROVIDENT)
    assert "fund" in error.value.error_dict
    pass_acceptance(world.unit, on=date(2026, 5, 10))
    with pytest.raises(ValidationError) as error:
        pay(flat, "100.00", "P-1", by=staff, fund=Fund.PROVIDENT, method=Method.PROVIDENT, on=date(2026, 5, 9))
    assert "on" in error.value.error_dict
    entry = pay(flat, "100.00", "P-1", by=staff, fund=Fund.PROVIDENT, method=Method.PROVIDENT, on=date(2026, 5, 10))
    assert entry.fund == Fund.PROVIDENT
    # provident fund money comes by a provident fund transfer, and nothing else does
    with pytest.raises(ValidationError):
        pay(flat, "100.00", "P-2", by=staff, fund=Fund.PROVIDENT, method=Method.CASH)
    with pytest.raises(ValidationError):
        pay(flat, "100.00", "P-3", by=staff, fund=Fund.OWN, method=Method.PROVIDENT)


def test_a_date_in_the_future_is_refused(world):
    signed_plan_for(world.unit)
    with pytest.raises(ValidationError):
        pay(top_flat(world), "1.00", "R-1", by=world.users["staff"], on=TODAY + timedelta(days=1))


def test_a_lower_share_in_a_new_plan_shows_a_refund_owed_and_the_refund_clears_it(world):
    staff = world.users["staff"]
    first = plan_for(world.unit, total="600000")
    flat = top_flat(world)
    paid = shares(first)[flat.pk]
    pay(flat, paid, "R-1", by=staff)
    second = plan_for(world.unit, total="500000", base=first.version)
    lower = shares(second)[flat.pk]
    assert lower < paid
    account = selectors.household_account(flat)
    assert account.refund_owed == paid - lower and account.outstanding == 0
    with pytest.raises(ValidationError):
        services.refund_record(household=flat, amount=paid - lower + D("0.01"), on=TODAY, method=Method.BANK, by=staff, today=TODAY)
    services.refund_record(household=flat, amount=paid - lower, on=TODAY, method=Method.BANK, by=staff, today=TODAY)
    account = selectors.household_account(flat)
    assert account.settled and account.refunded == paid - lower
    assert LedgerEntry.objects.get(kind=Kind.REFUND).amount == -(paid - lower)


def test_a_withdrawn_unit_owes_nothing_and_everything_paid_is_refundable(world):
    signed_plan_for(world.unit)
    flat = top_flat(world)
    pay(flat, "1234.56", "R-1", by=world.users["staff"])
    at_stage(world.unit, Stage.WITHDRAWN)
    flat.unit.refresh_from_db()
    account = selectors.household_account(flat)
    assert account.due == 0 and account.refund_owed == D("1234.56")
    assert selectors.unit_money(world.unit).net_cost == 0


def test_reversal_cancels_exactly_once_and_the_ledger_is_never_updated(world):
    staff = world.users["staff"]
    signed_plan_for(world.unit)
    flat = top_flat(world)
    entry = pay(flat, "500.00", "R-1", by=staff)
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=entry, reason="  ", by=staff)
    reversal = services.entry_reverse(entry=entry, reason="重复录入", by=staff)
    assert (reversal.kind, reversal.amount, reversal.reverses_id, reversal.fund) == (Kind.REVERSAL, D("-500.00"), entry.pk, entry.fund)
    assert selectors.household_account(flat).net == 0
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=entry, reason="again", by=staff)
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=reversal, reason="undo", by=staff)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("5.00"))
    assert LedgerEntry.objects.count() == 2


def test_a_payment_cannot_be_reversed_below_what_was_refunded_from_it(world):
    staff = world.users["staff"]
    first = plan_for(world.unit, total="600000")
    flat = top_flat(world)
    entry = pay(flat, shares(first)[flat.pk], "R-1", by=staff)
    plan_for(world.unit, total="500000", base=first.version)
    owed = selectors.household_account(flat).refund_owed
    services.refund_record(household=flat, amount=owed, on=TODAY, method=Method.BANK, by=staff, today=TODAY)
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=entry, reason="wrong", by=staff)
