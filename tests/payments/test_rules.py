"""The account arithmetic (payments/rules.py): exact to the fen, reversals counted with their target."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import rules
from payments.rules import Account, Line, Totals

D = Decimal


def test_payments_refunds_and_reversals_by_fund():
    account = Account.of(
        D("10000.00"),
        [
            Line("own", "payment", D("6000.00")),
            Line("provident_fund", "payment", D("3000.00")),
            Line("own", "payment", D("-1000.00")),  # a reversed payment of 1000
            Line("own", "refund", D("-500.00")),
            Line("own", "refund", D("200.00")),  # a reversed refund of 200
        ],
        signed=True,
    )
    assert account.paid == D("8000.00")
    assert account.refunded == D("300.00")
    assert account.net == D("7700.00")
    assert account.net_in("own") == D("4700.00")
    assert account.net_in("provident_fund") == D("3000.00")
    assert account.funds_used == ["own", "provident_fund"]
    assert account.balance == account.outstanding == D("2300.00")
    assert account.refund_owed == 0 and not account.settled


def test_overpaid_after_the_share_went_down_shows_the_refund_owed():
    account = Account.of(D("4644.00"), [Line("own", "payment", D("5000.00"))], signed=True)
    assert account.outstanding == 0
    assert account.refund_owed == D("356.00")
    assert Account.of(D("4644.00"), [Line("own", "payment", D("4644.00"))], signed=True).settled


def test_a_household_without_a_plan_owes_nothing_yet():
    account = Account.of(None, [], signed=True)
    assert account.due is None and account.balance == 0 and not account.settled


def test_before_signing_a_share_is_expected_not_owed():
    draft = Account.of(D("1000.00"), [Line("own", "payment", D("400.00"))], signed=False)
    assert draft.outstanding == 0 and draft.expected_unpaid == draft.unpaid == D("600.00")
    # a payment in advance may still bring the share in, and no more
    assert rules.payment_problems(draft, D("600.00")) == []
    assert rules.payment_problems(draft, D("600.01")) == [rules.MORE_THAN_OWED]
    totals = Totals.of([draft, Account.of(D("500.00"), [], signed=False)])
    assert (totals.outstanding, totals.households_owing) == (0, 0)
    assert (totals.expected_unpaid, totals.households_expected) == (D("1100.00"), 2)
    signed = Account.of(D("1000.00"), [Line("own", "payment", D("400.00"))], signed=True)
    assert signed.outstanding == D("600.00") and signed.expected_unpaid == 0


def test_checks_on_new_entries():
    account = Account.of(D("1000.00"), [Line("own", "payment", D("400.00"))], signed=True)
    assert rules.payment_problems(account, D("600.00")) == []
    assert rules.payment_problems(account, D("600.01")) == [rules.MORE_THAN_OWED]
    assert rules.payment_problems(account, D("0.001")) == [rules.NOT_MONEY]
    assert rules.payment_problems(account, D("0")) == [rules.NOT_MONEY]
    assert rules.payment_problems(Account.of(None, [], signed=True), D("1.00")) == [rules.NO_PLAN]
    over = Account.of(D("300.00"), [Line("own", "payment", D("400.00"))], signed=True)
    assert rules.refund_problems(over, D("100.00"), "own") == []
    assert rules.refund_problems(over, D("100.01"), "own") == [rules.REFUND_MORE_THAN_OWED]
    assert rules.refund_problems(over, D("50.00"), "repair_fund") == [rules.REFUND_MORE_THAN_FUND]
    refunded = Account.of(D("300.00"), [Line("own", "payment", D("400.00")), Line("own", "refund", D("-100.00"))], signed=True)
    assert rules.reversal_problems(refunded, D("400.00"), "own") == [rules.REVERSAL_OVERDRAWS]
    assert rules.reversal_problems(refunded, D("-100.00"), "own") == []


money = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)


# Generating exact decimals is slow on a busy machine: no deadline, no "too slow" health check (as tests/test_phones.py).
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(money, st.lists(money, max_size=4), st.booleans()), min_size=1, max_size=12))
def test_totals_add_up_to_the_fen(households):
    accounts = [
        Account.of(due, [Line("own", "payment", p) for p in paid], signed=signed) for due, paid, signed in households
    ]
    totals = Totals.of(accounts)
    assert totals.due == sum((due for due, _, _ in households), D("0"))
    assert totals.collected == sum((sum(paid, D("0")) for _, paid, _ in households), D("0"))
    # what is still owed (or expected) minus what is owed back is exactly what is due minus what came in
    assert totals.outstanding + totals.expected_unpaid - totals.refund_owed == totals.due - totals.collected
    # arrears only on signed plans
    assert totals.outstanding == sum((a.outstanding for a in accounts if a.signed), D("0"))
    assert all(not a.outstanding for a in accounts if not a.signed)
    assert all(a.outstanding.as_tuple().exponent >= -2 for a in accounts)
