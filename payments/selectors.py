"""Reads of the payments pages, each in a fixed number of queries whatever the number of households."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from retrofit.ordering import top_floor_first
from units.models import Household, Plan, PlanShare, Stage, Unit
from units.selectors import current_plans
from works import rules as works_rules
from works.models import AcceptanceCheck, Subsidy

from . import rules
from .models import Kind, LedgerEntry

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
# Shares are collected before the works start; from construction on, an unpaid share is overdue.
COLLECTION_STAGES = Stage.span(Stage.SIGNING, Stage.APPROVAL)


def signed_plan(plan: Plan | None) -> bool:
    """Whether a share is a debt: only once the plan is signed (the contract made). Before, a share is
    the expected share (预计分摊) of a draft that may still change, and nobody owes it yet."""
    return plan is not None and plan.is_signed


def due_of(unit: Unit, share_amount: Decimal | None) -> Decimal | None:
    if share_amount is None:
        return None
    return rules.ZERO if unit.stage == Stage.WITHDRAWN else share_amount


def family_of(entry: LedgerEntry) -> str:
    """Payment or refund: a reversal counts with the entry it reverses (``reverses`` selected)."""
    return entry.reverses.kind if entry.kind == Kind.REVERSAL else entry.kind


def entries_of(unit: Unit):
    """The unit's ledger, newest first, each entry knowing whether it was reversed. One query."""
    reversed_ = LedgerEntry.objects.filter(reverses=OuterRef("pk"))
    return (
        LedgerEntry.objects.filter(unit=unit)
        .select_related("household", "recorded_by", "reverses")
        .annotate(was_reversed=Exists(reversed_))
        .order_by("-recorded_at", "-id")
    )


def acceptance_passed_on(unit: Unit) -> date | None:
    """The day acceptance was complete (its last level passed), or None. One query."""
    attempts = [check.attempt for check in AcceptanceCheck.objects.filter(unit=unit)]
    if works_rules.acceptance_blockers(attempts):
        return None
    return max(a.date for a in works_rules.latest_by_level(attempts).values())


@dataclass
class Row:
    household: Household
    room: str
    floor: int
    account: rules.Account
    entries: list[LedgerEntry] = field(default_factory=list)


@dataclass
class UnitMoney:
    unit: Unit
    plan: Plan | None
    rows: list[Row]
    entries: list[LedgerEntry]
    totals: rules.Totals
    accepted_on: date | None
    subsidy: Subsidy | None

    @property
    def net_cost(self) -> Decimal | None:
        if self.plan is None:
            return None
        return rules.ZERO if self.unit.stage == Stage.WITHDRAWN else self.plan.net_cost

    @property
    def signed(self) -> bool:
        return self.plan is not None and self.plan.is_signed

    @property
    def funds(self) -> list[str]:
        return list(rules.FUNDS)


def unit_money(unit: Unit) -> UnitMoney:
    """Flat by flat: due, paid by fund, refunded, balance; and the unit's totals. Six queries."""
    plan = current_plans([unit])[unit.pk]
    shares = {s.household_id: s for s in plan.shares.all()} if plan is not None else {}
    households = list(Household.objects.filter(unit=unit))
    entries = list(entries_of(unit))
    lines: dict[int, list[rules.Line]] = {}
    by_household: dict[int, list[LedgerEntry]] = {}
    for entry in entries:
        lines.setdefault(entry.household_id, []).append(rules.Line(entry.fund, family_of(entry), entry.amount))
        by_household.setdefault(entry.household_id, []).append(entry)
    rows = []
    for household in households:
        share = shares.get(household.pk)
        due = due_of(unit, share.amount if share else (rules.ZERO if plan is not None else None))
        rows.append(
            Row(
                household=household,
                room=share.room if share else household.room,
                floor=share.floor if share else household.floor,
                account=rules.Account.of(due, lines.get(household.pk, []), signed=signed_plan(plan)),
                entries=by_household.get(household.pk, []),
            )
        )
    rows.sort(key=top_floor_first)
    return UnitMoney(
        unit=unit,
        plan=plan,
        rows=rows,
        entries=entries,
        totals=rules.Totals.of(r.account for r in rows),
        accepted_on=acceptance_passed_on(unit),
        subsidy=Subsidy.objects.filter(unit=unit).first(),
    )


def household_account(household: Household) -> rules.Account:
    return household_money(household)[0]


def household_money(household: Household) -> tuple[rules.Account, Plan | None]:
    """One household's account and the plan it is counted on (its own page on the resident side).
    Three queries."""
    plan = current_plans([household.unit_id])[household.unit_id]
    share = plan.shares.filter(household=household).first() if plan is not None else None
    due = due_of(household.unit, share.amount if share else (rules.ZERO if plan is not None else None))
    rows = (
        LedgerEntry.objects.filter(household=household)
        .annotate(family=Coalesce("reverses__kind", "kind"))
        .values_list("fund", "family")
        .annotate(total=Sum("amount", output_field=MONEY_FIELD))
        .order_by()
    )
    lines = [rules.Line(fund, family, Decimal(total).quantize(rules.CENT)) for fund, family, total in rows]
    return rules.Account.of(due, lines, signed=signed_plan(plan)), plan


# --- across units ---------------------------------------------------------------------------------


def _net_paid():
    """Net paid in by the share's household (payments − refunds, reversals included): a subquery."""
    total = (
        LedgerEntry.objects.filter(household=OuterRef("household"))
        .values("household")
        .annotate(total=Sum("amount", output_field=MONEY_FIELD))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY_FIELD), Value(Decimal("0.00")), output_field=MONEY_FIELD)


def shares_with_balance(units):
    """Shares of the current plans of ``units`` with ``due`` (0 once withdrawn) and ``net`` paid."""
    current = Plan.objects.filter(unit__in=units).current()
    return PlanShare.objects.filter(plan__in=current).annotate(
        net=_net_paid(),
        due=Case(
            When(plan__unit__stage=Stage.WITHDRAWN, then=Value(Decimal("0.00"))),
            default=F("amount"),
            output_field=MONEY_FIELD,
        ),
    )


@dataclass(frozen=True)
class MoneySummary:
    """The unit page's money panel: what the households have paid against the unit's net cost.

    ``owing`` (arrears) only once the plan is signed; before, what the shares still lack is ``expected``:
    the draft's shares are no debt."""

    plan: Plan
    net_cost: Decimal
    collected: Decimal
    owing: Decimal
    households_owing: int
    expected: Decimal
    households_expected: int
    refunds: Decimal

    @property
    def signed(self) -> bool:
        return signed_plan(self.plan)


def money_summary(unit: Unit) -> MoneySummary | None:
    """None before the unit has a plan. Two queries: the current plan, and its shares with what was paid."""
    plan = current_plans([unit])[unit.pk]
    if plan is None:
        return None
    unpaid = refunds = collected = rules.ZERO
    households_unpaid = 0
    for due, net in shares_with_balance(Unit.objects.filter(pk=unit.pk)).values_list("due", "net"):
        balance = due - net
        collected += net
        if balance > 0:
            unpaid += balance
            households_unpaid += 1
        else:
            refunds -= balance
    signed = signed_plan(plan)
    return MoneySummary(
        plan=plan,
        net_cost=rules.ZERO if unit.stage == Stage.WITHDRAWN else plan.net_cost,
        collected=collected,
        owing=unpaid if signed else rules.ZERO,
        households_owing=households_unpaid if signed else 0,
        expected=rules.ZERO if signed else unpaid,
        households_expected=0 if signed else households_unpaid,
        refunds=refunds,
    )


@dataclass
class ArrearsRow:
    share: PlanShare
    unit: Unit
    household: Household
    due: Decimal
    net: Decimal

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.net, rules.ZERO)

    @property
    def refund_owed(self) -> Decimal:
        return max(self.net - self.due, rules.ZERO)


@dataclass
class Arrears:
    owing: list[ArrearsRow]
    refunds: list[ArrearsRow]

    @property
    def owing_total(self) -> Decimal:
        return sum((r.outstanding for r in self.owing), rules.ZERO)

    @property
    def refunds_total(self) -> Decimal:
        return sum((r.refund_owed for r in self.refunds), rules.ZERO)

    @property
    def units_owing(self) -> int:
        return len({r.unit.pk for r in self.owing})


def arrears(units) -> Arrears:
    """Households that still owe on a signed plan, and households owed a refund. One query.

    ``units`` is a queryset already scoped to the user.
    """
    shares = (
        shares_with_balance(units)
        .filter((Q(plan__signed_at__isnull=False) & Q(due__gt=F("net"))) | Q(net__gt=F("due")))
        .select_related("household", "plan__unit__building__estate__community")
        .order_by(
            "plan__unit__building__estate__community__name",
            "plan__unit__building__estate__name",
            "plan__unit__building__number",
            "plan__unit__number",
            "-floor",
            "room",
        )
    )
    result = Arrears(owing=[], refunds=[])
    for share in shares:
        row = ArrearsRow(
            share=share,
            unit=share.plan.unit,
            household=share.household,
            due=Decimal(share.due).quantize(rules.CENT),
            net=Decimal(share.net).quantize(rules.CENT),
        )
        (result.owing if row.outstanding else result.refunds).append(row)
    return result


def unpaid_by_unit(units) -> dict[int, tuple[int, Decimal]]:
    """Units collecting shares (signing, approval) with households still owing: unit → (count, total).

    One query, for the attention list.
    """
    rows = (
        shares_with_balance(units.filter(stage__in=COLLECTION_STAGES))
        .filter(plan__signed_at__isnull=False, due__gt=F("net"))
        .values_list("plan__unit_id", "due", "net")
    )
    result: dict[int, tuple[int, Decimal]] = {}
    for unit_id, due, net in rows:
        count, total = result.get(unit_id, (0, rules.ZERO))
        result[unit_id] = (count + 1, total + (Decimal(due) - Decimal(net)).quantize(rules.CENT))
    return result
