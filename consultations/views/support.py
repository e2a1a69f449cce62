"""Support pattern: who agrees, by floor, occupancy and age, for a community or an estate."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from units.permissions import get_community_for_user, get_estate_for_user, roster_required

from ..selectors import support_pattern
from .scope import units_of


@login_required
@roster_required
def community_support(request, pk):
    community = get_community_for_user(request.user, pk)
    units = units_of(request.user).filter(building__estate__community=community)
    return render(
        request,
        "consultations/support_page.html",
        {"pattern": support_pattern(units), "community": community, "title": community.name},
    )


@login_required
@roster_required
def estate_support(request, pk):
    estate = get_estate_for_user(request.user, pk)
    units = units_of(request.user).filter(building__estate=estate)
    return render(
        request,
        "consultations/support_page.html",
        {"pattern": support_pattern(units), "estate": estate, "title": estate.name},
    )
