"""Certificate numbers (证件号码) as owner identity (docs/rules.md, "Who is one owner"), never stored whole.

A ledger may give each flat's owner an ID card or other certificate number. Where given it decides who the
owner is. The number itself is personal data nobody needs to read back, so it is kept only as

* a keyed hash (HMAC-SHA256 with ``settings.OWNER_ID_KEY``): equal numbers give equal hashes, and without
  the key a hash cannot be checked against a guessed number (an ID card has few enough possible values
  that a plain hash could be reversed by trying them all);
* its last four characters, for staff to tell certificates apart on screen (****1234).

``normalise`` reads a number in one form first: whitespace dropped, full-width characters read as ASCII
(NFKC), letters upper-cased (the check character X of an ID card is often written x), so a number typed
"１１０１０５ 1990 0101 123x" and "11010519900101123X" is one owner.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

WHITESPACE = re.compile(r"\s+")
HASH_LENGTH = 64  # hex digits of SHA-256
SHOWN = 4  # characters of the number kept for display


def normalise(number: str | None) -> str:
    """The number in its one form: "11010519900101123x " → "11010519900101123X"; "" when blank."""
    text = unicodedata.normalize("NFKC", number or "")
    return WHITESPACE.sub("", text).upper()


def digest(number: str | None, key: str | None = None) -> str:
    """The keyed hash of the number in its one form (64 hex digits); "" for a blank number."""
    text = normalise(number)
    if not text:
        return ""
    secret = settings.OWNER_ID_KEY if key is None else key
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def last_four(number: str | None) -> str:
    """The last four characters of the number in its one form, all that is ever kept of it in clear."""
    return normalise(number)[-SHOWN:]


def masked(last: str) -> str:
    """How the kept characters are shown: "1234" → "****1234"; "" when no number was given."""
    return f"****{last}" if last else ""
