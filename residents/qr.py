"""QR codes of the public links, drawn on the server with segno (no network, no JavaScript)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from django.conf import settings
from django.urls import reverse

from .models import UnitPublicLink


def public_url(request, link: UnitPublicLink) -> str:
    """The address printed in the QR code. RESIDENTS_PUBLIC_BASE_URL (e.g. https://dt.example.gov.cn)
    wins over the address this request came in on, which may be an intranet name residents cannot reach."""
    path = reverse("resident_unit", args=[link.token])
    base = getattr(settings, "RESIDENTS_PUBLIC_BASE_URL", "")
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path)


def _code(url: str):
    # Level M survives a stain or a fold on a notice in a stairwell.
    return segno.make(url, error="m", micro=False)


# A code depends only on its address and size, and drawing one takes ~10–20 ms: each process keeps the last
# few hundred it drew (the unit page and the notice printout draw the same one on every visit).
@lru_cache(maxsize=512)
def png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@lru_cache(maxsize=512)
def svg_data_uri(url: str, *, scale: int = 4) -> str:
    return _code(url).svg_data_uri(scale=scale, border=4)
