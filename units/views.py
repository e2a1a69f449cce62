"""Pages of the physical side: estates, units and their floor grid."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations import rules, situations
from consultations.models import VoteValue
from consultations.selectors import consent_by_unit, current_vote, evaluate_unit, households_for_unit_page
from retrofit.permissions import (
    get_estate_for_user,
    get_rw_unit_for_user,
    get_unit_for_user,
)

from . import lifecycle
from .models import Estate, Unit


@login_required
def home(request):
    """Every estate the user may see, grouped by community, with its unit count."""
    if not request.user.can_see_roster:
        return redirect("works_home")
    estates = (
        Estate.objects.visible_to(request.user)
        .select_related("community__street")
        .order_by("community__street__name", "community__name", "name")
    )
    units = list(Unit.objects.visible_to(request.user).for_listing())
    consents = consent_by_unit(units)
    per_estate = defaultdict(lambda: {"units": 0, "ready": 0, "households": 0})
    for unit in units:
        row = per_estate[unit.building.estate_id]
        row["units"] += 1
        result = consents[unit.pk]
        if result.ok:
            row["households"] += result.consent.households
            row["ready"] += result.consent.situation == rules.READY
    rows = [(estate, per_estate[estate.pk]) for estate in estates]
    return render(request, "units/home.html", {"rows": rows})


@login_required
def estate_detail(request, pk):
    estate = get_estate_for_user(request.user, pk)
    if not request.user.can_see_roster:
        # Companies see their plan, construction and acceptance records, not the residents' votes.
        return redirect("works_home")
    units = list(Unit.objects.visible_to(request.user).for_listing().filter(building__estate=estate))
    consents = consent_by_unit(units)
    rows = [(unit, consents[unit.pk]) for unit in units]
    counts = defaultdict(int)
    for _unit, result in rows:
        if result.ok and result.consent.situation:
            counts[result.consent.situation] += 1
    return render(
        request,
        "units/estate_detail.html",
        {"estate": estate, "rows": rows, "situation_counts": dict(counts), "situations": situations},
    )


def _floor_grid(unit, households):
    """Floors top to bottom, each a list of its flats; empty floors stay in the grid so gaps show."""
    by_floor = defaultdict(list)
    for household in households:
        by_floor[household.floor].append(household)
    top = max([unit.building.floors, *by_floor.keys()])
    return [(floor, sorted(by_floor.get(floor, []), key=lambda h: h.room)) for floor in range(top, 0, -1)]


def _unit_context(request, unit):
    households = households_for_unit_page(unit)
    for household in households:
        household.current_vote = current_vote(household)
    return {
        "unit": unit,
        "estate": unit.building.estate,
        "households": households,
        "grid": _floor_grid(unit, households),
        "result": evaluate_unit(unit, households),
        "policy": unit.street.consent_policy,
        "situations": situations,
        "can_edit": request.user.can_edit,
        "vote_choices": VoteValue.choices,
    }


@login_required
def unit_detail(request, pk):
    unit = get_unit_for_user(request.user, pk)
    if not request.user.can_see_roster:
        return redirect("unit_works", pk=unit.pk)
    context = _unit_context(request, unit)
    unit.counted_consent = context["result"]  # the stage panel's guards reuse this count
    context["moves"] = lifecycle.moves_from(unit, request.user) if request.user.can_edit else []
    context["stage_changes"] = unit.stage_changes.select_related("changed_by")[:20]
    return render(request, "units/unit_detail.html", context)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
def unit_move_view(request, pk):
    """Move a unit to the next stage (or a side state); the lifecycle decides whether it may."""
    unit = get_rw_unit_for_user(request.user, pk)
    after = request.POST.get("after", "")
    try:
        lifecycle.unit_move(unit=unit, after=after, by=request.user, reason=request.POST.get("reason", ""))
    except lifecycle.MoveRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The unit moved to “%(stage)s”.") % {"stage": unit.get_stage_display()})
    return redirect("unit_detail", pk=unit.pk)
