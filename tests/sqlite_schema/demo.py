"""The demo street for the test suite, seeded once a day per machine and copied into each test process
(and the street's story without its works chapter, likewise, for tests/demo/test_works_seed.py).

``seed_demo`` plays the pilot's story through the product's own services (~3.5 s), in every test process
of every run. On SQLite in memory (tests/settings.py), ``demo_database`` does it once: the first process
seeds the demo on the migrated schema and writes aside the database, the files it uploaded (scans,
photos) and what the command printed; later processes copy the three back instead. The copy is named by
a digest of the schema's name (base.py), every source file of the product, the test settings and today's
date (the demo is dated from today), so a changed line of code or a new day seeds it again.

``seeded_database`` does the same for another state of the demo under another name; ``emptied`` puts
the migrated schema back afterwards (its rows came in by copy, not in a transaction to roll back).

PostgreSQL seeds the demo in each process, as before (``demo_database`` answers None).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .base import PREFIX, _locked, schema_copy, schema_key

ROOT = Path(__file__).resolve().parent.parent.parent
# Not the product's: what the demo's code cannot read. tests/settings.py is read (below): the test settings
# (the password hasher, for one) shape what the seed writes.
SKIPPED = {".git", ".venv", "node_modules", "__pycache__", "tests", "docs", "bench", "media", "static", "staticfiles"}
DEMO = f"{PREFIX}demo-"


def demo_key(name: str = "demo") -> str:
    digest = hashlib.sha256(f"{name} {schema_key()} {timezone.localdate().isoformat()}".encode())
    files = [ROOT / "tests" / "settings.py"]
    for folder, names, found in os.walk(ROOT):
        names[:] = sorted(name for name in names if name not in SKIPPED and not name.startswith("."))
        files.extend(Path(folder) / name for name in sorted(found) if not name.endswith((".pyc", ".sqlite3")))
    for path in files:
        digest.update(f"{path.relative_to(ROOT)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_database(connection, seed: Callable[[], str]) -> str | None:
    """The demo in ``connection``'s database (SQLite in memory, on the migrated schema with no row of a
    test's), copied from the day's copy or seeded by ``seed`` and then copied aside; what the seed printed.
    None for any other database: the caller seeds it."""
    return seeded_database(connection, "demo", seed)


def seeded_database(connection, name: str, seed: Callable[[], str]) -> str | None:
    """``demo_database`` for the state ``seed`` makes, copied under ``name``."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return None
    folder = Path(tempfile.gettempdir())
    copy = folder / f"{DEMO}{name}-{demo_key(name)}"
    media = Path(settings.MEDIA_ROOT)
    connection.ensure_connection()
    with _locked(folder):
        if not copy.exists():
            before = set(_files(media))
            with transaction.atomic():
                printed = seed()
            _write(copy, name, connection, media, [path for path in _files(media) if path not in before], printed)
            return printed
        _restore(connection, copy / "db.sqlite3")
        shutil.copytree(copy / "media", media, dirs_exist_ok=True)
        return (copy / "printed.txt").read_text(encoding="utf-8")


def emptied(connection) -> None:
    """The migrated schema back in ``connection``'s database, with no row of a test's (SQLite in memory)."""
    _restore(connection, schema_copy())


def _restore(connection, path: Path) -> None:
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _files(media: Path) -> list[Path]:
    return [path.relative_to(media) for path in media.rglob("*") if path.is_file()] if media.exists() else []


def _write(copy: Path, name: str, connection, media: Path, uploaded: list[Path], printed: str) -> None:
    """The database, the files the seed uploaded and what it printed, to ``copy`` (a folder written aside,
    then renamed: never seen half-written); copies made for other code or days are removed."""
    for old in copy.parent.glob(f"{DEMO}{name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    partial = copy.with_name(f"{copy.name}.{os.getpid()}.part")
    (partial / "media").mkdir(parents=True)
    target = sqlite3.connect(partial / "db.sqlite3")
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    for path in uploaded:
        (partial / "media" / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(media / path, partial / "media" / path)
    (partial / "printed.txt").write_text(printed, encoding="utf-8")
    os.replace(partial, copy)
