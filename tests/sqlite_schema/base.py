"""SQLite for the test suite: the migrated schema is built once and copied into each test database.

Migrating a fresh database runs every migration of every app (~6 s, SQLite rebuilding tables as it goes),
once per test process and run. This backend is Django's SQLite backend with one change: the in-memory
test database is filled from a copy of an already migrated one, kept in the temporary folder under a
name made from the contents of every migration file (and Django's and SQLite's versions). A changed,
added or removed migration makes a new name, so the copy is never stale; the first process of a run that
finds none migrates as before and writes it, the others wait for it. What the tests get is the database
``migrate`` made, byte for byte: tables, indexes, triggers, content types and permissions.

tests/settings.py uses it only where the suite runs on SQLite in memory; PostgreSQL migrates as before.
"""

import fcntl
import hashlib
import importlib.util
import os
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db.backends.sqlite3 import base, creation
from django.db.migrations.loader import MigrationLoader

PREFIX = "retrofit-test-schema-"


def schema_key() -> str:
    """A digest of everything the migrated schema depends on: each app's migration files, Django, SQLite."""
    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    for config in apps.get_app_configs():
        module, _explicit = MigrationLoader.migrations_module(config.label)
        spec = importlib.util.find_spec(module) if module else None
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).glob("*.py")):
                digest.update(f"{config.label}/{path.name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def schema_copy() -> Path:
    """Where the migrated database is kept."""
    return Path(tempfile.gettempdir()) / f"{PREFIX}{schema_key()}.sqlite3"


def read_into(connection, path: Path) -> None:
    """The database kept at ``path`` copied into ``connection``'s (SQLite's backup API), all of it replaced.
    Opened read-only: a copy that is not there is an error, never an empty database."""
    connection.ensure_connection()
    try:
        source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.OperationalError as error:
        raise RuntimeError(f"the test database's copy {path.name} is missing from {path.parent}") from error
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def write_out(connection, path: Path) -> None:
    """``connection``'s database copied to the file ``path`` (SQLite's backup API); ``read_into`` reads it back."""
    target = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        connection.connection.backup(target)
    finally:
        target.close()


def write_aside(target: Path, write: Callable[[Path], None]) -> None:
    """``write(partial)`` makes the file or folder ``partial``, renamed to ``target`` when complete: a copy is
    never seen half-written."""
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    write(partial)
    os.replace(partial, target)


@contextmanager
def _locked(folder: Path):
    """One test process at a time writes or reads the copy."""
    with open(folder / f"{PREFIX}lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class DatabaseCreation(creation.DatabaseCreation):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        name = self._get_test_db_name()
        if keepdb or not self.is_in_memory_db(name):
            return super().create_test_db(verbosity, autoclobber, serialize, keepdb)
        copy = schema_copy()
        folder = copy.parent
        with _locked(folder):
            if not copy.exists():
                name = super().create_test_db(verbosity, autoclobber, serialize, keepdb)
                self._write_copy(copy)
                return name
            self.connection.close()
            settings.DATABASES[self.connection.alias]["NAME"] = name
            self.connection.settings_dict["NAME"] = name
            read_into(self.connection, copy)
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return name

    def _write_copy(self, copy: Path) -> None:
        """The migrated database to ``copy`` (written aside, then renamed: never seen half-written); copies
        made for other migrations are removed."""
        for old in copy.parent.glob(f"{PREFIX}*.sqlite3"):
            old.unlink(missing_ok=True)
        write_aside(copy, lambda partial: write_out(self.connection, partial))


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
