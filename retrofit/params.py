"""Ids in a request's query string or form, read in one place: junk is an answer, never a crash.

``?unit=abc``, ``?household=²`` (a digit to ``str.isdigit`` but not to ``int``), ``-1``, ``1e9``, a number
no database column holds, an empty value or a NUL byte are all "no id": a filter then shows everything, a
prefill prefills nothing, and a view that needs the id answers as for an unknown one (404, or its own
"choose a …" message).
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_ID = 2**63 - 1  # the largest BIGINT: the widest id column on SQLite and PostgreSQL


def int_param(params: Mapping, name: str) -> int | None:
    """The parameter ``name`` of ``params`` (request.GET or request.POST) as a positive id, or None when
    it is absent or is not one: ASCII digits only, 1 … MAX_ID."""
    text = params.get(name)
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
