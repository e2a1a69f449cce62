"""Writes to the contact log: one contact with a household, its opinion form, the vote given in it."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import documents, uploads
from units.models import Household

from ..models import ConsultationRound, Contact, OpinionFormVersion
from ..selectors import current_vote
from .votes import vote_record

# --- contacts -------------------------------------------------------------------------------------

CONTACT_IN_FUTURE = _("A contact cannot be logged in the future.")


def contact_log(
    *,
    household: Household,
    channel: str,
    outcome: str,
    by,
    note: str = "",
    companions: str = "",
    contacted_at=None,
    opinion_form=None,
    vote: str = "",
    vote_reason: str = "",
) -> Contact:
    """Log one contact with a household. A vote given in it is recorded too, citing the contact."""
    now = timezone.now()
    contacted_at = contacted_at or now
    # A minute of slack for a phone whose clock runs ahead of the server's.
    if contacted_at > now + timedelta(minutes=1):
        raise ValidationError(CONTACT_IN_FUTURE)
    # Checked by the form too; checked again here for callers without one (the demo, commands).
    form_type = uploads.check(uploads.OPINION_FORM, opinion_form) if opinion_form else ""
    with transaction.atomic():
        current_round = ConsultationRound.objects.current().filter(unit_id=household.unit_id).first()
        contact = Contact(
            household=household,
            round=current_round,
            channel=channel,
            outcome=outcome,
            made_by=by,
            companions=companions.strip(),
            contacted_at=contacted_at,
            note=note.strip(),
        )
        contact.full_clean(exclude=["opinion_form_version"])
        contact.save()
        if opinion_form:
            contact.opinion_form_version = documents.version_add(
                model=OpinionFormVersion, owner=contact, upload=opinion_form, content_type=form_type, by=by, when=now
            )
            contact.save(update_fields=["opinion_form_version"])
        if vote and vote != current_vote(household).value:
            vote_record(household=household, value=vote, reason=(vote_reason or note).strip(), by=by, contact=contact)
    return contact
