"""Lifecycle guards whose evidence lives in the consultation app."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notice, NoticeStatus
from .selectors import consent_by_unit


def consent_ready(unit, counted=None) -> list[str]:
    """Consultation → notice: consent reached, counted live. The unit page passes the count it has
    just made from its households (``counted``, registered in apps.py); unit_move never does."""
    result = counted or consent_by_unit([unit], live=True)[unit.pk]
    if not result.ok:
        return [_("The roster has a conflict: %(conflict)s") % {"conflict": result.conflict}]
    consent = result.consent
    if consent.threshold_met:
        return []
    if consent.agrees_needed is None:
        return [_("The unit has no households on its roster.")]
    return [_("Consent is not reached: %(n)d more owners must agree.") % {"n": consent.agrees_needed}]


def notice_over(unit, today=None) -> list[str]:
    """Notice → signing: the full period has run (its last day included) and no objection is still open.

    A 20-day notice posted on 1 March runs through 20 March; signing may start on 21 March. The period
    counts from the day the notice was recorded here (the server's clock, not the typed start date),
    unless a street leader recorded an earlier paper posting with a reason; and it is never shorter
    than the street's notice period.
    """
    today = today or timezone.localdate()
    notice = Notice.objects.filter(unit=unit, status=NoticeStatus.RUNNING).select_related("unit__building__estate__community__street").first()
    if notice is None:
        return [_("No public notice is running for this unit.")]
    problems = []
    opens = notice.signing_opens_on(min_days=notice.unit.street.notice_days)
    if today < opens:
        problems.append(
            _("The public notice runs until %(day)s; signing can start on %(opens)s.")
            % {"day": f"{opens - timedelta(days=1):%Y-%m-%d}", "opens": f"{opens:%Y-%m-%d}"}
        )
    open_objections = notice.objections.filter(settled_on__isnull=True).count()
    if open_objections:
        problems.append(
            _("%(n)d objection(s) to the notice are still open; settle them first.") % {"n": open_objections}
        )
    return problems
