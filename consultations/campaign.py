"""Plain rules of the consultation campaign: the notice period, the order of the visit list and floor
bands. No Django here; views and services call these. (What an uploaded opinion form may be is the upload
spec's: retrofit/uploads.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .rules import UNDECIDED

# --- public notice period -------------------------------------------------------------------------


def notice_last_day(starts_on: date, days: int) -> date:
    """The last day of a notice of ``days`` calendar days that starts on ``starts_on``.

    The first day counts: a 20-day notice posted on 1 March runs 1–20 March. Day counts of local
    policies (Guangzhou "不少于20日") are read this way, so the last day is still inside the period.
    """
    if days < 1:
        raise ValueError("a notice period lasts at least one day")
    return starts_on + timedelta(days=days - 1)


def notice_period_over(today: date, starts_on: date, days: int) -> bool:
    """True from the day after the last day: on the last day itself the notice is still running."""
    return today > notice_last_day(starts_on, days)


def notice_counted_from(starts_on: date, recorded_on: date, *, backdated: bool = False) -> date:
    """The first day that counts towards the period: the typed start, but never before the day the
    notice was recorded in the system, except a street leader's recorded earlier posting (``backdated``),
    whose typed date is his recorded responsibility."""
    return starts_on if backdated else max(starts_on, recorded_on)


def signing_opens_on(starts_on: date, days: int, recorded_on: date, *, backdated: bool = False) -> date:
    """The first day the unit may move to signing: the day after the last day of the period counted
    from ``notice_counted_from``."""
    return notice_last_day(notice_counted_from(starts_on, recorded_on, backdated=backdated), days) + timedelta(days=1)


def notice_days_left(today: date, starts_on: date, days: int) -> int:
    """Days of the period still to run, today included; 0 once it is over."""
    last = notice_last_day(starts_on, days)
    if today > last:
        return 0
    return (last - max(today, starts_on)).days + 1


# --- floor bands for the support pattern ----------------------------------------------------------

LOW, MIDDLE, HIGH = "low", "middle", "high"
FLOOR_BANDS = (LOW, MIDDLE, HIGH)


def floor_band(floor: int) -> str:
    """1–2F low, 3–4F middle, 5F and up high: the split the pilot report draws (低层 vs 高楼层).

    Old walk-up blocks have 5–7 floors, so fixed bands keep estates comparable with each other.
    """
    if floor <= 2:
        return LOW
    if floor <= 4:
        return MIDDLE
    return HIGH


# --- visit order ----------------------------------------------------------------------------------

SOFT_DEGREE, UNASSESSED, STRONG_DEGREE = 0, 1, 2


@dataclass(frozen=True)
class VisitCandidate:
    """What the visit order needs to know about one owner not yet agreeing, in a unit that fails."""

    agrees_needed: int  # of the owner's unit
    in_minimal_set: bool  # among the owners whose agreement alone would carry the unit
    degree: str | None  # "soft", "strong" or None when nobody has assessed them yet
    last_contact: datetime | None  # None: never contacted
    unit_label: str = ""
    room: str = ""


def degree_rank(degree: str | None) -> int:
    # A soft holdout is the likelier win; an owner nobody has asked yet sits between soft and strong.
    return {"soft": SOFT_DEGREE, "strong": STRONG_DEGREE}.get(degree or "", UNASSESSED)


def visit_order_key(candidate: VisitCandidate) -> tuple:
    """Sort key: the visit that moves a unit closest to passing comes first.

    1. the unit's agrees needed, smaller first (one short beats twenty short);
    2. owners in the unit's minimal set first (their agreement alone carries it);
    3. soft objection, then not yet assessed, then strong;
    4. longest since the last contact first, never contacted before everyone;
    5. unit and room, so that equal keys keep a stable, readable order.
    """
    never = candidate.last_contact is None
    stamp = 0.0 if never else candidate.last_contact.timestamp()
    return (
        candidate.agrees_needed,
        0 if candidate.in_minimal_set else 1,
        degree_rank(candidate.degree),
        0 if never else 1,
        stamp,
        candidate.unit_label,
        candidate.room,
    )



# --- the owner and the vote of a flat on a given day (docs/rules.md, "Consent": a change of owner) -------


@dataclass(frozen=True)
class VoteEntry:
    """One entry of a flat's vote history: when it was written (and that day, locally), before and after."""

    at: datetime
    day: date
    before: str
    after: str


@dataclass(frozen=True)
class TransferEntry:
    """One change of owner of a flat: the day it took effect, when it was recorded, the owners."""

    on: date
    at: datetime
    old_name: str
    old_phone: str
    new_name: str
    new_phone: str


def holder_on(day: date, transfers: list[TransferEntry], name: str, phone: str) -> tuple:
    """The owner of a flat on ``day`` as ``(name, phone, since, until)``: ``since`` and ``until`` are the
    times the changes of owner that began and ended their holding were recorded (None: none on record).

    ``transfers`` are the flat's changes of owner by day; ``name`` and ``phone`` its owner now.
    """
    earlier = [t for t in transfers if t.on <= day]
    later = [t for t in transfers if t.on > day]
    since = earlier[-1].at if earlier else None
    if later:
        return later[0].old_name, later[0].old_phone, since, later[0].at
    return name, phone, since, None


def vote_on(day: date, changes: list[VoteEntry], since: datetime | None, until: datetime | None, *, current: str) -> str:
    """The vote of a flat's owner of that day (``since``/``until`` from ``holder_on``) on ``day``.

    Their own entries are those written while they held the flat on record; the last one written by
    ``day`` counts. A new owner with none yet is undecided; the first owner on record, before their first
    entry, had the vote that entry replaced (``current`` when the flat has no history at all).
    """
    changes = sorted(changes, key=lambda c: c.at)
    own = [c for c in changes if (since is None or c.at >= since) and (until is None or c.at < until)]
    said = [c for c in own if c.day <= day]
    if said:
        return said[-1].after
    if since is not None:
        return UNDECIDED
    later = [c for c in changes if c.day > day]
    if later:
        return later[0].before or UNDECIDED
    return current
