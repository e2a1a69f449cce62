"""Rate limits of the public pages, kept in the database so that every server process shares them.

* The unit page: at most ``PAGE_LIMIT`` requests per address and link in a fixed ``PAGE_WINDOW``.
* Household codes: at most ``WRONG_PER_IP`` wrong codes from one address in ``IP_WINDOW`` and
  ``WRONG_PER_UNIT`` wrong codes for one unit in ``UNIT_WINDOW`` (sliding windows over the failures).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import CodeFailure, PageHit

PAGE_LIMIT = 60
PAGE_WINDOW = 600  # seconds

WRONG_PER_IP = 5
IP_WINDOW = timedelta(minutes=15)
WRONG_PER_UNIT = 5
UNIT_WINDOW = timedelta(hours=1)


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


def code_throttled(*, unit_id: int, ip: str | None, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    recent = CodeFailure.objects.filter(at__gte=now - max(IP_WINDOW, UNIT_WINDOW))
    if ip and recent.filter(ip=ip, at__gte=now - IP_WINDOW).count() >= WRONG_PER_IP:
        return True
    return recent.filter(unit_id=unit_id, at__gte=now - UNIT_WINDOW).count() >= WRONG_PER_UNIT


def code_failed(*, unit_id: int, ip: str | None, now: datetime | None = None) -> None:
    now = now or timezone.now()
    CodeFailure.objects.create(unit_id=unit_id, ip=ip, at=now)
    CodeFailure.objects.filter(at__lt=now - 2 * UNIT_WINDOW).delete()  # keep the table small
