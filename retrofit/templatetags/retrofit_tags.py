from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.html import format_html, format_html_join

from retrofit import masking, phones, words
from retrofit.co_owners import load as co_owner_pairs

register = template.Library()


@register.filter
def dial(phone):
    """The digits a tel: link dials ("" when the text is no number): href="tel:{{ phone|dial }}"."""
    return phones.dial(phone)


@register.simple_tag(takes_context=True)
def owner_name(context, household):
    return masking.owner_for(context["request"].user, household.owner_name)


@register.simple_tag(takes_context=True)
def co_owners(context, household):
    """A co-owned flat's other owners with their phones (李四 138 0000 0002、王五), masked like the owner's."""
    user = context["request"].user
    return "、".join(
        " ".join(filter(None, (masking.owner_for(user, name), masking.phone_for(user, phone) if phone else "")))
        for name, phone in co_owner_pairs(household.co_owners)
    )


@register.simple_tag(takes_context=True)
def owner_id(context, household):
    """The certificate number's last four (****1234) for a role that sees names; nothing for the others."""
    return masking.id_for(context["request"].user, household.id_last4)


@register.simple_tag(takes_context=True)
def owner_phone(context, household):
    return masking.phone_for(context["request"].user, household.phone)


@register.filter
def percent(value):
    """An exact ratio shown to people as a percentage with two decimals (display only, never compared)."""
    if value is None:
        return "—"
    return f"{Decimal(value.numerator) / Decimal(value.denominator) * 100:.2f}%"


@register.filter
def fraction(value):
    if value is None:
        return "—"
    value = Fraction(value)
    return f"{value.numerator}/{value.denominator}"


@register.filter
def yuan(value):
    """1234567.8 → "1,234,567.80": amounts always with two decimals and thousands separators; "—" for none."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def area(value):
    return "—" if value is None else f"{value:.2f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def phone_of(household, user):
    return masking.phone_for(user, household.phone)


@register.filter
def add_class(field, css):
    return field.as_widget(attrs={"class": css})


@register.simple_tag
def colon():
    """The colon after a label: "：" in Chinese, ": " in English (retrofit/words.py)."""
    return words.colon()


@register.simple_block_tag
def card(content, classes="", **attrs):
    """A page's panel: ``<section class="card {classes}">`` around its padded card body, so each panel
    writes only what it says. ``attrs`` become the section's attributes, underscores as hyphens:
    ``{% card "mt-3" aria_labelledby="facts-title" data_testid="plan-facts" %}…{% endcard %}``."""
    attributes = format_html_join("", ' {}="{}"', ((name.replace("_", "-"), value) for name, value in attrs.items()))
    return format_html(
        '<section class="{}"{}>\n  <div class="card-body p-2 p-md-3">{}</div>\n</section>',
        " ".join(filter(None, ("card", classes))),
        attributes,
        content,
    )
