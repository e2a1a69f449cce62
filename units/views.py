"""Pages of the physical side: estates, units and their floor grid."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from units.permissions import get_estate_for_user, get_rw_unit_for_user, get_unit_for_user

from . import lifecycle, nextstep, panels
from .models import Estate, Unit


@login_required
@require_safe
def home(request):
    """Every estate the user may see, grouped by community, with its unit count and the figures the
    higher apps register (units/panels.py, ESTATE_FIGURES), each summed per estate in the database."""
    if not request.user.can_see_roster:
        return redirect("works_home")
    estates = (
        Estate.objects.visible_to(request.user)
        .select_related("community__street")
        .order_by("community__street__name", "community__name", "name")
    )
    units = Unit.objects.visible_to(request.user)
    per_estate = defaultdict(lambda: {"units": 0})
    for estate_id, count in units.values_list("building__estate").annotate(n=Count("pk")).order_by():
        per_estate[estate_id]["units"] = count
    for source in panels.ESTATE_FIGURES:
        for estate_id, figures in source(units).items():
            per_estate[estate_id].update(figures)
    rows = [(estate, per_estate[estate.pk]) for estate in estates]
    return render(request, "units/home.html", {"rows": rows})


def estate_units(request, estate, shared) -> list[Unit]:
    """The estate's units this user may see, with their places: the estate page's shared read."""
    return list(shared["unit_queryset"].for_listing())


def estate_unit_queryset(request, estate, shared):
    return Unit.objects.visible_to(request.user).filter(building__estate=estate)


@login_required
@require_safe
def estate_detail(request, pk):
    estate = get_estate_for_user(request.user, pk)
    if not request.user.can_see_roster:
        # Companies see their plan, construction and acceptance records, not the residents' votes.
        return redirect("works_home")
    return render(
        request, "units/estate_detail.html", {"estate": estate, "panels": panels.ESTATE_PAGE.compose(request, estate)}
    )


def unit_next_step(request, unit, shared) -> nextstep.NextStep:
    """The unit page's shared read of its next step (units/nextstep.py): its guards asked once."""
    return nextstep.next_step_for(unit, shared)


def next_step_panel(request, unit, shared) -> dict:
    """What the unit needs next and what blocks it, for every role that sees the unit page."""
    return {"step": shared["next_step"], "unit": unit, "can_edit": request.user.can_edit}


def stage_panel(request, unit, shared) -> dict:
    """The unit's stage, the moves this user may make with what blocks each, and the stage history.

    The guards reuse what the page's other panels have read (``shared``), e.g. the consent count, and the
    move forward's blockers are the next step's, not asked again."""
    user = request.user
    step = shared["next_step"]
    known = {step.after: step.messages} if step.after else {}
    return {
        "moves": lifecycle.moves_from(unit, user, shared, known=known) if user.can_edit else [],
        "stage_changes": unit.stage_changes.select_related("changed_by")[:20],
    }


@login_required
@require_safe
def unit_detail(request, pk):
    unit = get_unit_for_user(request.user, pk)
    if not request.user.can_see_roster:
        return redirect("unit_works", pk=unit.pk)
    context = {
        "unit": unit,
        "estate": unit.building.estate,
        "can_edit": request.user.can_edit,
        "panels": panels.UNIT_PAGE.compose(request, unit),
    }
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
