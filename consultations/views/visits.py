"""The visit list 走访清单: who to see today, best visit first, per community or unit, and its printout."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from units.models import Community
from units.permissions import get_community_for_user

from .. import situations
from ..selectors import VISIT_STAGES, visit_list
from .scope import roster_page, units_of


@roster_page
@require_safe
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


def _visits(request, units, *, route: str, pk: int, printout: bool, **place):
    """The visit list of ``units`` (for ``place``): on screen with a link to its printout, or printed
    with a link back. ``route`` names the screen page; its printout is ``<route>_print``."""
    today = timezone.localdate()
    listing = visit_list(units, today=today)
    context = {
        "listing": listing,
        "today": today,
        "situations": situations,
        "can_edit": request.user.can_edit,
        **place,
    }
    if printout:  # paper is read in full: every owner
        context["rows"] = list(listing.owners)
        context["back_url"] = reverse(route, args=[pk])
        return render(request, "consultations/visit_list_print.html", context)
    # A page at a time on the phone, read from the database a page at a time (selectors.VisitOwners); a
    # page number that is not one gives the first page, one past the end the last.
    page = Paginator(listing.owners, settings.VISITS_PER_PAGE).get_page(request.GET.get("page"))
    context.update(page=page, rows=page.object_list, print_url=reverse(f"{route}_print", args=[pk]))
    return render(request, "consultations/visit_list.html", context)


def _community_visits(request, pk, *, printout: bool):
    community = get_community_for_user(request.user, pk)
    units = list(
        units_of(request.user)
        .for_listing()
        .select_related("tally")  # the list is told from the stored tallies (selectors.visit_list)
        .filter(building__estate__community=community, stage__in=VISIT_STAGES, eligible=True)
        .order_by("building__estate__name", "building__number", "number")
    )
    return _visits(request, units, route="community_visits", pk=community.pk, printout=printout, community=community)


def _unit_visits(request, pk, *, printout: bool):
    # With its stored tally, as the community's units are (selectors.visit_list).
    unit = get_object_or_404(units_of(request.user).for_listing().select_related("tally"), pk=pk)
    place = {"unit": unit, "estate": unit.building.estate}
    return _visits(request, [unit], route="unit_visits", pk=unit.pk, printout=printout, **place)


# Each list's page on screen and its printout: the same view, told which to draw.
community_visits = roster_page(require_safe(partial(_community_visits, printout=False)))
community_visits_print = roster_page(require_safe(partial(_community_visits, printout=True)))
unit_visits = roster_page(require_safe(partial(_unit_visits, printout=False)))
unit_visits_print = roster_page(require_safe(partial(_unit_visits, printout=True)))
