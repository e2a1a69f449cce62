"""The vote of one flat: a bottom sheet on the unit page (HTMX), or a page of its own."""

from __future__ import annotations

from django.shortcuts import redirect, render

from retrofit.db import lock_conflicts_as
from retrofit.formflow import posted, submit
from units.permissions import get_rw_household_for_user, get_unit_for_user

from ..forms import VoteForm
from ..selectors import current_vote
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
        with lock_conflicts_as(StaleVote()):  # a deadlock is a conflict, not a crash
            vote_record(
                household=household,
                value=data["value"],
                reason=data["reason"].strip(),
                by=request.user,
                expected_version=data["version"],
                contact=data.get("contact"),
            )

    def done(_result):
        if not request.htmx:
            return redirect("unit_detail", pk=household.unit_id)
        unit = get_unit_for_user(request.user, household.unit_id)
        response = render(request, "units/includes/_unit_live.html", live_context(request, unit))
        response["HX-Trigger"] = "voteSaved"
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
