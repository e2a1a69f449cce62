"""Ledgers uploaded for a preview wait in MEDIA_ROOT/imports until confirmed or cancelled.

A preview nobody confirms would stay there for ever, so every new upload (and the ``clean_uploads``
command, for cron) removes those older than ``settings.ROSTER_PENDING_MAX_AGE`` seconds (one hour).
Confirming a removed one answers "the uploaded file is gone, upload it again".
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings


def pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_stale(*, max_age: int | None = None, now: float | None = None) -> int:
    """Remove the waiting ledgers older than ``max_age`` seconds; returns how many were removed."""
    max_age = settings.ROSTER_PENDING_MAX_AGE if max_age is None else max_age
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another request removed it first
    return removed
