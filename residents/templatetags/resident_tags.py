"""The residents' side on staff pages.

``{% unit_public_link_panel unit %}`` on the unit page: the public link, its QR code, the household
codes and the community's public contact (four queries; nothing for company users).
``{% unit_public_qr unit %}`` on the public notice printout: the QR code and the address under it.
"""

from __future__ import annotations

from django import template
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from residents import qr, services
from residents.models import CommunityContact, HouseholdCode
from retrofit.ordering import top_floor_first

register = template.Library()


@register.inclusion_tag("residents/includes/_public_link_panel.html", takes_context=True)
def unit_public_link_panel(context, unit):
    request = context["request"]
    user = request.user
    if not user.can_see_roster:
        return {"hidden": True}
    link = services.public_link_current(unit)
    url = qr.public_url(request, link) if link else ""
    now = timezone.now()
    codes = HouseholdCode.objects.filter(household__unit=unit).aggregate(
        open=Count("pk", filter=Q(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)),
        used=Count("pk", filter=Q(used_at__isnull=False)),
    )
    households = sorted(unit.households.all(), key=top_floor_first) if user.can_edit else []
    return {
        "hidden": False,
        "unit": unit,
        "link": link,
        "url": url,
        "qr": qr.svg_data_uri(url, scale=3) if url else "",
        "contact": CommunityContact.objects.filter(community_id=unit.building.estate.community_id).first(),
        "codes": codes,
        "session_minutes": int(services.HOUSEHOLD_SESSION.total_seconds()) // 60,
        "code_days": services.CODE_VALID.days,
        "households": households,
        "can_edit": user.can_edit,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.simple_tag(takes_context=True)
def unit_public_qr(context, unit):
    """The QR block of the notice printout: the unit's current link, made when the unit entered notice
    (``residents.signals``); nothing when the unit has none. Reads only."""
    request = context["request"]
    link = services.public_link_current(unit)
    if link is None:
        return ""
    url = qr.public_url(request, link)
    return render_to_string("residents/includes/_notice_qr.html", {"url": url, "qr": qr.svg_data_uri(url, scale=3)})
