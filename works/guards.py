"""Lifecycle guards whose evidence lives in the works app; the decisions themselves are in rules.py."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.guards import each_unit_record, one_unit

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
DATE_IN_FUTURE = _("%(step)s (%(date)s) is in the future; correct the date.")
DATE_BEFORE_EARLIER = _("%(step)s (%(date)s) is before %(earlier)s (%(earlier_date)s); correct the date.")

CODE_MESSAGES = {
    rules.PERMIT_MISSING: PERMIT_MISSING,
    rules.MARKET_NOTICE_MISSING: MARKET_NOTICE_MISSING,
    rules.COMPLETION_MISSING: COMPLETION_MISSING,
    rules.REGISTRATION_MISSING: REGISTRATION_MISSING,
}


def _step_labels() -> dict[str, str]:
    labels = {
        name: str(model._meta.get_field(name).verbose_name)
        for model, names in ((Approval, ("permit_date", "market_notice_date")), (Construction, ("started_on", "completed_on")))
        for name in names
    }
    labels.update({level: str(label) for level, label in AcceptanceLevel.choices})
    labels["registered_on"] = str(Registration._meta.verbose_name)
    return labels


def date_messages(steps, *, only=None) -> list[str]:
    """Sentences for the dates of ``steps`` (in the order they must happen) that cannot be true: in the
    future, or before the step ahead of them. ``only`` keeps the problems of this guard's own steps."""
    labels = _step_labels()
    messages = []
    for problem in rules.date_problems(steps, timezone.localdate()):
        if only is not None and problem.step not in only:
            continue
        values = {"step": labels[problem.step], "date": problem.date.isoformat()}
        if problem.code == rules.IN_FUTURE:
            messages.append(str(DATE_IN_FUTURE % values))
        else:
            values.update(earlier=labels[problem.earlier], earlier_date=problem.earlier_date.isoformat())
            messages.append(str(DATE_BEFORE_EARLIER % values))
    return messages


def approval_done_many(units) -> dict[int, list[str]]:
    """Approval → construction, for a list of units: one query. So are the other guards' ``_many`` forms."""
    return each_unit_record(units, Approval.objects.all(), _approval_messages)


def _approval_messages(approval: Approval | None) -> list[str]:
    approval = approval or Approval()
    messages = [str(CODE_MESSAGES[code]) for code in approval.missing]
    for name in ("permit_date", "market_notice_date"):
        messages.extend(date_messages([(name, getattr(approval, name))]))
    return messages


def construction_complete_many(units) -> dict[int, list[str]]:
    # The approval comes along in the same query: work starts after the notice to market supervision.
    return each_unit_record(units, Construction.objects.select_related("unit__approval"), _construction_messages)


def _construction_messages(construction: Construction | None) -> list[str]:
    construction = construction or Construction()
    approval = getattr(construction.unit, "approval", None) if construction.pk else None
    messages = []
    for code in construction.missing:
        if code in CODE_MESSAGES:
            messages.append(str(CODE_MESSAGES[code]))
        else:
            label = Construction._meta.get_field(code).verbose_name
            messages.append(str(CHECKLIST_OPEN % {"item": label}))
    steps = [
        ("market_notice_date", approval.market_notice_date if approval else None),
        ("started_on", construction.started_on),
        ("completed_on", construction.completed_on),
    ]
    messages.extend(date_messages(steps, only={"started_on", "completed_on"}))
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


def acceptance_passed_many(units) -> dict[int, list[str]]:
    # Each check carries the unit's construction along (one query): no level before completion.
    ids = [unit.pk for unit in units]
    by_unit: dict[int, list] = {unit_id: [] for unit_id in ids}
    for check in AcceptanceCheck.objects.filter(unit_id__in=ids).select_related("unit__construction"):
        by_unit[check.unit_id].append(check)
    return {unit_id: _acceptance_of(checks) for unit_id, checks in by_unit.items()}


def _acceptance_of(checks) -> list[str]:
    attempts = [check.attempt for check in checks]
    messages = acceptance_messages(rules.acceptance_blockers(attempts))
    # A failed level sends the unit back and moves the completion date on, so a level passed earlier may
    # precede today's completion date: the guard holds each level to the start of construction, and
    # acceptance_record holds a new check to the completion date on file when it is recorded.
    construction = getattr(checks[0].unit, "construction", None) if checks else None
    started_on = construction.started_on if construction else None
    for level, attempt in sorted(rules.latest_by_level(attempts).items(), key=lambda item: rules.LEVELS.index(item[0])):
        messages.extend(date_messages([("started_on", started_on), (level, attempt.date)], only={level}))
    return messages


def registered_many(units) -> dict[int, list[str]]:
    # The date the city level passed comes along in the same query: registration follows it.
    city_passed_on = (
        AcceptanceCheck.objects.filter(unit=OuterRef("unit"), level=rules.CITY, result=rules.PASS)
        .order_by("-date", "-id")
        .values("date")[:1]
    )
    registrations = Registration.objects.annotate(city_passed_on=Subquery(city_passed_on))
    return each_unit_record(units, registrations, _registration_messages)


def _registration_messages(registration: Registration | None) -> list[str]:
    if registration is None:
        return [str(REGISTRATION_MISSING)]
    messages = [
        str(CODE_MESSAGES[code])
        for code in rules.registration_missing(number=registration.number, registered_on=registration.registered_on)
    ]
    steps = [(rules.CITY, registration.city_passed_on), ("registered_on", registration.registered_on)]
    messages.extend(date_messages(steps, only={"registered_on"}))
    return messages


# The one-unit forms (unit_move, the unit page), registered with their lists' forms in apps.py.
approval_done = one_unit(approval_done_many)
construction_complete = one_unit(construction_complete_many)
acceptance_passed = one_unit(acceptance_passed_many)
registered = one_unit(registered_many)
