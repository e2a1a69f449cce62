"""A person's decision on two flats listed as possibly one owner (docs/rules.md, "Possible same owner")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from retrofit.params import int_param
from units.permissions import require_editor

from ..services.same_owner import NOT_A_PAIR, same_owner_decide
from .scope import roster_post, units_of


def _ids(request) -> list[int]:
    ids = [int_param(request.POST, "first"), int_param(request.POST, "second")]
    return [] if None in ids else ids


@roster_post
def same_owner_decision(request, pk):
    """POST first, second (household ids of the unit) and same ("1": one owner, "0": different people)."""
    unit = get_object_or_404(units_of(request.user), pk=pk)
    require_editor(request.user)
    ids = _ids(request)
    households = {h.pk: h for h in unit.households.filter(pk__in=ids)}
    if len(households) != 2 or request.POST.get("same") not in ("0", "1"):
        messages.error(request, NOT_A_PAIR)
        return redirect("unit_detail", pk=unit.pk)
    first, second = households[ids[0]], households[ids[1]]
    same = request.POST["same"] == "1"
    try:
        same_owner_decide(unit=unit, first=first, second=second, same=same, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = _("%(first)s and %(second)s recorded as one owner.") if same else _("%(first)s and %(second)s recorded as different people.")
        messages.success(request, done % {"first": first.room, "second": second.room})
    return redirect("unit_detail", pk=unit.pk)
