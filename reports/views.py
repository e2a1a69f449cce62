"""The leaders' dashboard at district, street, community, estate and building level."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from consultations import rules
from consultations.selectors import stored_support_pattern
from retrofit.params import int_param
from units.models import Community, Estate, Stage, Unit
from units.permissions import LEVELS, require_roster, scope_at_level

from . import dashboard

# level → what its breakdown is per
GROUP_BY = {"street": "community", "community": "estate", "estate": "building", "building": "building"}


@login_required
@require_safe
def dashboard_home(request):
    """The dashboard of the user's own level: the district for its officials, the street for leaders,
    the community for staff."""
    user = request.user
    if not user.can_see_roster:
        return redirect("works_home")
    if user.district_id:
        return redirect("dashboard", level="district", pk=user.district_id)
    if user.street_id:
        return redirect("dashboard", level="street", pk=user.street_id)
    if user.community_id:
        return redirect("dashboard", level="community", pk=user.community_id)
    first = Unit.objects.visible_to(user).for_listing().first()
    if first is None:
        return redirect("home")
    if user.is_superuser:  # the top of the house the first unit stands in: its district, or its street
        street = first.building.estate.community.street
        if street.district_id:
            return redirect("dashboard", level="district", pk=street.district_id)
        return redirect("dashboard", level="street", pk=street.pk)
    return redirect("dashboard", level="estate", pk=first.building.estate_id)


def _trail(level, obj, user):
    """District → street → community → estate → building links for the breadcrumb, the current level last.

    The district leads the way back only for those who may open its dashboard."""
    if level == "district":
        return [(reverse("dashboard", kwargs={"level": level, "pk": obj.pk}), str(obj))]
    if level == "building":
        chain = [("street", obj.estate.community.street), ("community", obj.estate.community), ("estate", obj.estate), ("building", obj)]
    elif level == "estate":
        chain = [("street", obj.community.street), ("community", obj.community), ("estate", obj)]
    elif level == "community":
        chain = [("street", obj.street), ("community", obj)]
    else:
        chain = [("street", obj)]
    street = chain[0][1]
    if street.district_id and (user.is_superuser or user.district_id == street.district_id):
        chain.insert(0, ("district", street.district))
    return [(reverse("dashboard", kwargs={"level": lvl, "pk": o.pk}), str(o)) for lvl, o in chain]


@login_required
@require_safe
def dashboard_view(request, level, pk):
    obj, units = scope_at_level(request.user, level, pk, levels=tuple(LEVELS))
    require_roster(request.user)  # companies see their works records, not the street's progress
    if level == "district":
        return _district_dashboard(request, obj, units)
    group_by = GROUP_BY[level]
    filters = {
        "community": request.GET.get("community", ""),
        "estate": request.GET.get("estate", ""),
        "stage": request.GET.get("stage", ""),
        "situation": request.GET.get("situation", ""),
    }
    options = {
        "communities": Community.objects.filter(estates__buildings__units__in=units).distinct().order_by("name"),
        "estates": Estate.objects.filter(buildings__units__in=units).distinct().order_by("name"),
    }
    filtered = units
    community_id, estate_id = int_param(request.GET, "community"), int_param(request.GET, "estate")
    filters["community"], filters["estate"] = str(community_id or ""), str(estate_id or "")  # junk: no filter
    if community_id:
        filtered = filtered.filter(building__estate__community_id=community_id)
    if estate_id:
        filtered = filtered.filter(building__estate_id=estate_id)
    if filters["stage"] in Stage.values:
        filtered = filtered.filter(stage=filters["stage"])
    board = dashboard.build(filtered, group_by=group_by, today=timezone.localdate())
    listed = board.units  # the situation narrows the table only, from the stored tallies
    if filters["situation"] in rules.SITUATIONS:
        listed = listed.filter(tally__situation=filters["situation"])
    units_page = Paginator(listed, settings.DASHBOARD_UNITS_PER_PAGE).get_page(request.GET.get("page"))
    next_level = {"street": "community", "community": "estate", "estate": "building"}.get(level)
    context = {
        "level": level,
        "obj": obj,
        "trail": _trail(level, obj, request.user),
        "board": board,
        "rows": dashboard.page_rows(board, units_page.object_list, came_from=request.get_full_path()),
        "units_page": units_page,
        "filters": filters,
        "options": options,
        "stages": Stage.choices,
        "situations": rules.SITUATIONS,
        "next_level": next_level,
        "charts": {"progress": board.progress, "trend": board.trend},
        "pattern": stored_support_pattern(filtered),  # build stored the missing tallies
    }
    return _render(request, context, "dashboard/includes/_body.html")


def _district_dashboard(request, district, units):
    """The district head's view: its streets leading and lagging and the shared panels, every figure
    summed in the database; a stage or a situation narrows them all."""
    dashboard.store_missing_tallies(units)  # the situation filter and the sums read them
    filters = {"stage": request.GET.get("stage", ""), "situation": request.GET.get("situation", "")}
    if filters["stage"] in Stage.values:
        units = units.filter(stage=filters["stage"])
    if filters["situation"] in rules.SITUATIONS:
        units = units.filter(tally__situation=filters["situation"])
    board = dashboard.build_district(units, today=timezone.localdate())
    context = {
        "level": "district",
        "obj": district,
        "trail": _trail("district", district, request.user),
        "board": board,
        "filters": filters,
        "stages": Stage.choices,
        "situations": rules.SITUATIONS,
        "charts": {"progress": board.progress, "trend": board.trend},
    }
    return _render(request, context, "dashboard/includes/_district_body.html")


def _render(request, context, body):
    """The whole page, or only its body for a filter changed in place (htmx)."""
    return render(request, body if request.htmx else "dashboard/dashboard.html", {**context, "body": body})
