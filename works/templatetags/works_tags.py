"""``{% unit_works_panel unit %}``: a unit's works and upkeep status on the unit page, with a link.
``{% works_section %}``: the frame of a section on the works page."""

from django import template
from django.template.base import token_kwargs
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


class WorksSectionNode(template.Node):
    def __init__(self, nodelist, section, title, extra):
        self.nodelist, self.section, self.title, self.extra = nodelist, section, title, extra

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.extra.items()}
        values.update(section=self.section.resolve(context), title=self.title.resolve(context))
        values["body"] = self.nodelist.render(context)
        frame = context.template.engine.get_template("works/includes/_section.html")
        with context.push(values):
            return frame.render(context)


@register.tag
def works_section(parser, token):
    """``{% works_section "approval" _("Approval") done=... done_label=_("complete") %}…{% endworks_section %}``:
    the body inside the section card, with its heading (and a badge when ``done``) and the saved notice."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a section id and a title")
    rest = bits[3:]
    extra = token_kwargs(rest, parser)
    if rest:
        raise template.TemplateSyntaxError(f"{bits[0]} takes only done= and done_label= after the title")
    nodelist = parser.parse(("endworks_section",))
    parser.delete_first_token()
    return WorksSectionNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]), extra)
