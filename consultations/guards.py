"""Lifecycle guards whose evidence lives in the consultation app.

Each guard has its form for one unit (``unit_move`` and the unit page) and for a list of units in a fixed
number of queries (``*_many``: the dashboard and the lists, units/nextstep.py); both say the same words.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notice, NoticeStatus
from .selectors import consent_by_unit


def _consent_messages(result) -> list[str]:
    if not result.ok:
        return [_("The roster has a conflict: %(conflict)s") % {"conflict": result.conflict}]
    consent = result.consent
    if consent.threshold_met:
        return []
    if consent.agrees_needed is None:
        return [_("The unit has no households on its roster.")]
    return [_("Consent is not reached: %(n)d more owners must agree.") % {"n": consent.agrees_needed}]


def consent_ready(unit, counted=None) -> list[str]:
    """Consultation → notice: consent reached, counted live. The unit page passes the count it has
    just made from its households (``counted``, registered in apps.py); unit_move never does."""
    return _consent_messages(counted or consent_by_unit([unit], live=True)[unit.pk])


def consent_ready_many(units, counted=None) -> dict[int, list[str]]:
    """``consent_ready`` for a list: the counts a list has already made (``counted``, by unit id), else
    counted live (two queries)."""
    units = list(units)
    results = counted if counted is not None else consent_by_unit(units, live=True)
    return {unit.pk: _consent_messages(results[unit.pk]) for unit in units}


def _running_notices(unit_ids) -> dict[int, Notice]:
    """The running notice of each unit, with its street and the number of its open objections: one query."""
    notices = (
        Notice.objects.filter(unit_id__in=list(unit_ids), status=NoticeStatus.RUNNING)
        .select_related("unit__building__estate__community__street")
        .annotate(open_objections=Count("objections", filter=Q(objections__settled_on__isnull=True)))
    )
    return {notice.unit_id: notice for notice in notices}


def _period_messages(notice, today) -> list[str]:
    if notice is None:
        return [_("No public notice is running for this unit.")]
    opens = notice.signing_opens_on(min_days=notice.unit.street.notice_days)
    if today < opens:
        return [
            _("The public notice runs until %(day)s; signing can start on %(opens)s.")
            % {"day": f"{opens - timedelta(days=1):%Y-%m-%d}", "opens": f"{opens:%Y-%m-%d}"}
        ]
    return []


def _objection_messages(notice) -> list[str]:
    if notice is None or not notice.open_objections:
        return []
    return [_("%(n)d objection(s) to the notice are still open; settle them first.") % {"n": notice.open_objections}]


def notice_over(unit, today=None) -> list[str]:
    """Notice → signing: a notice is running and its full period has run (its last day included).

    A 20-day notice posted on 1 March runs through 20 March; signing may start on 21 March. The period
    counts from the day the notice was recorded here (the server's clock, not the typed start date),
    unless a street leader recorded an earlier paper posting with a reason; and it is never shorter
    than the street's notice period. Open objections are the next guard's (``objections_settled``).
    """
    return _period_messages(_running_notices([unit.pk]).get(unit.pk), today or timezone.localdate())


def notice_over_many(units, today=None) -> dict[int, list[str]]:
    today = today or timezone.localdate()
    notices = _running_notices(unit.pk for unit in units)
    return {unit.pk: _period_messages(notices.get(unit.pk), today) for unit in units}


def objections_settled(unit) -> list[str]:
    """Notice → signing: no written objection to the running notice is still open."""
    return _objection_messages(_running_notices([unit.pk]).get(unit.pk))


def objections_settled_many(units) -> dict[int, list[str]]:
    notices = _running_notices(unit.pk for unit in units)
    return {unit.pk: _objection_messages(notices.get(unit.pk)) for unit in units}
