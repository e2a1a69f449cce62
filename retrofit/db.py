"""Database errors that are answers, not crashes."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import OperationalError

# PostgreSQL: deadlock_detected, serialization_failure, lock_not_available.
LOCK_CONFLICT_STATES = frozenset({"40P01", "40001", "55P03"})


def is_lock_conflict(error: OperationalError) -> bool:
    """Whether the database gave up on this transaction because another one held what it needed (a
    deadlock, a serialization failure, a lock wait that timed out; on SQLite a write lock not released
    in time). Retrying the same request after the other transaction may succeed."""
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in LOCK_CONFLICT_STATES:
        return True
    return "database is locked" in str(error) or "database table is locked" in str(error)


@contextmanager
def lock_conflicts_as(exception: Exception):
    """Turn a lock conflict raised inside the block into ``exception`` (say, the stale-form error whose
    page the view already knows how to show); any other database error passes on unchanged. Use it around
    the outermost transaction only: inside an open transaction the conflict has broken that transaction."""
    try:
        yield
    except OperationalError as error:
        if not is_lock_conflict(error):
            raise
        raise exception from error
