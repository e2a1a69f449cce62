"""``{% unit_money_panel unit %}``: what the unit's households have paid, on the unit page."""

from __future__ import annotations

from django import template

from payments import rules
from payments.models import Fund

register = template.Library()


@register.inclusion_tag("payments/includes/_money_panel.html", takes_context=True)
def unit_money_panel(context, unit):
    """Nothing for company users; otherwise three queries: the current plan, its shares with what each
    household has paid, and nothing more (the totals are added up here)."""
    from payments.selectors import shares_with_balance
    from units.models import Unit
    from units.selectors import current_plans

    user = context["request"].user
    if not user.can_see_money:
        return {"hidden": True}
    plan = current_plans([unit])[unit.pk]
    if plan is None:
        return {"unit": unit, "plan": None}
    owing = refunds = collected = rules.ZERO
    households_owing = 0
    for due, net in shares_with_balance(Unit.objects.filter(pk=unit.pk)).values_list("due", "net"):
        balance = due - net
        collected += net
        if balance > 0:
            owing += balance
            households_owing += 1
        else:
            refunds -= balance
    return {
        "unit": unit,
        "plan": plan,
        "net_cost": rules.ZERO if unit.stage == "withdrawn" else plan.net_cost,
        "collected": collected,
        "owing": owing,
        "households_owing": households_owing,
        "refunds": refunds,
    }


@register.filter
def fund_label(code):
    return Fund(code).label if code in Fund.values else code
