"""``{% reminder_badge %}``: the menu's count of new reminders, fetched by htmx after the page loads
(no query while the page renders)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def reminder_badge(context):
    if not context["request"].user.is_authenticated:
        return ""
    return format_html(
        '<span hx-get="{}" hx-trigger="load" hx-swap="outerHTML" data-testid="reminder-badge-slot"></span>',
        reverse("reminder_badge"),
    )
