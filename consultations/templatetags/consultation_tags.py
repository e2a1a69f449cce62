"""Consultation sections for pages owned by the units app, and small filters for the consultation pages.

Each inclusion tag runs a fixed number of queries, whatever the number of households:
``unit_consultation_panel`` 6 (7 when the unit has a notice), ``estate_support_pattern`` 1,
``overdue_action_count`` 1.
"""

from django import template
from django.utils import timezone

from consultations import campaign, situations
from consultations.models import ActionItem, VoteValue
from consultations.unit_page import consultation_panel, support_panel
from retrofit.masking import mask_name, owner_for
from units.models import Unit

register = template.Library()


@register.inclusion_tag("consultations/includes/_unit_panel.html", takes_context=True)
def unit_consultation_panel(context, unit, households=None, result=None):
    user = context["request"].user
    return {
        "request": context["request"],
        "user": user,
        "csrf_token": context.get("csrf_token"),
        **consultation_panel(user, unit, households, result),
    }


@register.inclusion_tag("consultations/includes/_support_pattern.html", takes_context=True)
def estate_support_pattern(context, estate):
    units = Unit.objects.visible_to(context["request"].user).filter(building__estate=estate)
    return support_panel(units, estate)


@register.simple_tag(takes_context=True)
def overdue_action_count(context) -> int:
    """Open action items of the signed-in user that are past due: for a badge in the menu bar."""
    user = context["request"].user
    if not user.is_authenticated:
        return 0
    return ActionItem.objects.filter(owner=user, done=False, due_on__lt=timezone.localdate()).count()


@register.filter
def share_percent(value):
    """A Fraction as a whole percentage for bars and labels (display only)."""
    if value is None:
        return 0
    return round(value * 100)


@register.filter
def days_left(notice):
    return campaign.notice_days_left(timezone.localdate(), notice.starts_on, notice.days)


@register.filter
def name_for(name, user):
    """A person's name as this user may see it (张三 → 张* for roles without the right)."""
    return owner_for(user, name)


@register.filter
def masked(name):
    """Always masked (张*), whoever prints: for sheets posted in public."""
    return mask_name(name)


@register.filter
def situation_name(code):
    return situations.NAMES.get(code, "—")


@register.filter
def situation_style(code):
    return situations.STYLES.get(code, "secondary")


@register.filter
def situation_action(code):
    return situations.ACTIONS.get(code, "")


@register.filter
def vote_label(value):
    return VoteValue(value).label if value in VoteValue.values else "—"
