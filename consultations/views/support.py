"""Support pattern: who agrees, by floor, occupancy and age, for a community or an estate."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from units.permissions import get_community_for_user, get_estate_for_user

from ..selectors import support_pattern
from .scope import roster_page, units_of


def _support_page(request, units, *, key: str, place):
    """The support pattern of ``units``, titled by the community or estate they are in (``key``)."""
    context = {"pattern": support_pattern(units), key: place, "title": place.name}
    return render(request, "consultations/support_page.html", context)


@roster_page
@require_safe
def community_support(request, pk):
    community = get_community_for_user(request.user, pk)
    units = units_of(request.user).filter(building__estate__community=community)
    return _support_page(request, units, key="community", place=community)


@roster_page
@require_safe
def estate_support(request, pk):
    estate = get_estate_for_user(request.user, pk)
    units = units_of(request.user).filter(building__estate=estate)
    return _support_page(request, units, key="estate", place=estate)
