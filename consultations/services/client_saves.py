"""Saves sent from a phone with a key: the vote sheet and the visit log recorded once per key, at the time
the phone took them (README, "Without signal").

The phone makes a key for each save before it first sends it (``crypto.randomUUID``, static/js/offline.js).
A retry after a lost answer, a double tap, or a save kept on the phone without signal and sent when it
returns carries the same key; the key is unique in ``ClientSave``, written in the same transaction as the
save, so the save is written once and a second request is answered as the first was. A key is the user's
and the household's it was first sent for: anyone else's request with it is refused, nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.refusals import Refused
from units.models import Household

from ..models import ClientSave

# The longest a save may wait on the phone: older, it is refused and stays on the phone for the worker to
# check with the household and record again (or discard).
OLDEST_SAVE = timedelta(days=7)
KEY_PATTERN = re.compile(r"[A-Za-z0-9-]{16,64}")

BAD_KEY = _("This save's key is not one the phone makes.")
KEY_OF_ANOTHER_SAVE = _("This save's key belongs to another save: nothing was recorded.")
SAVE_TOO_OLD = _("This save was made on the phone more than 7 days ago: check it with the household and record it again.")


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError(BAD_KEY)
    return key


def save_time(saved_at: datetime | None, *, now: datetime) -> datetime | None:
    """The time the phone took a save, bounded: never later than ``now`` (a phone's clock running ahead,
    or a save cannot have been made after it arrived), never more than ``OLDEST_SAVE`` before it (refused)."""
    if saved_at is None:
        return None
    if saved_at < now - OLDEST_SAVE:
        raise Refused(SAVE_TOO_OLD)
    return min(saved_at, now)


def save_once(*, key: str, kind: str, household: Household, by, saved_at: datetime | None, write: Callable):
    """Run ``write()`` once for ``key``: returns ``(result, replayed)``. ``replayed`` is True when the key
    was recorded before by the same user for the same household and kind (nothing is written again; the
    result is None); a key recorded for anyone or anything else is refused. Without a key, ``write()`` runs
    as ever. A refusal inside ``write()`` rolls the key back with the save, so the key may be sent again."""
    if not key:
        return write(), False
    check_key(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ClientSave.objects.create(
                    key=key, kind=kind, household=household, user=by, saved_at=saved_at, received_at=timezone.now()
                )
        except IntegrityError:
            first = ClientSave.objects.get(key=key)
            if (first.user_id, first.household_id, first.kind) != (by.pk, household.pk, kind):
                raise Refused(KEY_OF_ANOTHER_SAVE) from None
            return None, True
        return write(), False
