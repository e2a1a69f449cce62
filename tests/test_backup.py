"""Backup and restore as docs/operations.md describes them: a dump restored into a fresh database answers
``unit_status`` exactly as the original does.

PostgreSQL only (pg_dump and pg_restore against real databases); SQLite's backup is a file copy made
with ``sqlite3 db.sqlite3 ".backup …"`` and needs no test of its own.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump/pg_restore need PostgreSQL (run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/retrofit)",
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _pg_env() -> dict:
    s = connection.settings_dict
    env = dict(os.environ, PGHOST=s["HOST"] or "127.0.0.1", PGPORT=str(s["PORT"] or 5432), PGUSER=s["USER"])
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def unit_status(database: str) -> str:
    env = {**os.environ, "DATABASE_URL": _url(database)}
    done = subprocess.run(
        [sys.executable, "manage.py", "unit_status", "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_a_fresh_database_gives_the_same_unit_status(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restored"
    dump = tmp_path / "retrofit.dump"
    env = _pg_env()
    # The commands of docs/operations.md.
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source], env=env, check=True, timeout=120)
    subprocess.run(["dropdb", "--if-exists", "--force", copy], env=env, check=True, timeout=60)
    subprocess.run(["createdb", copy], env=env, check=True, timeout=60)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={copy}", str(dump)], env=env, check=True, timeout=120
        )
        original, restored = unit_status(source), unit_status(copy)
        assert original.count("\n") >= 5  # the demo's units, one JSON object a line
        assert restored == original
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", copy], env=env, check=False, timeout=60)
