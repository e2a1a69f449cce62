"""The demo street for the test suite, seeded once a day per machine and copied into each test process
(and the street's story without its works chapter, likewise, for tests/demo/test_works_seed.py).

``seed_demo`` plays the pilot's story through the product's own services (~3.5 s), in every test process
of every run. On SQLite in memory (tests/settings.py), ``seeded`` does it once: the first process seeds
the state on the migrated schema and writes aside the database, the files it uploaded (scans, photos) and
what the seed printed; later processes copy the three back instead. The copy is named by a digest of the
state's name, the schema's name (base.py), the product's files, the test files that seed it, the Python
and package versions and today's date (the demo is dated from today), so a changed line or a new day
seeds it again. What the database held before is put back afterwards.

PostgreSQL seeds in each process, inside a transaction rolled back afterwards, as before.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .base import PREFIX, _locked, read_into, schema_copy, schema_key, write_aside, write_out

FORMAT = "2"  # of the copy's folder: a change here makes every copy stale
ROOT = Path(__file__).resolve().parent.parent.parent
# The product's files: what the seed runs and reads. Not the tests, docs, benchmark, assets or databases.
SKIPPED = {
    ".git", ".venv", "node_modules", "__pycache__", "tests", "docs", "bench", "media", "static", "staticfiles",
    "test-artifacts",
}
SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".po", ".mo", ".toml", ".json"}
# The test files that seed (the seed's own call) or copy (this package), and the settings' .env.
SEEDING = [".env", "tests/settings.py", "tests/conftest.py", "tests/demo/test_works_seed.py", "tests/sqlite_schema/*.py"]
DEMO = f"{PREFIX}demo-"


def demo_key(name: str) -> str:
    versions = sorted(f"{dist.metadata['Name']}={dist.version}" for dist in importlib.metadata.distributions())
    digest = hashlib.sha256(
        f"{FORMAT} {name} {schema_key()} {timezone.localdate().isoformat()} {sys.version} {versions}".encode()
    )
    files = sorted(path for pattern in SEEDING for path in ROOT.glob(pattern))
    for folder, folders, found in os.walk(ROOT):
        folders[:] = sorted(d for d in folders if d not in SKIPPED and not d.startswith("."))
        files.extend(Path(folder) / f for f in sorted(found) if Path(f).suffix in SUFFIXES)
    for path in files:
        digest.update(f"{path.relative_to(ROOT)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def seeded(connection, name: str, seed: Callable[[], str]):
    """The state ``seed`` makes (named ``name``) in ``connection``'s database, and a transaction on top
    rolled back at the end; yields what ``seed`` printed. On SQLite in memory the state is copied from the
    day's copy, or seeded on the empty migrated schema and copied aside, and what the database held before
    is put back at the end; elsewhere it is seeded inside the transaction."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        with transaction.atomic():
            yield seed()
            transaction.set_rollback(True)
        return
    if connection.in_atomic_block:
        raise RuntimeError(f"the {name} state is copied in outside any transaction: ask for it before `db`")
    connection.ensure_connection()
    before = sqlite3.connect(":memory:")
    connection.connection.backup(before)
    try:
        printed = _copied(connection, name, seed)
        with transaction.atomic():
            yield printed
            transaction.set_rollback(True)
    finally:
        before.backup(connection.connection)
        before.close()


def _copied(connection, name: str, seed: Callable[[], str]) -> str:
    folder = Path(tempfile.gettempdir())
    copy = folder / f"{DEMO}{name}-{demo_key(name)}"
    media = Path(settings.MEDIA_ROOT)
    with _locked(folder):
        if copy.exists():
            read_into(connection, copy / "db.sqlite3")
            shutil.copytree(copy / "media", media, dirs_exist_ok=True)
            return (copy / "printed.txt").read_text(encoding="utf-8")
        read_into(connection, schema_copy())  # seeded on the empty schema, whatever a test left behind
        uploaded_before = set(_files(media))
        with transaction.atomic():
            printed = seed()
        for old in folder.glob(f"{DEMO}{name}-*"):  # copies made for other code or days
            shutil.rmtree(old, ignore_errors=True)
        uploaded = [path for path in _files(media) if path not in uploaded_before]
        write_aside(copy, lambda partial: _write(partial, connection, media, uploaded, printed))
        return printed


def _files(media: Path) -> list[Path]:
    return [path.relative_to(media) for path in media.rglob("*") if path.is_file()] if media.exists() else []


def _write(partial: Path, connection, media: Path, uploaded: list[Path], printed: str) -> None:
    """The database, the files the seed uploaded and what it printed, into the folder ``partial``."""
    (partial / "media").mkdir(parents=True)
    write_out(connection, partial / "db.sqlite3")
    for path in uploaded:
        (partial / "media" / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(media / path, partial / "media" / path)
    (partial / "printed.txt").write_text(printed, encoding="utf-8")
