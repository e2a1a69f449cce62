"""Writes to holdouts: why and how strongly a household holds out, and the plan its reason calls for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Household

from ..models import Holdout, HoldoutReason, VoteValue
from ..selectors import cadres_for, current_vote, neighbours_for

# --- holdouts -------------------------------------------------------------------------------------

HOLDOUT_AGREES = _("This household agrees; only owners who do not agree are holdouts.")
RELIEF_POSITIVE = _("The relief must be more than 0 yuan.")
NEIGHBOUR_NOT_NEAR = _("Choose a neighbour from the same floor, unit or building.")
NEIGHBOUR_SELF = _("The neighbour must be another household.")
CADRE_OUT_OF_SCOPE = _("The cadre must be a staff member or leader of this street.")


def holdout_save(
    *,
    household: Household,
    reason: str,
    degree: str,
    by,
    detail: str = "",
    relief_amount: Decimal | None = None,
    neighbour: Household | None = None,
    cadre=None,
    visit_planned_on: date | None = None,
) -> Holdout:
    """Record why and how strongly a household holds out, with the plan its reason calls for.

    Hardship → relief proposed for the cost-share plan; misunderstanding → a joint visit with a named
    neighbour and a cadre. Plan fields that do not belong to the reason are dropped.
    """
    if current_vote(household).value == VoteValue.AGREE:
        raise ValidationError(HOLDOUT_AGREES)
    if reason != HoldoutReason.HARDSHIP:
        relief_amount = None
    if reason != HoldoutReason.MISUNDERSTANDING:
        neighbour, cadre, visit_planned_on = None, None, None
    if relief_amount is not None and relief_amount <= 0:
        raise ValidationError(RELIEF_POSITIVE)
    if neighbour is not None:
        if neighbour.pk == household.pk:
            raise ValidationError(NEIGHBOUR_SELF)
        if not neighbours_for(household).filter(pk=neighbour.pk).exists():
            raise ValidationError(NEIGHBOUR_NOT_NEAR)
    if cadre is not None and not cadres_for(household.unit).filter(pk=cadre.pk).exists():
        raise ValidationError(CADRE_OUT_OF_SCOPE)
    holdout = Holdout.objects.filter(household=household).first() or Holdout(household=household)
    holdout.reason, holdout.degree, holdout.detail = reason, degree, detail.strip()
    holdout.relief_amount = None if relief_amount is None else relief_amount.quantize(Decimal("0.01"))
    holdout.neighbour, holdout.cadre, holdout.visit_planned_on = neighbour, cadre, visit_planned_on
    holdout.recorded_by, holdout.updated_at = by, timezone.now()
    holdout.full_clean()
    holdout.save()
    return holdout
