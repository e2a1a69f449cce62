"""The arithmetic of a household's account, exact to the fen. No Django here.

* due: the household's share in the unit's plan (the signed one once the contract is made; 0 once
  the unit is withdrawn). Before the plan is signed (no contract yet) the share is only expected
  (预计分摊): what it still lacks is ``expected_unpaid``, never arrears;
* paid: payments in, less reversed payments, by fund (own money, provident fund, repair fund);
* refunded: refunds out, less reversed refunds, by fund;
* net = paid − refunded; balance = due − net. A positive balance on a signed plan is still owed
  (arrears, ``outstanding``); on a draft plan it is only expected. A negative one is owed back to the
  household (after a plan lowered its share, or the unit was withdrawn), signed or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
FUNDS = ("own", "provident_fund", "repair_fund")
PAYMENT, REFUND, REVERSAL = "payment", "refund", "reversal"


def is_money(value: Decimal) -> bool:
    """A positive amount in yuan with at most two decimals."""
    return isinstance(value, Decimal) and value.is_finite() and value > 0 and value == value.quantize(CENT)


@dataclass(frozen=True)
class Line:
    """One sum of the ledger: ``family`` is payment or refund (a reversal counts in its target's)."""

    fund: str
    family: str
    amount: Decimal  # signed, as stored


@dataclass
class Account:
    due: Decimal | None  # None: the unit has no plan yet
    # True: ``due`` is the share of the signed plan (a debt); False: of a draft plan (an expected share).
    signed: bool
    paid_by_fund: dict[str, Decimal] = field(default_factory=dict)
    refunded_by_fund: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def of(cls, due: Decimal | None, lines: Iterable[Line], *, signed: bool) -> Account:
        account = cls(due=due, signed=signed)
        for line in lines:
            if line.family == PAYMENT:
                account.paid_by_fund[line.fund] = account.paid_by_fund.get(line.fund, ZERO) + line.amount
            else:
                account.refunded_by_fund[line.fund] = account.refunded_by_fund.get(line.fund, ZERO) - line.amount
        return account

    @property
    def paid(self) -> Decimal:
        return sum(self.paid_by_fund.values(), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum(self.refunded_by_fund.values(), ZERO)

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunded

    def net_in(self, fund: str) -> Decimal:
        return self.paid_by_fund.get(fund, ZERO) - self.refunded_by_fund.get(fund, ZERO)

    @property
    def funds_used(self) -> list[str]:
        return [fund for fund in FUNDS if self.net_in(fund) != 0]

    @property
    def balance(self) -> Decimal:
        return (self.due or ZERO) - self.net

    @property
    def unpaid(self) -> Decimal:
        """What the share still lacks, signed or not: the most a payment may bring in."""
        return max(self.balance, ZERO)

    @property
    def outstanding(self) -> Decimal:
        """Still to pay (arrears): only on a signed plan; 0 when paid in full or overpaid."""
        return self.unpaid if self.signed else ZERO

    @property
    def expected_unpaid(self) -> Decimal:
        """Before signing: what the expected share still lacks (not a debt)."""
        return ZERO if self.signed else self.unpaid

    @property
    def refund_owed(self) -> Decimal:
        """To give back: what was paid in beyond the share."""
        return max(-self.balance, ZERO)

    @property
    def settled(self) -> bool:
        return self.due is not None and self.balance == 0


@dataclass
class Totals:
    due: Decimal = ZERO
    paid: Decimal = ZERO
    refunded: Decimal = ZERO
    outstanding: Decimal = ZERO
    expected_unpaid: Decimal = ZERO
    refund_owed: Decimal = ZERO
    by_fund: dict[str, Decimal] = field(default_factory=dict)
    households_owing: int = 0
    households_expected: int = 0

    @property
    def collected(self) -> Decimal:
        return self.paid - self.refunded

    @classmethod
    def of(cls, accounts: Iterable[Account]) -> Totals:
        totals = cls()
        for account in accounts:
            totals.due += account.due or ZERO
            totals.paid += account.paid
            totals.refunded += account.refunded
            totals.outstanding += account.outstanding
            totals.expected_unpaid += account.expected_unpaid
            totals.refund_owed += account.refund_owed
            totals.households_owing += account.outstanding > 0
            totals.households_expected += account.expected_unpaid > 0
            for fund in FUNDS:
                if account.net_in(fund):
                    totals.by_fund[fund] = totals.by_fund.get(fund, ZERO) + account.net_in(fund)
        return totals


# --- what a new entry may be ----------------------------------------------------------------------

NOT_MONEY = "not_money"
NO_PLAN = "no_plan"
MORE_THAN_OWED = "more_than_owed"
REFUND_MORE_THAN_OWED = "refund_more_than_owed"
REFUND_MORE_THAN_FUND = "refund_more_than_fund"
REVERSAL_OVERDRAWS = "reversal_overdraws"


def payment_problems(account: Account, amount: Decimal) -> list[str]:
    if not is_money(amount):
        return [NOT_MONEY]
    if account.due is None:
        return [NO_PLAN]
    if amount > account.unpaid:
        return [MORE_THAN_OWED]
    return []


def refund_problems(account: Account, amount: Decimal, fund: str) -> list[str]:
    if not is_money(amount):
        return [NOT_MONEY]
    problems = []
    if amount > account.refund_owed:
        problems.append(REFUND_MORE_THAN_OWED)
    if amount > account.net_in(fund):
        problems.append(REFUND_MORE_THAN_FUND)
    return problems


def reversal_problems(account: Account, entry_amount: Decimal, fund: str) -> list[str]:
    """Reversing a payment must not leave a fund with more refunded than paid in."""
    if entry_amount > 0 and account.net_in(fund) - entry_amount < 0:
        return [REVERSAL_OVERDRAWS]
    return []


def by_household(
    rows: Iterable[tuple[int, str, str, Decimal]], dues: Mapping[int, Decimal | None], *, signed: bool
) -> dict[int, Account]:
    """Accounts from ledger sums ``(household, fund, family, amount)`` and dues by household (of one plan)."""
    lines: dict[int, list[Line]] = {}
    for household, fund, family, amount in rows:
        lines.setdefault(household, []).append(Line(fund, family, amount))
    keys = set(dues) | set(lines)
    return {pk: Account.of(dues.get(pk), lines.get(pk, []), signed=signed) for pk in keys}
