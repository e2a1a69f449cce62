"""Money and plan display for the units pages, the plan panel of the unit page, and a unit's next step in a
list row."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.db.models import Count, Q
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from units import contracts
from units.models import Contract, SignatureStatus
from units.nextstep import NextStep
from units.permissions import LEVELS, scope_at_level
from units.plan_tables import plain_number
from units.selectors import current_plans

register = template.Library()


@register.filter
def yuan_change(value):
    """A change of share: "+12.30", "−5.00", or "" when nothing moved."""
    if value is None or value == 0:
        return ""
    sign = "+" if value > 0 else "−"
    return f"{sign}{abs(Decimal(value)):,.2f}"


@register.filter
def coefficient(value):
    return "—" if value is None else plain_number(Decimal(value))


@register.filter
def slot(slots, name):
    """The error text for the slot next to a field."""
    return (slots or {}).get(name, "")


@register.inclusion_tag("units/includes/_plan_panel.html", takes_context=True)
def unit_plan_panel(context, unit):
    """The unit page's summary of its plan and contract: 2 queries (current plan; contract with its counts)."""
    plan = current_plans([unit])[unit.pk]
    signed = Q(signatures__status=SignatureStatus.SIGNED)
    refused = Q(signatures__status=SignatureStatus.REFUSED)
    contract = (
        Contract.objects.filter(unit=unit)
        .annotate(n=Count("signatures"), n_signed=Count("signatures", filter=signed), n_refused=Count("signatures", filter=refused))
        .first()
    )
    progress = None
    if contract is not None:
        progress = contracts.Progress(
            households_signed=contract.n_signed,
            households=contract.n,
            refused=contract.n_refused,
            parties_signed=sum(1 for name in Contract.PARTY_FIELDS if getattr(contract, name)),
        )
    return {
        "unit": unit,
        "plan": plan,
        "contract": contract,
        "progress": progress,
        "can_edit": context["request"].user.can_edit,
    }


@register.simple_tag(takes_context=True)
def panel(context, shown):
    """Render a registered panel (units/panels.py) with its own context over the page's."""
    template = context.template.engine.get_template(shown.template)
    with context.push(shown.context):
        return template.render(context)


@register.simple_tag(takes_context=True)
def came_from(context):
    """The dashboard level a unit page was opened from (``?from=`` the dashboard's address, filters and all),
    for the breadcrumb: ``{"url", "place"}``, or None. Only a dashboard of the user's own scope that holds
    this unit counts; anything else (another site, another page, a place out of scope) is ignored."""
    request, unit = context.get("request"), context.get("unit")
    raw = request.GET.get("from", "") if request is not None else ""
    if unit is None or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    parts = urlsplit(raw)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "dashboard":
        return None
    try:
        place, units = scope_at_level(request.user, match.kwargs["level"], match.kwargs["pk"], levels=tuple(LEVELS))
    except Http404:
        return None
    if not units.filter(pk=unit.pk).exists():
        return None
    return {"url": urlunsplit(("", "", parts.path, parts.query, "")), "place": place}


@register.simple_tag
def next_step_inline(step: NextStep | None):
    """One unit's next step in a list row (units/nextstep.py): every blocker of its move, ready to move, or
    what goes on; ``None`` (no step read) an empty one. Markup in Python, not a template: a dashboard
    shows 65 of them a page (units/includes/_next_step_inline.html is this tag)."""
    if step is None:
        said = mark_safe('<span class="text-muted"></span>')
    elif step.blockers:
        said = format_html(
            '<span class="text-danger">{}{}</span>',
            _with_stage(gettext("Blocked before “%(stage)s”:"), step.after_label),
            format_html_join("", '<span class="d-block" data-guard="{}">{}</span>', ((b.guard, b.message) for b in step.blockers)),
        )
    elif step.can_advance:
        said = format_html('<span class="text-success">{}</span>', _with_stage(gettext("Can move to “%(stage)s”"), step.after_label))
    else:
        said = format_html('<span class="text-muted">{}</span>', step.action)
    can_advance, blocked_by = ("yes" if step.can_advance else "no", step.blocked_by_names) if step is not None else ("no", "")
    return format_html(
        '<span class="next-step-inline small" data-testid="next-step-inline" data-can-advance="{}" data-blocked-by="{}">{}</span>',
        can_advance,
        blocked_by,
        said,
    )


def _with_stage(message: str, stage: str):
    """A translated message with the stage's name put in, escaped, as ``blocktranslate`` does."""
    return mark_safe(message % {"stage": conditional_escape(stage)})
