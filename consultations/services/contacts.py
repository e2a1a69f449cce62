"""Writes to the contact log: one contact with a household, its opinion form, the vote given in it."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import documents
from units.models import Household

from .. import campaign
from ..models import (
    ConsultationRound,
    Contact,
    OpinionFormVersion,
)
from ..selectors import current_vote
from .votes import vote_record

# --- contacts -------------------------------------------------------------------------------------

FORM_TOO_BIG = _("The opinion form file is larger than 5 MB. Take the photo at a lower resolution.")
FORM_BAD_TYPE = _("The opinion form must be a JPEG or PNG photo or a PDF.")
CONTACT_IN_FUTURE = _("A contact cannot be logged in the future.")


def opinion_form_type(upload) -> str:
    """Check an uploaded opinion form by size and by its first bytes; return its real content type."""
    if upload.size > campaign.MAX_FORM_BYTES:
        raise ValidationError(FORM_TOO_BIG)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = campaign.sniff_form_type(head)
    if kind is None:
        raise ValidationError(FORM_BAD_TYPE)
    return kind


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
    form_type = opinion_form_type(opinion_form) if opinion_form else ""
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
