"""Writes to the residents' voice. Every change lands in the vote history, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Household

from . import rules
from .models import Vote, VoteChange, VoteSource, VoteValue

STALE_VOTE = _(
    "Someone else changed this household's vote while you were editing it. "
    "The form now shows the latest vote; check it and save again."
)
UNKNOWN_VOTE = _("Unknown vote value.")


class StaleVote(Exception):
    pass


def owner_key(household: Household) -> tuple:
    """The same de-duplication key the consent engine uses: name and phone, when a phone is given."""
    phone = household.phone.strip()
    if phone:
        return ("phone", household.owner_name.strip(), phone)
    return ("room", household.room)


def same_owner_households(household: Household) -> list[Household]:
    """The flats in the same unit held by this household's owner (the household itself included)."""
    key = owner_key(household)
    if key[0] == "room":
        return [household]
    # Names and phones are stored stripped (forms and the import strip them).
    return list(
        Household.objects.filter(unit_id=household.unit_id, owner_name=key[1], phone=key[2])
        .select_for_update()
        .order_by("pk")
    )


def current_vote(household: Household) -> Vote:
    try:
        return household.vote
    except Vote.DoesNotExist:
        return Vote(household=household, value=VoteValue.UNDECIDED)


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
) -> VoteResult:
    """Record a household's vote, and the same vote for every other flat its owner holds in the unit.

    One owner counts once and casts one vote (DESIGN.md, Consent), so their flats never disagree.
    ``expected_version`` is the version the editor saw; if the vote moved on since, nothing is written.
    """
    if value not in rules.VOTES:
        raise ValueError(UNKNOWN_VOTE)
    now = timezone.now()
    changed: list[Household] = []
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        vote = Vote.objects.select_for_update().filter(household=locked).first()
        version = vote.version if vote else 0
        if expected_version is not None and expected_version != version:
            raise StaleVote(STALE_VOTE)
        for flat in same_owner_households(locked):
            flat_vote = Vote.objects.select_for_update().filter(household=flat).first()
            before = flat_vote.value if flat_vote else VoteValue.UNDECIDED
            if flat_vote and before == value and flat_vote.reason == reason:
                continue
            if flat_vote is None:
                flat_vote = Vote(household=flat, version=0)
            flat_vote.value = value
            flat_vote.reason = reason
            flat_vote.recorded_by = by
            flat_vote.recorded_at = now
            flat_vote.version += 1
            flat_vote.save()
            VoteChange.objects.create(
                household=flat, before=before, after=value, reason=reason, source=source, changed_by=by, changed_at=now
            )
            changed.append(flat)
    return VoteResult(changed=changed)


def flats_for_rules(households: Iterable[Household]) -> list[rules.Flat]:
    """Turn households (with their vote selected or prefetched) into the consent engine's flats."""
    return [
        rules.Flat(
            room=h.room,
            area=h.area,
            vote=current_vote(h).value,
            owner_name=h.owner_name.strip(),
            phone=h.phone.strip(),
        )
        for h in households
    ]
