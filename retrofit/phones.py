"""Phone numbers in one form (docs/rules.md, "Who is one owner"). Pure Python, no Django.

A ledger spells one number many ways: "139-0000-0001", "139 0000 0001", "+86 139 0000 0001",
"0086-13900000001", "１３９００００００01", "(028) 8765-0000 转 123". ``normalise`` turns each into its one
stored form, so that the consent engine's owner key, the import, the forms and the search compare
numbers, not spellings:

* a mobile: its 11 digits, ``13900000001``;
* a landline with its area code: the digits with the leading 0, ``02887650000``; an extension follows
  a comma (``02887650000,123``: a phone dialling the link waits, then dials the extension);
* a local landline written without its area code: its 7 or 8 digits, ``87650000`` (the area code is not
  guessed, so this one and ``02887650000`` stay two numbers).

Spaces, dashes, dots and brackets between digits are dropped; full-width digits and punctuation are read
as their ASCII forms; the country code (``+86``, ``0086``, or a bare ``86`` before a number too long to
be national) is dropped. Anything else (letters, two numbers in one cell, a digit too many or too few)
raises :class:`InvalidPhone`. ``display`` shows a stored number in groups (``139 0000 0001``); ``dial`` gives
the digits a ``tel:`` link dials.
"""

from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"1[3-9][0-9]{9}")
# 010 and 020-029 are three-digit area codes (with the 0); every other one is four: 0311, 0871 …
LANDLINE = re.compile(r"(0[12][0-9]|0[3-9][0-9]{2})([2-9][0-9]{6,7})")
LOCAL = re.compile(r"[2-9][0-9]{6,7}")
EXTENSION = re.compile(r"[0-9]{1,6}")

# What people put between digit groups (after NFKC has turned full-width forms into ASCII ones).
SEPARATORS = re.compile(r"[\s\-.()\[\]/\\·‐‑‒–—―]+")
# What introduces an extension: 转 123, 分机 123, ext. 123, x123, #123.
EXTENSION_MARK = re.compile(r"转|分机|ext\.?|x|#|,|;ext=", re.IGNORECASE)


class InvalidPhone(ValueError):
    """Text that is not a mobile or landline number of mainland China; its one argument is the text."""


def normalise(text: str | None) -> str:
    """The one stored form of a phone number, "" for a blank one; raises :class:`InvalidPhone`."""
    original = (text or "").strip()
    if not original:
        return ""
    if MOBILE.fullmatch(original):
        return original  # a mobile in its one form already: as most are typed, and every one stored
    # NFKC reads full-width digits, letters and punctuation (０-９, （）, －, ＋) as ASCII.
    wide = unicodedata.normalize("NFKC", original)
    parts = EXTENSION_MARK.split(wide, maxsplit=1)
    main, extension = parts[0], (parts[1] if len(parts) > 1 else "")
    groups = [group for group in SEPARATORS.split(main) if group]
    extension = SEPARATORS.sub("", extension)
    number = _national("".join(groups))
    if number is None and not extension and len(groups) > 2 and EXTENSION.fullmatch(groups[-1]):
        # "028-8765-0000-123": a last group after a whole landline with its area code is its extension.
        number = _national("".join(groups[:-1]))
        if number is not None and LANDLINE.fullmatch(number):
            extension = groups[-1]
        else:
            number = None
    if number is None or (len(parts) > 1 and not EXTENSION.fullmatch(extension)):
        raise InvalidPhone(original)
    if extension:
        if MOBILE.fullmatch(number):
            raise InvalidPhone(original)  # a mobile has no extension
        return f"{number},{extension}"
    return number


def _national(digits: str) -> str | None:
    """The national form of a number written without separators, or None when it is not one."""
    if digits.startswith("+"):
        if not digits.startswith("+86"):
            return None  # a number abroad is not a resident's number here
        digits = _after_country_code(digits[3:])
    elif digits.startswith("0086"):
        digits = _after_country_code(digits[4:])
    elif digits.startswith("86") and len(digits) > 8 and not _is_national(digits):
        # No national number of more than 8 digits starts with 8: this is the country code.
        digits = _after_country_code(digits[2:])
    return digits if _is_national(digits) else None


def _after_country_code(digits: str) -> str:
    # Abroad, a landline's area code drops its 0 ("+86 28 8765 0000", "+86 10 6512 3456"); some write it
    # anyway ("+86 (0)28 …").
    return digits if digits.startswith("0") or MOBILE.fullmatch(digits) else "0" + digits


def _is_national(digits: str) -> bool:
    return bool(MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits) or LOCAL.fullmatch(digits))


def comparable(text: str | None) -> str:
    """The form two phones are compared in: the normal form, or, for text that is not a number (a value
    stored before numbers were checked), the text itself without its outer spaces. Never raises."""
    try:
        return normalise(text)
    except InvalidPhone:
        return (text or "").strip()


def display(text: str | None) -> str:
    """A phone in groups for reading: 139 0000 0001, 028 8765 0000 转 123, 876 5000. Text that is not a
    number is shown as it is."""
    try:
        number = normalise(text)
    except InvalidPhone:
        return (text or "").strip()
    if not number:
        return ""
    number, _comma, extension = number.partition(",")
    if MOBILE.fullmatch(number):
        shown = f"{number[:3]} {number[3:7]} {number[7:]}"
    elif landline := LANDLINE.fullmatch(number):
        shown = f"{landline[1]} {_local(landline[2])}"
    else:
        shown = _local(number)
    return f"{shown} 转 {extension}" if extension else shown


def dial(text: str | None) -> str:
    """What a ``tel:`` link dials: digits only (``tel:028-8765 4321`` fails on some phones). A number in its
    stored form (02887654321; an extension after a comma, 02887650000,123: the phone waits, then dials it);
    text that is no number but only digits and separators as written (a service line: 12345, 96196);
    "" for anything else, which is shown without a link."""
    try:
        return normalise(text)
    except InvalidPhone:
        pass
    digits = SEPARATORS.sub("", unicodedata.normalize("NFKC", (text or "").strip()))
    return digits if 3 <= len(digits) <= 12 and digits.isascii() and digits.isdigit() else ""


def _local(digits: str) -> str:
    """8765 0000, 876 5000: the last four digits apart."""
    return f"{digits[:-4]} {digits[-4:]}"


def search_form(text: str | None) -> str | None:
    """What a search for this text looks for among stored phones: the normal form of a whole number, the
    digits of a part of one ("0000 0001" → "00000001"), or None when the text is no phone at all."""
    try:
        return normalise(text) or None
    except InvalidPhone:
        pass
    digits = SEPARATORS.sub("", unicodedata.normalize("NFKC", (text or "").strip()))
    return digits if len(digits) >= 3 and digits.isascii() and digits.isdigit() else None
