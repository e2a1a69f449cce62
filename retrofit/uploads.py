"""What an uploaded file really is, from its first bytes: the name and Content-Type are only claims.

Plain Python, shared by every upload the product takes (opinion forms, contract scans, site photos).
"""

from __future__ import annotations

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
IMAGES = (JPEG, PNG)
DOCUMENTS = (JPEG, PNG, PDF)
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}

_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)
SNIFF_BYTES = 8


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
