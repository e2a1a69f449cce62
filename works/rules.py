"""What must hold before a unit leaves approval, construction, acceptance and in-service.

Plain Python with no Django import: the lifecycle guards in ``works/guards.py`` read the records,
call these functions and turn the codes they return into sentences for staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

SUPERVISORY, DISTRICT, CITY = "supervisory", "district", "city"
# Level by level: the special-equipment supervisory inspection, then the district, then the city.
LEVELS = (SUPERVISORY, DISTRICT, CITY)
PASS, FAIL = "pass", "fail"

PERMIT_MISSING = "permit_missing"
MARKET_NOTICE_MISSING = "market_notice_missing"
COMPLETION_MISSING = "completion_missing"
LEVEL_MISSING = "level_missing"
LEVEL_FAILED = "level_failed"
OUT_OF_ORDER = "out_of_order"
REGISTRATION_MISSING = "registration_missing"

CHECKLIST = ("meter_boxes", "pipes", "drainage_ditch")


def approval_missing(
    *, permit_number: str, permit_date: date | None, market_notice_date: date | None
) -> list[str]:
    """Approval is done once the permit (or joint review) and the notice to market supervision are on file."""
    missing = []
    if not (permit_number or "").strip() or permit_date is None:
        missing.append(PERMIT_MISSING)
    if market_notice_date is None:
        missing.append(MARKET_NOTICE_MISSING)
    return missing


def construction_missing(*, completed_on: date | None, checklist: Mapping[str, bool]) -> list[str]:
    """Construction is complete once it has a completion date and every micro-renovation item is done.

    Returns ``COMPLETION_MISSING`` and/or the names of the checklist items still open, in CHECKLIST order.
    """
    missing = [] if completed_on is not None else [COMPLETION_MISSING]
    missing.extend(item for item in CHECKLIST if not checklist.get(item))
    return missing


@dataclass(frozen=True)
class Attempt:
    """One acceptance check: ``seq`` breaks ties between attempts on the same day (later record wins)."""

    level: str
    result: str
    date: date
    seq: int = 0


@dataclass(frozen=True)
class Blocker:
    code: str
    level: str
    date: date | None = None
    after: str | None = None  # OUT_OF_ORDER: the level this one should have come after


def latest_by_level(attempts: Iterable[Attempt]) -> dict[str, Attempt]:
    latest: dict[str, Attempt] = {}
    for attempt in attempts:
        current = latest.get(attempt.level)
        if current is None or (attempt.date, attempt.seq) > (current.date, current.seq):
            latest[attempt.level] = attempt
    return latest


def acceptance_blockers(attempts: Iterable[Attempt]) -> list[Blocker]:
    """Acceptance has passed when the latest attempt of every level passed, level by level in date order.

    Empty list = passed. A level checked on the same day as the one before it counts as in order.
    """
    latest = latest_by_level(attempts)
    blockers = []
    for level in LEVELS:
        attempt = latest.get(level)
        if attempt is None:
            blockers.append(Blocker(LEVEL_MISSING, level))
        elif attempt.result != PASS:
            blockers.append(Blocker(LEVEL_FAILED, level, attempt.date))
    if blockers:
        return blockers
    for earlier, later in pairwise(LEVELS):
        if latest[later].date < latest[earlier].date:
            blockers.append(Blocker(OUT_OF_ORDER, later, latest[later].date, after=earlier))
    return blockers


IN_FUTURE = "in_future"
BEFORE_EARLIER_STEP = "before_earlier_step"


@dataclass(frozen=True)
class DateProblem:
    code: str
    step: str
    date: date
    earlier: str | None = None  # BEFORE_EARLIER_STEP: the step this one must not precede
    earlier_date: date | None = None


def date_problems(steps: Iterable[tuple[str, date | None]], today: date) -> list[DateProblem]:
    """The dates of a unit's steps, in the order they must happen: none later than today, none before the
    step recorded ahead of it (the same day counts as in order). Steps not yet dated are skipped."""
    problems = []
    previous: tuple[str, date] | None = None
    for step, day in steps:
        if day is None:
            continue
        if day > today:
            problems.append(DateProblem(IN_FUTURE, step, day))
        if previous is not None and day < previous[1]:
            problems.append(DateProblem(BEFORE_EARLIER_STEP, step, day, previous[0], previous[1]))
        previous = (step, day)
    return problems


def registration_missing(*, number: str, registered_on: date | None) -> list[str]:
    if not (number or "").strip() or registered_on is None:
        return [REGISTRATION_MISSING]
    return []
