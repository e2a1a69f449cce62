"""retrofit/db.py: which database errors are a conflict with another writer."""

import psycopg.errors
import pytest
from django.db import OperationalError

from retrofit.db import is_lock_conflict, lock_conflicts_as


def _wrapped(cause):
    try:
        raise cause
    except Exception as error:
        try:
            raise OperationalError(str(error)) from error
        except OperationalError as wrapped:
            return wrapped


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.errors.LockNotAvailable("could not obtain lock"),
    ],
    ids=["deadlock", "serialization", "lock-timeout"],
)
def test_postgresql_conflicts_are_conflicts(cause):
    assert is_lock_conflict(_wrapped(cause))


def test_sqlite_busy_is_a_conflict_and_other_errors_are_not():
    assert is_lock_conflict(OperationalError("database is locked"))
    assert not is_lock_conflict(OperationalError("no such table: units_unit"))
    assert not is_lock_conflict(_wrapped(psycopg.errors.UndefinedTable("relation does not exist")))


class Refused(Exception):
    pass


def test_a_conflict_becomes_the_given_answer_and_anything_else_passes_through():
    with pytest.raises(Refused), lock_conflicts_as(Refused()):
        raise _wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))
    with pytest.raises(OperationalError), lock_conflicts_as(Refused()):
        raise OperationalError("no such table: units_unit")
