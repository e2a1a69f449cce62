"""A change of owner 过户 of one flat, and marking its new owner told after signing."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from retrofit.formflow import posted, saved, submit
from units.permissions import get_rw_household_for_user

from ..forms import TransferForm
from ..selectors import current_vote
from ..services import transfers
from .scope import roster_form, roster_post, unit_form_page


@roster_form
def owner_transfer(request, pk):
    household = get_rw_household_for_user(request.user, pk)
    unit = household.unit
    form = TransferForm(posted(request), initial={"transferred_on": timezone.localdate()})
    page = unit_form_page(
        request, "consultations/transfer_form.html", unit,
        household=household, vote=current_vote(household), transfers=list(household.transfers.order_by("-transferred_on")),
    )
    done = saved(request, _("Change of owner recorded for %(room)s.") % {"room": household.room}, "unit_detail", pk=unit.pk)
    return submit(
        request, form,
        lambda data: transfers.owner_transfer_record(household=household, by=request.user, **data),
        done=done, page=page,
    )


@roster_post
def owner_transfer_told(request, pk):
    household = get_rw_household_for_user(request.user, pk)
    if transfers.owner_transfer_told(household=household, by=request.user):
        messages.success(request, _("The new owner of %(room)s is marked as told.") % {"room": household.room})
    return redirect("unit_detail", pk=household.unit_id)
