"""The contact log of a household: log a visit, call or meeting (with the signed opinion form), and serve the form."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from retrofit import documents
from retrofit.formflow import posted, posted_files, saved, submit
from units.permissions import get_household_for_user, require_editor

from .. import forms
from ..models import ClientSaveKind, Contact, Holdout
from ..selectors import current_vote
from ..services import contacts
from ..services.client_saves import save_once, save_time
from .scope import next_url, roster_form, roster_page, units_of


@roster_form
def contact_new(request, pk):
    household = get_household_for_user(request.user, pk)
    require_editor(request.user)
    unit = household.unit
    default_next = reverse("unit_detail", args=[unit.pk])
    form = forms.ContactForm(posted(request), posted_files(request), initial={"vote": forms.VOTE_UNCHANGED})

    def save(data):
        # The form's fields are the service's keywords (an upload left empty is falsy: no opinion form),
        # but for the phone's key and the time the phone took the save: a visit logged without signal and
        # sent later is logged once, at the time it was taken, unless the worker gave one.
        key, saved_at = data.pop("client_key"), data.pop("saved_at")
        saved_at = save_time(saved_at, now=timezone.now())
        data["contacted_at"] = data["contacted_at"] or saved_at
        save_once(
            key=key, kind=ClientSaveKind.CONTACT, household=household, by=request.user, saved_at=saved_at,
            write=lambda: contacts.contact_log(household=household, by=request.user, **data),
        )

    def page(form, status):
        latest = household.contacts.select_related("made_by").order_by("-contacted_at", "-id")[:10]
        holdout = Holdout.objects.filter(household=household).select_related("neighbour", "cadre").first()
        context = {
            "household": household,
            "unit": unit,
            "estate": unit.building.estate,
            "form": form,
            "vote": current_vote(household),
            "contacts": latest,
            "holdout": holdout,
            "next": next_url(request, default_next),
        }
        return render(request, "consultations/contact_form.html", context, status=status)

    done = saved(request, _("Contact with %(room)s logged.") % {"room": household.room}, next_url(request, default_next))
    return submit(request, form, save, done=done, page=page)


@roster_page
def contact_opinion_form(request, pk):
    """The signed opinion form, served only to editors who can see the household (never from /media/)."""
    contact = get_object_or_404(
        Contact.objects.filter(household__unit__in=units_of(request.user)).select_related("opinion_form_version"), pk=pk
    )
    require_editor(request.user)
    if contact.opinion_form_version is None:
        raise Http404
    version = contact.opinion_form_version
    return documents.version_response(version, filename=f"opinion-form-{contact.pk}{version.extension}")
