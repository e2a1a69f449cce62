"""Which uploads count as a construction photo: JPEG or PNG by their first bytes, never by their name.

Plain Python; the form (for its message) and the service (to store the type) both sniff the upload.
"""

from __future__ import annotations

from retrofit import uploads

MAX_PHOTO_BYTES = 5 * 1024 * 1024

JPEG, PNG = uploads.JPEG, uploads.PNG
EXTENSIONS = {JPEG: ".jpg", PNG: ".png"}


def sniff(head: bytes) -> str | None:
    """The content type of an image from its first bytes, or None if it is neither JPEG nor PNG."""
    return uploads.sniff(head, uploads.IMAGES)


def sniff_file(upload) -> str | None:
    """``sniff`` on the first bytes of an open file, leaving it at its start."""
    return uploads.sniff_file(upload, uploads.IMAGES)
