"""Rooms and flats in the order people count them, for every table, form and printout.

``natural_key`` orders room numbers ("302" before "1101", "3-9" before "3-10"); the two sort keys order
anything with a ``floor`` and a ``room`` (a household, a share, a row): ``top_floor_first`` as a floor
grid reads from the top down, ``by_floor_then_room`` from the ground floor up.
"""

from __future__ import annotations

import re

_RUNS = re.compile(r"\d+|\D+")


def natural_key(room: str) -> tuple[tuple[int, int | str], ...]:
    """Digit runs compare as numbers, the rest case-insensitively: "302" < "1101", "3-9" < "3-10"."""
    return tuple((0, int(p)) if p.isdecimal() else (1, p.casefold()) for p in _RUNS.findall(room))


def top_floor_first(flat) -> tuple:
    """Sort key: the highest floor first, then the rooms of a floor in natural order."""
    return (-flat.floor, natural_key(flat.room))


def by_floor_then_room(flat) -> tuple:
    """Sort key: the ground floor first, then the rooms of a floor in natural order."""
    return (flat.floor, natural_key(flat.room))
