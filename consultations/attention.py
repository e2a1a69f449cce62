"""Reasons for the attention list whose evidence lives in the consultation app: a feedback deadline
within 7 days or passed, a public notice ending within 7 days (or ended while the unit still waits),
objections to a running notice not settled yet, and units that stopped moving for 30 days.

Registered by the consultation app (apps.ready) in the one list, retrofit/attention.py. Four queries
for any number of units. The feedback deadlines and the stalled units, which may be many (a district has
over a thousand rounds past their deadline), are counted and the first few listed in the database when a
dashboard shows only the worst few: no reason is built for a unit that is not shown.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, Count, Exists, Min, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.attention import ORDER, Attention, Capped, first_and_count
from units.models import Stage

from . import campaign
from .models import ConsultationRound, Notice, NoticeStatus, Objection, RoundStatus, VoteWeek, week_of

DEADLINE_DAYS = 7
NOTICE_DAYS = 7

ROUND_DEADLINE = _("round %(n)d: feedback by %(date)s")
ROUND_OVERDUE = _("round %(n)d: feedback deadline was %(date)s")
NOTICE_ENDS = _("notice runs until %(date)s")
# Only the fact: whether the unit may move on is its next step's to say (units/nextstep.py), which the
# attention list shows beside it — an open objection or a missing notice still blocks signing.
NOTICE_ENDED = _("notice ended on %(date)s")
OBJECTIONS_OPEN = _("%(n)d open, the first received on %(date)s")
LAST_CHANGE = _("last change %(date)s")


def _first_consultation(units, today: date, n: int | None) -> tuple[list[Attention], int]:
    """The feedback deadlines, the notices ending and the open objections: the first ``n`` of the
    deadlines (listed and counted by the database) with every notice and objection reason (one a unit at
    the most, and few), and how many reasons in all."""
    rounds, round_count = _first_round_deadlines(units, today, n)
    others = [*_notices_ending(units, today), *_open_objections(units)]
    return [*rounds, *others], round_count + len(others)


def _first_round_deadlines(units, today: date, n: int | None) -> tuple[list[Attention], int]:
    """Open rounds whose feedback deadline is within DEADLINE_DAYS, or passed: the first ``n`` in the
    list's order (a deadline coming before one passed, then by day and unit) and how many, in one query
    whose rows are the ``n`` rounds; the count is an uncorrelated subquery, computed once."""
    passed = Case(When(deadline__lt=today, then=Value(ORDER["overdue"])), default=Value(ORDER["deadline"]))
    due = ConsultationRound.objects.filter(
        unit__in=units, status=RoundStatus.OPEN, deadline__lte=today + timedelta(days=DEADLINE_DAYS)
    ).order_by(passed, "deadline", "unit_id", "number")
    rows, count = first_and_count(due, n, ("unit_id", "number", "deadline"))
    items = []
    for unit_id, number, deadline in rows:
        kind, message = ("overdue", ROUND_OVERDUE) if deadline < today else ("deadline", ROUND_DEADLINE)
        items.append(Attention.told(unit_id, kind, message, deadline, n=number, date=deadline))
    return items, count


consultation_attention = Capped(_first_consultation)


def _notices_ending(units, today: date) -> list[Attention]:
    """Running notices whose last day is within NOTICE_DAYS, or passed while the unit still waits."""
    notices = Notice.objects.filter(unit__in=units, status=NoticeStatus.RUNNING).values_list(
        "unit_id", "starts_on", "days"
    )
    items = []
    for unit_id, starts_on, days in notices:
        last_day = campaign.notice_last_day(starts_on, days)
        if last_day <= today + timedelta(days=NOTICE_DAYS):
            message = NOTICE_ENDED if last_day < today else NOTICE_ENDS
            items.append(Attention.told(unit_id, "notice_ending", message, last_day, date=last_day))
    return items


def _open_objections(units) -> list[Attention]:
    """Per unit, how many objections to its running notice are not settled, and since when."""
    objections = (
        Objection.objects.filter(notice__unit__in=units, notice__status=NoticeStatus.RUNNING, settled_on__isnull=True)
        .values("notice__unit_id")
        .annotate(n=Count("pk"), first=Min("received_on"))
        .order_by()
    )
    return [
        Attention.told(row["notice__unit_id"], "objection", OBJECTIONS_OPEN, row["first"], n=row["n"], date=row["first"])
        for row in objections
    ]


STALLED_DAYS = 30


def _stalled(units, today: date):
    """Units in an active stage whose stage and votes have not moved for 30 days: the stage's age from
    the unit, the votes' from whether any change came since, asked of the unit's stored weeks of vote
    history (VoteWeek: the last change of each week), the few since the cutoff's, not of every household."""
    cutoff = timezone.make_aware(timezone.datetime.combine(today - timedelta(days=STALLED_DAYS), timezone.datetime.min.time()))
    moved = VoteWeek.objects.filter(unit=OuterRef("pk"), week__gte=week_of(cutoff), last_at__gte=cutoff)
    return units.filter(stage__in=Stage.ACTIVE, stage_since__lt=cutoff).filter(~Exists(moved))


def _first_stalled(units, today: date, n: int | None) -> tuple[list[Attention], int]:
    """The first ``n`` stalled units by id (the list's order: a stalled unit has no due day), each with
    its last change, and how many are stalled: one query, whose rows are the ``n`` units. The count is
    an uncorrelated subquery, computed once; the last change is read for the ``n`` rows only."""
    last_vote = VoteWeek.objects.filter(unit=OuterRef("pk")).order_by("-week").values("last_at")[:1]
    rows, count = first_and_count(
        _stalled(units, today).order_by("pk"), n, ("pk", "stage_since", "last_vote"), last_vote=Subquery(last_vote)
    )
    items = []
    for pk, stage_since, last_vote in rows:
        last = max([d for d in (stage_since, last_vote) if d], default=None)
        if last:
            items.append(Attention.told(pk, "stalled", LAST_CHANGE, date=timezone.localdate(last)))
        else:
            items.append(Attention(pk, "stalled"))
    return items, count


stalled_units = Capped(_first_stalled)
