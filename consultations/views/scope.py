"""What every consultation page reaches through: the roster check, the user's scope (404 outside it) and
the "next" link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from retrofit.formflow import saved, submit
from units.models import Unit
from units.permissions import roster_required

from ..models import ConsultationRound, Meeting, Notice

# --- the checks every page makes before its own: signed in, the method, 403 for roles that never see
# the roster. The view then finds its object in the user's scope (404) and, to change it, requires an
# editor (403), in that order.


def roster_page(view):
    """A page of the roster that only reads."""
    return login_required(roster_required(view))


def roster_form(view):
    """A form page of the roster: GET shows the form, POST saves it."""
    return login_required(require_http_methods(["GET", "POST"])(roster_required(view)))


def roster_post(view):
    """An action on the roster, by POST only."""
    return login_required(require_POST(roster_required(view)))


# --- objects in the user's scope


def units_of(user):
    return Unit.objects.visible_to(user)


def round_for(user, pk) -> ConsultationRound:
    return get_object_or_404(
        ConsultationRound.objects.filter(unit__in=units_of(user)).select_related(
            "unit__building__estate__community__street"
        ),
        pk=pk,
    )


def notice_for(user, pk) -> Notice:
    return get_object_or_404(
        Notice.objects.filter(unit__in=units_of(user)).select_related("unit__building__estate__community__street"),
        pk=pk,
    )


def meeting_for(user, pk) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(user).select_related("street", "community"), pk=pk)


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    # A path on this site ("/meetings/3/"); a bare word would be taken for a URL name by redirect().
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def values_of(obj, *names: str) -> dict:
    """A form's initial values for changing ``obj``: its attributes of those names, as stored now."""
    return {name: getattr(obj, name) for name in names}


def unit_form_page(request, template: str, unit, **context):
    """A form page about one unit (``page`` for retrofit.formflow.submit): the unit and its estate around it."""

    def page(form, status):
        return render(request, template, {"form": form, "unit": unit, "estate": unit.building.estate, **context}, status=status)

    return page


def unit_form(request, form, save, *, unit, template: str, title, done: str, **context):
    """A form about one unit through ``retrofit.formflow.submit``: drawn with the unit and its estate around
    it (``title`` and ``context`` too); once saved, ``done`` is said on the unit's page."""
    page = unit_form_page(request, template, unit, title=title, **context)
    return submit(request, form, save, done=saved(request, done, "unit_detail", pk=unit.pk), page=page)
