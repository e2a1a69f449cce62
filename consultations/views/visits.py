"""The visit list 走访清单: who to see today, best visit first, per community or unit, and its printout."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from units.models import Community
from units.permissions import get_community_for_user, get_unit_for_user, roster_required

from .. import situations
from ..selectors import visit_list
from .scope import units_of


@login_required
@roster_required
def visits_home(request):
    """Community staff land on their community's list; others pick a community in their scope."""
    if request.user.community_id:
        return redirect("community_visits", pk=request.user.community_id)
    communities = (
        Community.objects.filter(pk__in=units_of(request.user).values("building__estate__community"))
        .select_related("street")
        .order_by("street__name", "name")
    )
    if len(communities) == 1:
        return redirect("community_visits", pk=communities[0].pk)
    return render(request, "consultations/visits_home.html", {"communities": communities})


def _visit_context(request, units, **extra):
    today = timezone.localdate()
    listing = visit_list(units, today=today)
    return {"listing": listing, "today": today, "situations": situations, "can_edit": request.user.can_edit, **extra}


def _community_units(request, community):
    return list(
        units_of(request.user)
        .for_listing()
        .filter(building__estate__community=community)
        .order_by("building__estate__name", "building__number", "number")
    )


@login_required
@roster_required
def community_visits(request, pk):
    community = get_community_for_user(request.user, pk)
    context = _visit_context(request, _community_units(request, community), community=community)
    context["print_url"] = reverse("community_visits_print", args=[community.pk])
    return render(request, "consultations/visit_list.html", context)


@login_required
@roster_required
def community_visits_print(request, pk):
    community = get_community_for_user(request.user, pk)
    context = _visit_context(request, _community_units(request, community), community=community)
    context["back_url"] = reverse("community_visits", args=[community.pk])
    return render(request, "consultations/visit_list_print.html", context)


@login_required
@roster_required
def unit_visits(request, pk):
    unit = get_unit_for_user(request.user, pk)
    context = _visit_context(request, [unit], unit=unit, estate=unit.building.estate)
    context["print_url"] = reverse("unit_visits_print", args=[unit.pk])
    return render(request, "consultations/visit_list.html", context)


@login_required
@roster_required
def unit_visits_print(request, pk):
    unit = get_unit_for_user(request.user, pk)
    context = _visit_context(request, [unit], unit=unit, estate=unit.building.estate)
    context["back_url"] = reverse("unit_visits", args=[unit.pk])
    return render(request, "consultations/visit_list_print.html", context)
