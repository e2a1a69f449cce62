"""One spec for every upload the product takes: what each kind may be, how large, where it is stored and
how it is served back.

| kind          | types (by first bytes)  | at most                   | stored as                                   | served with             |
| ------------- | ----------------------- | ------------------------- | ------------------------------------------- | ----------------------- |
| opinion form  | JPEG, PNG, PDF          | 5 MB                      | opinion_forms/<yyyy>/<mm>/<hex><ext>        | private, no-store       |
| contract scan | JPEG, PNG, PDF          | 10 MB                     | contracts/<yyyy>/<mm>/<hex><ext>            | private, no-store       |
| site photo    | JPEG, PNG               | 5 MB                      | works/log/<unit>/<yyyy>/<mm>/<hex><ext>     | private, max-age=86400  |
| ledger        | .xlsx, .xls (by name)   | settings.ROSTER_MAX_BYTES | imports/<hex><ext> (until confirmed)        | never served            |

- The name and Content-Type an upload arrives with are only claims: the type is told by the first bytes
  (a ledger's workbook structure is checked by consultations/roster_import/workbook_guard.py instead).
- ``check`` is the one check, size first, then type: forms run it through ``UploadField`` and services
  run it again on what they are given (a command or a test may call them without a form).
- ``stored_name`` is the one naming rule: a random name with the extension of the real type, never the
  uploader's file name (it may carry a resident's name and must not choose the path).
- Papers are served by ``retrofit.documents.version_response`` only, with the kind's cache policy and
  ``X-Content-Type-Options: nosniff``. A scan or form can be replaced by a newer version, and names and
  signatures must not linger in a cache, so papers are never stored; a site photo is not a paper with
  names on it and each version is immutable, so the browser may keep it for a day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
IMAGES = (JPEG, PNG)
DOCUMENTS = (JPEG, PNG, PDF)
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf", XLSX: ".xlsx", XLS: ".xls"}
_ALSO_NAMED = {JPEG: (".jpeg",)}  # extensions a file picker should offer besides EXTENSIONS

_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)
SNIFF_BYTES = 8
MB = 1024 * 1024

NO_STORE = "private, no-store"
ONE_DAY = "private, max-age=86400"


@dataclass(frozen=True)
class Kind:
    """One kind of upload. ``types`` are told by the first bytes, or, for ``by_name`` kinds, by the suffix."""

    folder: str
    types: tuple[str, ...]
    too_big: str
    wrong_type: str
    max_bytes: int = 0
    max_bytes_setting: str = ""  # read at each check, so a deployment (or a test) can change it
    by_name: bool = False
    dated: bool = True  # <yyyy>/<mm>/ in the stored name
    cache: str = NO_STORE

    @property
    def limit(self) -> int:
        return getattr(settings, self.max_bytes_setting) if self.max_bytes_setting else self.max_bytes

    @property
    def accept(self) -> str:
        """The file input's ``accept``: extensions first (some phone pickers only read those), then types."""
        names = [ext for t in self.types for ext in (EXTENSIONS[t], *_ALSO_NAMED.get(t, ()))]
        return ",".join([*names, *self.types])

    def type_of(self, upload) -> str | None:
        if self.by_name:
            suffix = Path(getattr(upload, "name", "") or "").suffix.lower()
            return next((t for t in self.types if EXTENSIONS[t] == suffix), None)
        return sniff_file(upload, self.types)


# What each kind is told when refused; a size message may use %(size).1f and %(limit)d (MB), a type
# message %(name)s.
FORM_TOO_BIG = _("The opinion form file is larger than 5 MB. Take the photo at a lower resolution.")
FORM_WRONG_TYPE = _("The opinion form must be a JPEG or PNG photo or a PDF.")
SCAN_TOO_BIG = _("The scan is %(size).1f MB; it may be at most 10 MB.")
SCAN_WRONG_TYPE = _("The scan must be a PDF, JPEG or PNG file.")
PHOTO_TOO_BIG = _("A photo may be at most 5 MB.")
PHOTO_WRONG_TYPE = _("Only JPEG or PNG photos can be uploaded.")
LEDGER_TOO_BIG = _("The file is %(size).1f MB; a ledger may be at most %(limit)d MB.")
LEDGER_WRONG_TYPE = _("Only Excel workbooks (.xlsx or .xls) can be imported, not “%(name)s”.")

# The table: folder, types, refusals, size limit, and what differs from the defaults.
OPINION_FORM = Kind("opinion_forms", DOCUMENTS, FORM_TOO_BIG, FORM_WRONG_TYPE, max_bytes=5 * MB)
CONTRACT_SCAN = Kind("contracts", DOCUMENTS, SCAN_TOO_BIG, SCAN_WRONG_TYPE, max_bytes=10 * MB)
SITE_PHOTO = Kind("works/log", IMAGES, PHOTO_TOO_BIG, PHOTO_WRONG_TYPE, max_bytes=5 * MB, cache=ONE_DAY)
# Pending ledgers wait in one flat folder emptied within the hour (consultations/roster_import/pending_uploads.py).
LEDGER = Kind(
    "imports", (XLSX, XLS), LEDGER_TOO_BIG, LEDGER_WRONG_TYPE, max_bytes_setting="ROSTER_MAX_BYTES", by_name=True,
    dated=False,
)


def sniff(head: bytes, allowed=DOCUMENTS) -> str | None:
    """The content type the first bytes show, if it is one of ``allowed``; None otherwise."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type if content_type in allowed else None
    return None


def sniff_file(upload, allowed=DOCUMENTS) -> str | None:
    """``sniff`` on an open file's first bytes, leaving it at its start."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return sniff(head, allowed)


def check(kind: Kind, upload, *, field: str | None = None) -> str:
    """The upload's real content type; ValidationError (on ``field`` if given) if too large or not allowed."""
    limit = kind.limit
    if upload.size > limit:
        message = kind.too_big % {"size": upload.size / MB, "limit": limit // MB}
    elif (content_type := kind.type_of(upload)) is None:
        message = kind.wrong_type % {"name": getattr(upload, "name", "")}
    else:
        return content_type
    raise ValidationError({field: message} if field else message)


def stored_name(kind: Kind, content_type: str, *, scope: str = "", when=None) -> str:
    """Where an upload of ``kind`` is stored: <folder>[/<scope>][/<yyyy>/<mm>]/<random hex><extension>."""
    parts = [kind.folder, scope] if scope else [kind.folder]
    if kind.dated:
        parts.append(f"{timezone.localdate(when):%Y/%m}")
    return "/".join([*parts, f"{secrets.token_hex(16)}{EXTENSIONS.get(content_type, '')}"])


class UploadField(forms.FileField):
    """A file field that runs ``check`` for its kind; the cleaned upload's real type is ``upload.checked_type``."""

    def __init__(self, kind: Kind, *, widget=forms.ClearableFileInput, **kwargs):
        self.kind = kind
        super().__init__(widget=widget(attrs={"accept": kind.accept}), **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "size"):
            upload.checked_type = check(self.kind, upload)
        return upload
