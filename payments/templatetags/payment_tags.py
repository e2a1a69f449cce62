"""``{% unit_money_panel unit %}``: what the unit's households have paid, on the unit page."""

from __future__ import annotations

from django import template

from payments.models import Fund
from payments.selectors import money_summary

register = template.Library()


@register.inclusion_tag("payments/includes/_money_panel.html", takes_context=True)
def unit_money_panel(context, unit):
    """Nothing for company users; otherwise what ``payments.selectors.money_summary`` reads (two queries)."""
    user = context["request"].user
    if not user.can_see_money:
        return {"hidden": True}
    summary = money_summary(unit)
    if summary is None:
        return {"unit": unit, "plan": None}
    return {"unit": unit, **vars(summary)}


@register.filter
def fund_label(code):
    return Fund(code).label if code in Fund.values else code
