"""Ledgers uploaded for a preview wait in the file storage, under imports/, until confirmed or cancelled.

They go through Django's storage API (``default_storage``): the local MEDIA_ROOT by default, or the
object store that every app server shares (settings.py, RETROFIT_S3_BUCKET), since the preview and its
confirmation may reach two different servers. The importer reads a file on disk (python-calamine opens a
path), so each reading gets a temporary copy of its own on the server that reads, removed at once
(``local_copy``, ``stored_copy``); the session keeps only the stored name.

A preview nobody confirms would stay there for ever, so every new upload (and the ``clean_uploads``
command, for cron) removes those older than ``settings.ROSTER_PENDING_MAX_AGE`` seconds (one hour).
Confirming a removed one answers "the uploaded file is gone, upload it again".
"""

from __future__ import annotations

import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from retrofit import uploads

FOLDER = uploads.LEDGER.folder


def _stored(file: str) -> str:
    """The storage name of the waiting ledger the session calls ``file`` (its name without the folder)."""
    return posixpath.join(FOLDER, posixpath.basename(file))


def save(upload, content_type: str) -> str:
    """Keep ``upload`` until its preview is confirmed; returns the name the session keeps for it."""
    return posixpath.basename(default_storage.save(uploads.stored_name(uploads.LEDGER, content_type), upload))


def discard(file: str) -> None:
    """Remove a waiting ledger (confirmed, cancelled or replaced); one already gone is no error."""
    default_storage.delete(_stored(file))


@contextmanager
def local_copy(source, suffix: str) -> Iterator[Path]:
    """``source`` (an open file: an upload, a stored ledger) as a temporary file on this server, for the
    length of the block; the importer opens it by path."""
    source.seek(0)
    with tempfile.NamedTemporaryFile(prefix="ledger-", suffix=suffix) as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


@contextmanager
def stored_copy(file: str) -> Iterator[Path]:
    """The waiting ledger ``file`` as a temporary file on this server; FileNotFoundError if it is gone."""
    with default_storage.open(_stored(file), "rb") as stored, local_copy(stored, Path(file).suffix) as path:
        yield path


def remove_stale(*, max_age: int | None = None) -> int:
    """Remove the waiting ledgers older than ``max_age`` seconds; returns how many were removed."""
    max_age = settings.ROSTER_PENDING_MAX_AGE if max_age is None else max_age
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0  # nothing was ever uploaded
    cutoff = timezone.now() - timedelta(seconds=max_age)
    removed = 0
    for file in files:
        name = _stored(file)
        try:
            stale = default_storage.get_modified_time(name) < cutoff
        except FileNotFoundError:
            continue  # another request removed it first
        except ClientError as error:  # the object store's way of saying the same
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey"):
                raise
            continue
        if stale:
            default_storage.delete(name)
            removed += 1
    return removed
