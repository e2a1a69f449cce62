"""Lifecycle guards whose evidence lives in the works app; the decisions themselves are in rules.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import rules
from .models import AcceptanceCheck, AcceptanceLevel, Approval, Construction, Registration

PERMIT_MISSING = _("Record the planning permit or joint review: its number and date.")
MARKET_NOTICE_MISSING = _("Record the date of the installer's notice to market supervision.")
COMPLETION_MISSING = _("Record the date construction was completed.")
CHECKLIST_OPEN = _("Micro-renovation not done yet: %(item)s.")
LEVEL_MISSING = _("%(level)s has not been recorded yet.")
LEVEL_FAILED = _("The latest %(level)s failed (%(date)s); it must be passed on a new check.")
OUT_OF_ORDER = _("%(level)s (%(date)s) is dated before the %(after)s it must follow.")
REGISTRATION_MISSING = _("Record the use registration: its number and date.")

CODE_MESSAGES = {
    rules.PERMIT_MISSING: PERMIT_MISSING,
    rules.MARKET_NOTICE_MISSING: MARKET_NOTICE_MISSING,
    rules.COMPLETION_MISSING: COMPLETION_MISSING,
    rules.REGISTRATION_MISSING: REGISTRATION_MISSING,
}


def approval_done(unit) -> list[str]:
    approval = Approval.objects.filter(unit=unit).first() or Approval(unit_id=unit.pk)
    return [str(CODE_MESSAGES[code]) for code in approval.missing]


def construction_complete(unit) -> list[str]:
    construction = Construction.objects.filter(unit=unit).first() or Construction(unit_id=unit.pk)
    messages = []
    for code in construction.missing:
        if code in CODE_MESSAGES:
            messages.append(str(CODE_MESSAGES[code]))
        else:
            label = Construction._meta.get_field(code).verbose_name
            messages.append(str(CHECKLIST_OPEN % {"item": label}))
    return messages


def acceptance_messages(blockers: list[rules.Blocker]) -> list[str]:
    labels = dict(AcceptanceLevel.choices)
    messages = []
    for blocker in blockers:
        values = {
            "level": labels[blocker.level],
            "date": blocker.date,
            "after": labels.get(blocker.after, ""),
        }
        if blocker.code == rules.LEVEL_MISSING:
            messages.append(str(LEVEL_MISSING % values))
        elif blocker.code == rules.LEVEL_FAILED:
            messages.append(str(LEVEL_FAILED % values))
        else:
            messages.append(str(OUT_OF_ORDER % values))
    return messages


def acceptance_passed(unit) -> list[str]:
    attempts = [check.attempt for check in AcceptanceCheck.objects.filter(unit=unit)]
    return acceptance_messages(rules.acceptance_blockers(attempts))


def registered(unit) -> list[str]:
    registration = Registration.objects.filter(unit=unit).first()
    if registration is None:
        return [str(REGISTRATION_MISSING)]
    return [
        str(CODE_MESSAGES[code])
        for code in rules.registration_missing(
            number=registration.number, registered_on=registration.registered_on
        )
    ]
