"""Co-owned flats (共有, docs/rules.md "Co-owned flats"): a ledger cell naming several owners. Pure Python.

The ledger's 业主姓名 may name several people ("张三、李四") and its 联系电话 their phones in the same
order ("139…、138…"). The first-named co-owner is the flat's owner (owner_name, phone: the consent
engine's owner key); the others are kept in ``Household.co_owners`` as text, one co-owner a line, the
name and the phone (normal form, ``retrofit/phones.py``) separated by a tab.
"""

from __future__ import annotations

import re

from . import phones

# Between two names: 、 ， , ; ； (and 和, below).
NAME_SEPARATORS = re.compile(r"[、，,;；]")
# Between two phones: the same, and 和; a comma or slash only when the part is no phone with it.
PHONE_SEPARATORS = re.compile(r"[、，;；]|和")
PHONE_FALLBACK = re.compile(r"[,/]")


def split_names(text: str) -> list[str]:
    """The names a ledger cell gives, in order. 和 separates only names of two characters or more on each
    side ("张三和李四"), never inside a name ("王和平")."""
    names = []
    for part in NAME_SEPARATORS.split(text or ""):
        part = part.strip()
        pieces = [p.strip() for p in part.split("和")]
        names.extend(pieces if len(pieces) > 1 and all(len(p) >= 2 for p in pieces) else [part])
    return [name for name in names if name]


def split_phones(text: str) -> list[str]:
    """The phones a ledger cell gives, in order and in their normal form; an empty place ("、138…") is ""
    so the phones stay with their names. Raises ``phones.InvalidPhone`` naming the part that is no phone."""
    found = []
    for part in PHONE_SEPARATORS.split(text or ""):
        try:
            found.append(phones.normalise(part))
        except phones.InvalidPhone:
            if not PHONE_FALLBACK.search(part):
                raise
            found.extend(phones.normalise(piece) for piece in PHONE_FALLBACK.split(part))
    while found and not found[-1]:
        found.pop()
    return found


def dump(others: list[tuple[str, str]]) -> str:
    """The co-owners after the first, as ``Household.co_owners`` keeps them."""
    return "\n".join(f"{name}\t{phone}" if phone else name for name, phone in others)


def load(text: str) -> list[tuple[str, str]]:
    """``Household.co_owners`` as (name, phone) pairs."""
    pairs = []
    for line in (text or "").splitlines():
        name, _tab, phone = line.partition("\t")
        if name.strip():
            pairs.append((name.strip(), phone.strip()))
    return pairs


def described(text: str) -> str:
    """``Household.co_owners`` in words for the roster history: 李四（138 0000 0002）、王五."""
    return "、".join(f"{name}（{phones.display(phone)}）" if phone else name for name, phone in load(text))
