"""Reads of the dashboards and reports from a PostgreSQL read replica; everything else on the primary.

Installed by settings.py only when DATABASE_REPLICA_URL names a replica (streaming replication of the
primary): then ``ReplicaReadsMiddleware`` marks the read-only pages, the GET and HEAD requests of the apps
in ``settings.REPLICA_READ_APPS`` (the street and community dashboards with their attention list, the
exports, the district report), and ``ReplicaRouter`` sends their reads to the replica. The heavy
aggregations move off the primary, which keeps answering votes, imports and every form.

What never goes to the replica, because a replica lags its primary by a moment:

- a write, of any request (``db_for_write`` is always the primary);
- a read inside a transaction on the primary: it may need what that transaction wrote, or lock rows;
- a read after the request wrote anything (a dashboard storing a missing tally, an export logging
  itself in ExportLog): from then on the request reads its own writes from the primary;
- the session and the signed-in user, read before the page's reads begin, so a login, a logout or a
  changed role is never answered from a copy a moment old;
- anything outside those pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import Resolver404, resolve

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _Reads:
    """The replica reads of one request (or block): open until its first write."""

    wrote: bool = False


# Per request, not per process: a context variable is private to its thread (and to its asyncio task).
_reads: ContextVar[_Reads | None] = ContextVar("replica_reads", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads may go to the replica, until the block's first write."""
    token = _reads.set(_Reads())
    try:
        yield
    finally:
        _reads.reset(token)


class ReplicaRouter:
    """Reads in a ``replica_reads`` block go to the replica, unless they must see the primary (above)."""

    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None or reads.wrote or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        """A row read from the replica is the primary's row: relations between them are allowed."""
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Only the primary is migrated; the replica follows it by replication."""
        return db == PRIMARY


def reads_from_replica(request) -> bool:
    """Whether this request is one of the read-only pages (module docstring) and signed in.

    Asking whether the user is signed in loads the session and the user from the primary, first.
    """
    if request.method not in READ_ONLY_METHODS:
        return False
    try:
        view = resolve(request.path_info, getattr(request, "urlconf", None)).func
    except Resolver404:
        return False
    return view.__module__.split(".", 1)[0] in settings.REPLICA_READ_APPS and request.user.is_authenticated


class ReplicaReadsMiddleware:
    """Answers the read-only pages inside ``replica_reads``. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not reads_from_replica(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
