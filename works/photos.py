"""Which uploads count as a construction photo: JPEG or PNG by their first bytes, never by their name.

Plain Python; the form (for its message) and the service (to store the type) both sniff the upload.
"""

from __future__ import annotations

MAX_PHOTO_BYTES = 5 * 1024 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {JPEG: ".jpg", PNG: ".png"}

_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
SNIFF_BYTES = 8


def sniff(head: bytes) -> str | None:
    """The content type of an image from its first bytes, or None if it is neither JPEG nor PNG."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def sniff_file(upload) -> str | None:
    """``sniff`` on the first bytes of an open file, leaving it at its start."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return sniff(head)
