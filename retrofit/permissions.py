"""Small helpers every view uses to reach an object: 404 outside the user's scope, 403 for read-only roles."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from units.models import Estate, Household, Unit

READ_ONLY = _("Your role can read this page but not change it.")


def require_editor(user) -> None:
    if not user.can_edit:
        raise PermissionDenied(READ_ONLY)


def get_unit_for_user(user, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(user).for_listing(), pk=pk)


def get_rw_unit_for_user(user, pk: int) -> Unit:
    unit = get_unit_for_user(user, pk)
    require_editor(user)
    return unit


def get_estate_for_user(user, pk: int) -> Estate:
    return get_object_or_404(Estate.objects.visible_to(user).select_related("community__street"), pk=pk)


def get_rw_household_for_user(user, pk: int) -> Household:
    household = get_object_or_404(
        Household.objects.filter(unit__in=Unit.objects.visible_to(user))
        .select_related("unit__building__estate__community__street")
        .select_related("vote"),
        pk=pk,
    )
    require_editor(user)
    return household
