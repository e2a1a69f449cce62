"""Periods: a month written as people write it on a bill, "2026-11" (running costs, charges, chart axes)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def period_of(day: date) -> str:
    """The period a day (or a local datetime) falls in: 2026-11-05 → "2026-11"."""
    return f"{day.year:04d}-{day.month:02d}"


def this_period() -> str:
    """Today's period in the local time zone."""
    return period_of(timezone.localdate())


def months_before(day: date, months: int) -> str:
    """The period ``months`` months before the one ``day`` falls in: (2026-01-31, 2) → "2025-11"."""
    index = day.year * 12 + day.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive, so a chart's axis is evenly spaced."""
    year, month = map(int, first.split("-"))
    periods = []
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods
