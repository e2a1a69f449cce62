"""``{% unit_works_panel unit %}``: a unit's works and upkeep status on the unit page, with a link."""

from django import template
from django.utils import timezone

from units.models import Stage, Unit
from units.permissions import can_see_upkeep

from ..selectors import summarize, with_works_records

register = template.Library()

# Before signing there is nothing to show but the link.
EARLY_STAGES = Stage.BEFORE_SIGNING


@register.inclusion_tag("works/includes/_panel.html", takes_context=True)
def unit_works_panel(context, unit):
    """No query before signing; after it two: the unit with its works records and upkeep figures,
    and its acceptance checks."""
    user = context["request"].user
    if unit.stage in EARLY_STAGES:
        return {"unit": unit, "early": True}
    fetched = with_works_records(Unit.objects.filter(pk=unit.pk)).get()
    fetched.stage = unit.stage  # the page's unit may have just moved
    summary = summarize([fetched], today=timezone.localdate())[unit.pk]
    return {
        "unit": unit,
        "s": summary,
        "early": False,
        "show_upkeep": can_see_upkeep(user),
    }
