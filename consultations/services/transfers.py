"""A change of owner 过户: the roster, the vote and the record, in one transaction (docs/rules.md, "Consent":
a change of owner)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import owner_ids, phones
from retrofit.refusals import Refused
from units.locks import lock_household
from units.models import Household, HouseholdChange, RosterSource, Stage

from ..models import OwnerTransfer, Vote, VoteSource, VoteValue
from ..selectors import current_vote, owner_groups, same_owner_decisions
from .same_owner import same_owner_forget
from .votes import vote_write

TRANSFER_IN_FUTURE = _("The day the owner changed cannot lie in the future.")
TRANSFER_BEFORE_LAST = _("This flat's owner already changed on %(day)s: a change of owner cannot come before it.")
TRANSFER_SAME_OWNER = _("The new owner is the owner on record: nothing to change.")
TRANSFER_NAME_REQUIRED = _("Name the new owner.")
TRANSFER_BAD_PHONE = _("“%(value)s” is not a phone number.")
TRANSFER_REASON = _("Change of owner on %(day)s: the previous owner's vote is closed.")


def owner_transfer_record(
    *, household: Household, transferred_on: date, new_name: str, new_phone: str = "", by
) -> OwnerTransfer:
    """Record that ``household``'s flat changed owner on ``transferred_on``.

    The roster's name and phone change (with their history), the old owner's vote closes in the vote
    history and the flat takes the new owner's: undecided, or their one vote when they already hold another
    flat of the unit. Signatures and payments belong to the flat and are left alone; once the unit has
    reached signing the new owner is to be told (``after_signing``).
    """
    new_name = (new_name or "").strip()
    if not new_name:
        raise Refused(TRANSFER_NAME_REQUIRED, code="transfer_name")
    try:
        new_phone = phones.normalise(new_phone)
    except phones.InvalidPhone as invalid:
        raise Refused(TRANSFER_BAD_PHONE, code="transfer_phone", params={"value": invalid.args[0]}) from None
    if transferred_on > timezone.localdate():
        raise Refused(TRANSFER_IN_FUTURE, code="transfer_future")
    now = timezone.now()
    with transaction.atomic():
        flat = lock_household(household)
        last = OwnerTransfer.objects.filter(household=flat).order_by("-transferred_on").first()
        if last is not None and transferred_on < last.transferred_on:
            raise Refused(TRANSFER_BEFORE_LAST, code="transfer_order", params={"day": last.transferred_on.isoformat()})
        old_name, old_phone = flat.owner_name, flat.phone
        if (new_name, new_phone) == (old_name, phones.comparable(old_phone)):
            raise Refused(TRANSFER_SAME_OWNER, code="transfer_same")
        roster = (
            ("owner_name", old_name, new_name),
            ("phone", old_phone, new_phone),
            ("id_hash", owner_ids.masked(flat.id_last4), ""),  # never the number: its last four, masked
            ("institution", flat.institution, ""),
            ("co_owners", flat.co_owners, ""),  # the old owner's co-owners (共有) leave with them
        )
        HouseholdChange.objects.bulk_create(
            HouseholdChange(
                household=flat, field=field, before=before, after=after, source=RosterSource.TRANSFER,
                changed_by=by, changed_at=now,
            )
            for field, before, after in roster
            if before != after
        )
        flat.owner_name, flat.phone = new_name, new_phone
        # The certificate, the institution and the co-owners were the old owner's; the new owner's are not known here.
        flat.id_hash = flat.id_last4 = flat.institution = flat.co_owners = ""
        flat.save(update_fields=["owner_name", "phone", "id_hash", "id_last4", "institution", "co_owners"])
        same_owner_forget(household=flat, by=by, now=now)
        # One owner, one vote: a new owner who already holds a flat here (as the consent count groups owners,
        # same-owner links included) brings their vote to this one.
        others = list(Household.objects.filter(unit_id=flat.unit_id).exclude(pk=flat.pk).select_related("vote"))
        decisions = same_owner_decisions([flat.unit_id])[flat.unit_id]
        owner = next(group for group in owner_groups([flat, *others], decisions) if flat in group)
        held = [current_vote(other).value for other in owner if other.pk != flat.pk]
        value = held[0] if held else VoteValue.UNDECIDED
        vote_write(
            flat, Vote.objects.select_for_update().filter(household=flat).first(), value=value, reason="",
            why=str(TRANSFER_REASON % {"day": transferred_on.isoformat()}), source=VoteSource.TRANSFER, by=by, now=now,
        )
        return OwnerTransfer.objects.create(
            household=flat,
            transferred_on=transferred_on,
            old_name=old_name,
            old_phone=old_phone,
            new_name=new_name,
            new_phone=new_phone,
            after_signing=flat.unit.stage in Stage.SIGNED_OR_LATER,
            recorded_by=by,
            recorded_at=now,
        )


def owner_transfer_told(*, household: Household, by) -> int:
    """Mark the flat's new owners, whom a change after signing left to be told, as told; how many."""
    with transaction.atomic():
        return OwnerTransfer.objects.filter(household=household, after_signing=True, told_at__isnull=True).update(
            told_at=timezone.now(), told_by=by
        )
