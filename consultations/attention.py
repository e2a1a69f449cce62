"""The attention reason whose evidence is the consultation: units that stopped moving (registered in apps.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.attention import Attention
from units.models import Stage

STALLED_DAYS = 30


def stalled_units(units, today: date) -> list[Attention]:
    """Units in an active stage whose stage and votes have not moved for 30 days."""
    cutoff = timezone.make_aware(timezone.datetime.combine(today - timedelta(days=STALLED_DAYS), timezone.datetime.min.time()))
    rows = (
        units.filter(stage__in=Stage.ACTIVE)
        .filter(stage_since__lt=cutoff)
        .annotate(last_vote=Max("households__vote_changes__changed_at"))
        .filter(Q(last_vote__lt=cutoff) | Q(last_vote__isnull=True))
        .values_list("pk", "stage_since", "last_vote")
    )
    items = []
    for pk, stage_since, last_vote in rows:
        last = max([d for d in (stage_since, last_vote) if d], default=None)
        detail = ""
        if last:
            detail = str(_("last change %(date)s") % {"date": timezone.localdate(last).isoformat()})
        items.append(Attention(pk, "stalled", detail))
    return items
