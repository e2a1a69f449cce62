"""Rate limits of the public pages, kept in the database so that every server process shares them.

* The unit page: at most ``PAGE_LIMIT`` requests per address and link in a fixed ``PAGE_WINDOW``.
* Household codes: wrong codes are counted per client address (retrofit.clientip: an IPv4 address
  or an IPv6 /64), never per unit alone, so a stranger's guesses hold back only the stranger. An
  address may send ``WRONG_PER_ADDRESS_UNIT`` wrong codes for one unit in ``ADDRESS_UNIT_WINDOW``
  (a resident's typos) and ``WRONG_PER_ADDRESS`` over all units in ``ADDRESS_WINDOW`` (the most
  anyone can guess from one address). Sliding windows over the failures. The odds against guessing
  are worked out in docs/operations.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import CodeFailure, PageHit

PAGE_LIMIT = 60
PAGE_WINDOW = 600  # seconds

WRONG_PER_ADDRESS_UNIT = 5
ADDRESS_UNIT_WINDOW = timedelta(minutes=15)
WRONG_PER_ADDRESS = 20
ADDRESS_WINDOW = timedelta(hours=1)


def page_hit(key: str, *, now: datetime | None = None, limit: int | None = None, window: int | None = None) -> bool:
    """Count one request under ``key``; False once the window already holds ``limit`` requests."""
    now = now or timezone.now()
    limit = PAGE_LIMIT if limit is None else limit
    window = PAGE_WINDOW if window is None else window
    slot = int(now.timestamp()) // window
    key = key[:120]
    counter = PageHit.objects.filter(key=key, window=slot)
    if not counter.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                PageHit.objects.create(key=key, window=slot, count=1)
        except IntegrityError:  # another request created it meanwhile
            counter.update(count=F("count") + 1)
        else:
            # A new window started: forget the ones before the previous (keeps the table small).
            PageHit.objects.filter(window__lt=slot - 1).delete()
            return True
    return counter.values_list("count", flat=True).first() <= limit


def _failures(ip: str | None):
    # A request without an address (never under gunicorn) shares one bucket with all such requests.
    return CodeFailure.objects.filter(ip=ip) if ip else CodeFailure.objects.filter(ip__isnull=True)


def code_retry_at(*, unit_id: int, ip: str | None, now: datetime | None = None) -> datetime | None:
    """None if this address may try a code for this unit now; else when it may try again."""
    now = now or timezone.now()
    times = list(_failures(ip).filter(at__gt=now - ADDRESS_WINDOW).order_by("-at").values_list("at", "unit_id"))
    retry = None
    if len(times) >= WRONG_PER_ADDRESS:
        retry = times[WRONG_PER_ADDRESS - 1][0] + ADDRESS_WINDOW
    here = [at for at, unit in times if unit == unit_id and at > now - ADDRESS_UNIT_WINDOW]
    if len(here) >= WRONG_PER_ADDRESS_UNIT:
        retry = max(retry or now, here[WRONG_PER_ADDRESS_UNIT - 1] + ADDRESS_UNIT_WINDOW)
    return retry


def code_throttled(*, unit_id: int, ip: str | None, now: datetime | None = None) -> bool:
    return code_retry_at(unit_id=unit_id, ip=ip, now=now) is not None


def code_failed(*, unit_id: int, ip: str | None, now: datetime | None = None) -> None:
    now = now or timezone.now()
    CodeFailure.objects.create(unit_id=unit_id, ip=ip, at=now)
    CodeFailure.objects.filter(at__lt=now - 2 * ADDRESS_WINDOW).delete()  # keep the table small
