"""The vote of one flat: a bottom sheet on the unit page (HTMX), or a page of its own."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone

from retrofit.db import lock_conflicts_as
from retrofit.formflow import posted, submit
from units.permissions import get_rw_household_for_user, get_unit_for_user

from ..forms import VoteForm
from ..models import ClientSaveKind
from ..selectors import current_vote
from ..services.client_saves import save_once, save_time
from ..services.votes import StaleVote, vote_record
from ..unit_page import live_context
from .scope import roster_form


@roster_form
def household_vote(request, pk):
    """The vote form for one flat: a bottom sheet on the unit page (HTMX), or a page of its own."""
    household = get_rw_household_for_user(request.user, pk)

    def fresh_form(data=None):
        vote = current_vote(household)
        initial = {"value": vote.value, "reason": vote.reason, "version": vote.version}
        return VoteForm(data, initial=initial, household=household)

    def reload():
        household.refresh_from_db()
        return fresh_form()

    def save(data):
        # A save kept on the phone without signal carries the time it was taken there (bounded).
        at = save_time(data["saved_at"], now=timezone.now())

        def write():
            return vote_record(
                household=household,
                value=data["value"],
                reason=data["reason"].strip(),
                by=request.user,
                expected_version=data["version"],
                contact=data.get("contact"),
                at=at,
            )

        with lock_conflicts_as(StaleVote()):  # a deadlock is a conflict, not a crash
            # Once per key: a retry or a double tap is answered as the first save, nothing written again.
            save_once(
                key=data["client_key"], kind=ClientSaveKind.VOTE, household=household, by=request.user,
                saved_at=at, write=write,
            )

    def done(_result):
        if not request.htmx:
            return redirect("unit_detail", pk=household.unit_id)
        unit = get_unit_for_user(request.user, household.unit_id)
        response = render(request, "units/includes/_unit_live.html", live_context(request, unit))
        response["HX-Trigger"] = "voteSaved"
        # The version now stored: the phone sends the next save it kept for this flat against it.
        household.refresh_from_db()
        response["X-Vote-Version"] = str(current_vote(household).version)
        return response

    def page(form, status):
        context = {
            "household": household,
            "form": form,
            "vote": current_vote(household),
            "history": household.vote_changes.select_related("changed_by")[:10],
            "roster_history": household.roster_changes.select_related("changed_by")[:10],
        }
        if not request.htmx:
            return render(request, "units/vote_page.html", context, status=status)
        response = render(request, "units/includes/_vote_form.html", context, status=status)
        if request.method == "POST":
            # Errors go back into the sheet, not over the grid.
            response["HX-Retarget"] = "#vote-sheet-body"
            response["HX-Reswap"] = "innerHTML"
        return response

    return submit(request, fresh_form(posted(request)), save, done=done, page=page, reload=reload)
