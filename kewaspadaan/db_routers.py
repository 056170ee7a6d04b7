"""Reads from a PostgreSQL read replica, where the code asks for them.

Only pages that tolerate a few seconds of replication lag opt in (the dashboards, which read
score snapshots and day counts), with ``replica_reads()`` around the view. Everything else,
and every write, stays on the primary: an operator never misses the report they just saved.
Without ``DATABASE_REPLICA_URL`` there is no replica and nothing changes."""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.db import connections

REPLICA = "replica"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("kw_use_replica",
                                                                    default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads():
    token = _use_replica.set(replica_configured())
    try:
        yield
    finally:
        _use_replica.reset(token)


def reads_from_replica(view):
    """View decorator: the view's queries read from the replica when there is one."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _use_replica.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two connections

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
