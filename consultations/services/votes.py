"""Writes to the votes: every change lands in the history, one owner's flats always together."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.refusals import Stale
from units.models import Household

from .. import rules
from ..models import Vote, VoteChange, VoteSource, VoteValue
from ..selectors import owner_groups, owner_key, same_owner_decisions
from ..signals import lock_units

STALE_VOTE = _(
    "Someone else changed this household's vote while you were editing it. "
    "The form now shows the latest vote; check it and save again."
)
UNKNOWN_VOTE = _("Unknown vote value.")
CONTACT_OF_ANOTHER_OWNER = _("A vote can only cite a contact with the same owner.")


class StaleVote(Stale):
    """The vote (or its owner) changed after the form was drawn: nothing was written."""

    default_message = STALE_VOTE


def owner_flats_lock(household: Household) -> list[Household]:
    """Lock every flat in the unit held by this household's owner (the household itself included) and
    return them, fresh, in id order: the owner as the consent count knows them, the owner key and staff's
    same-owner links together (selectors.owner_groups).

    The unit's flats are all locked in ONE statement ordered by id, before any vote is touched: two editors
    saving two flats of the same owner then queue on the first flat instead of each holding one flat and
    waiting for the other's (a deadlock). The unit is locked next, as a vote's save locks it (signals.py),
    so no same-owner decision changes while the owner's flats are written. If the household's owner changed
    since it was read (so the set locked is not their flats any more), the form is stale.
    """
    key = owner_key(household)
    locked = list(Household.objects.filter(unit_id=household.unit_id).select_for_update().order_by("pk"))
    lock_units([household.unit_id])
    this = next((flat for flat in locked if flat.pk == household.pk), None)
    if this is None or owner_key(this) != key:
        raise StaleVote(STALE_VOTE)
    decisions = same_owner_decisions([household.unit_id])[household.unit_id]
    held = next(group for group in owner_groups(locked, decisions) if this in group)
    return sorted(held, key=lambda flat: flat.pk)


def vote_write(flat: Household, vote: Vote | None, *, value, reason, source, by, now, contact=None, why=None) -> Vote:
    """Write one flat's vote (its row locked by the caller, or None when it has none yet) and its history:
    the one place a vote changes (vote_record, the change of owner). ``why`` is the history's reason when it
    is not the vote's own (a change of owner closes the vote with a note but gives the new one none)."""
    before = vote.value if vote is not None else VoteValue.UNDECIDED
    vote = vote or Vote(household=flat, version=0)
    vote.value, vote.reason, vote.recorded_by, vote.recorded_at = value, reason, by, now
    vote.version += 1
    vote.save()
    VoteChange.objects.create(
        household=flat, before=before, after=value, reason=reason if why is None else why, source=source,
        changed_by=by, changed_at=now, contact=contact,
    )
    return vote


@dataclass(frozen=True)
class VoteResult:
    changed: list[Household]


def vote_record(
    *,
    household: Household,
    value: str,
    reason: str = "",
    by,
    expected_version: int | None = None,
    source: str = VoteSource.PAGE,
    contact=None,
    at=None,
) -> VoteResult:
    """Record a household's vote, and the same vote for every other flat its owner holds in the unit.

    One owner counts once and casts one vote (docs/rules.md, "Consent"), so their flats never disagree.
    ``expected_version`` is the version the editor saw; if the vote moved on since, nothing is written.
    ``contact``, when given, is the visit, call or meeting in which the vote was given: it must be a
    contact with one of this owner's flats, and every history entry written here cites it.
    ``at`` is when the vote was given, for a save kept on the phone and sent later (services/client_saves.py):
    never later than now, and never before the owner's flats' last recorded vote, so the history stays in
    the order the votes were written.
    """
    if value not in rules.VOTES:
        raise ValueError(UNKNOWN_VOTE)
    now = timezone.now()
    changed: list[Household] = []
    with transaction.atomic():
        flats = owner_flats_lock(household)
        # Their votes too, in one statement in id order, for the same reason.
        votes = {vote.household_id: vote for vote in Vote.objects.select_for_update().filter(household__in=flats).order_by("pk")}
        vote = votes.get(household.pk)
        version = vote.version if vote else 0
        if expected_version is not None and expected_version != version:
            raise StaleVote(STALE_VOTE)
        if contact is not None and contact.household_id not in {flat.pk for flat in flats}:
            raise ValueError(CONTACT_OF_ANOTHER_OWNER)
        if at is not None:
            last = max((v.recorded_at for v in votes.values() if v.recorded_at is not None), default=at)
            now = min(max(at, last), now)
        if vote is not None and value != vote.value and reason == vote.reason:
            # The reason belongs to the vote it was given for: a form drawn with the old vote's reason and
            # sent with another value does not carry it over (the history keeps it with the old vote).
            reason = ""
        for flat in flats:
            flat_vote = votes.get(flat.pk)
            if flat_vote and flat_vote.value == value and flat_vote.reason == reason:
                continue
            vote_write(flat, flat_vote, value=value, reason=reason, source=source, by=by, now=now, contact=contact)
            changed.append(flat)
    return VoteResult(changed=changed)
