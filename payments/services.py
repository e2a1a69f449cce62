"""Writes to the ledger: payments, refunds and reversals. Never an update, never a delete.

Each write locks the household row, so two clerks recording at once cannot both take the same
outstanding amount, then checks the account with ``payments.rules``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.checks import not_in_future, required_text
from units.locks import lock_household
from units.models import Household

from . import rules, selectors
from .models import Fund, Kind, LedgerEntry, Method

NOT_MONEY = _("Enter an amount above 0 with at most two decimals.")
NO_PLAN = _("The unit has no plan yet, so nothing is due.")
MORE_THAN_OWED = _("That is more than the %(owed)s yuan this household still owes.")
REFUND_MORE_THAN_OWED = _("That is more than the %(owed)s yuan owed back to this household.")
REFUND_MORE_THAN_FUND = _("That is more than this household has paid from this fund (%(paid)s yuan).")
REVERSAL_OVERDRAWS = _("Reverse the refund of this money first: the fund would be left below zero.")
RECEIPT_REQUIRED = _("Enter the receipt number.")
RECEIPT_TAKEN = _("Receipt number %(receipt)s is already used in this unit.")
PROVIDENT_BEFORE_ACCEPTANCE = _(
    "Provident fund withdrawals are possible only after acceptance has passed at every level."
)
PROVIDENT_BEFORE_ACCEPTED_ON = _("Acceptance passed on %(date)s; a provident fund payment cannot be dated before.")
FUND_METHOD_MISMATCH = _("Provident fund and repair fund money comes by a transfer from that fund.")
ALREADY_REVERSED = _("This entry has already been reversed.")
CANNOT_REVERSE_REVERSAL = _("A reversal cannot itself be reversed; record the entry again instead.")
REASON_REQUIRED = _("Say why the entry is reversed.")

FUND_METHOD = {Fund.PROVIDENT: Method.PROVIDENT, Fund.REPAIR: Method.REPAIR}


def _check_fund_method(fund: str, method: str) -> None:
    expected = FUND_METHOD.get(fund)
    if (expected and method != expected) or (not expected and method in FUND_METHOD.values()):
        raise ValidationError({"method": FUND_METHOD_MISMATCH})


def _account(household: Household) -> rules.Account:
    return selectors.household_account(household)


def _raise(problems: list[str], account: rules.Account, fund: str = "") -> None:
    if not problems:
        return
    code = problems[0]
    messages = {
        rules.NOT_MONEY: NOT_MONEY,
        rules.NO_PLAN: NO_PLAN,
        rules.MORE_THAN_OWED: MORE_THAN_OWED % {"owed": f"{account.unpaid:,.2f}"},
        rules.REFUND_MORE_THAN_OWED: REFUND_MORE_THAN_OWED % {"owed": f"{account.refund_owed:,.2f}"},
        rules.REFUND_MORE_THAN_FUND: REFUND_MORE_THAN_FUND % {"paid": f"{account.net_in(fund):,.2f}"},
    }
    field = "__all__" if code == rules.NO_PLAN else "amount"
    raise ValidationError({field: messages[code]})


def payment_record(
    *,
    household: Household,
    amount: Decimal,
    on: date,
    method: str,
    fund: str = Fund.OWN,
    receipt_no: str,
    note: str = "",
    by,
    today: date | None = None,
) -> LedgerEntry:
    """Money received from a household for its share, with the receipt given for it."""
    receipt_no = required_text(receipt_no, RECEIPT_REQUIRED, field="receipt_no")
    not_in_future(on, today, field="on")
    _check_fund_method(fund, method)
    with transaction.atomic():
        household = lock_household(household)
        unit = household.unit
        if fund == Fund.PROVIDENT:
            accepted_on = selectors.acceptance_passed_on(unit)
            if accepted_on is None:
                raise ValidationError({"fund": PROVIDENT_BEFORE_ACCEPTANCE})
            if on < accepted_on:
                raise ValidationError({"on": PROVIDENT_BEFORE_ACCEPTED_ON % {"date": accepted_on.isoformat()}})
        if LedgerEntry.objects.filter(unit=unit, kind=Kind.PAYMENT, receipt_no=receipt_no).exists():
            raise ValidationError({"receipt_no": RECEIPT_TAKEN % {"receipt": receipt_no}})
        account = _account(household)
        _raise(rules.payment_problems(account, amount), account)
        entry = LedgerEntry(
            unit=unit, household=household, kind=Kind.PAYMENT, amount=amount, on=on, method=method, fund=fund,
            receipt_no=receipt_no, note=(note or "").strip(), recorded_by=by, recorded_at=timezone.now(),
        )
        entry.full_clean(exclude=["unit", "household", "recorded_by", "reverses"])
        entry.save()
    return entry


def refund_record(
    *,
    household: Household,
    amount: Decimal,
    on: date,
    method: str,
    fund: str = Fund.OWN,
    receipt_no: str = "",
    note: str = "",
    by,
    today: date | None = None,
) -> LedgerEntry:
    """Money given back to a household: at most what it paid beyond its share, from a fund it paid from."""
    not_in_future(on, today, field="on")
    _check_fund_method(fund, method)
    with transaction.atomic():
        household = lock_household(household)
        account = _account(household)
        _raise(rules.refund_problems(account, amount, fund), account, fund)
        entry = LedgerEntry(
            unit=household.unit, household=household, kind=Kind.REFUND, amount=-amount, on=on, method=method,
            fund=fund, receipt_no=(receipt_no or "").strip(), note=(note or "").strip(), recorded_by=by,
            recorded_at=timezone.now(),
        )
        entry.full_clean(exclude=["unit", "household", "recorded_by", "reverses"])
        entry.save()
    return entry


def entry_reverse(*, entry: LedgerEntry, reason: str, by, today: date | None = None) -> LedgerEntry:
    """Cancel a wrong entry with a new one of the opposite amount; the wrong one stays in the ledger."""
    reason = required_text(reason, REASON_REQUIRED, field="reason")
    with transaction.atomic():
        household = lock_household(entry.household)
        entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.kind == Kind.REVERSAL:
            raise ValidationError(CANNOT_REVERSE_REVERSAL)
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(ALREADY_REVERSED)
        account = _account(household)
        if rules.reversal_problems(account, entry.amount, entry.fund):
            raise ValidationError(REVERSAL_OVERDRAWS)
        reversal = LedgerEntry(
            unit_id=entry.unit_id, household=household, kind=Kind.REVERSAL, amount=-entry.amount,
            on=today or timezone.localdate(), method=entry.method, fund=entry.fund, reverses=entry,
            note=reason[:300], recorded_by=by, recorded_at=timezone.now(),
        )
        reversal.full_clean(exclude=["unit", "household", "recorded_by", "reverses"])
        reversal.save()
    return reversal
