"""The plain rules of the campaign: notice period, visit order, floor bands, opinion-form sniffing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations import campaign
from consultations.campaign import VisitCandidate, visit_order_key
from retrofit import uploads


def test_a_twenty_day_notice_posted_on_the_first_runs_through_the_twentieth():
    assert campaign.notice_last_day(date(2026, 3, 1), 20) == date(2026, 3, 20)


def test_the_last_day_is_still_inside_the_period_and_the_next_day_is_not():
    start = date(2026, 3, 1)
    assert not campaign.notice_period_over(date(2026, 3, 20), start, 20)
    assert campaign.notice_period_over(date(2026, 3, 21), start, 20)


def test_days_left_counts_today():
    start = date(2026, 3, 1)
    assert campaign.notice_days_left(date(2026, 2, 20), start, 20) == 20  # not started yet: the whole period
    assert campaign.notice_days_left(date(2026, 3, 1), start, 20) == 20
    assert campaign.notice_days_left(date(2026, 3, 20), start, 20) == 1
    assert campaign.notice_days_left(date(2026, 3, 21), start, 20) == 0


def test_a_notice_lasts_at_least_a_day():
    with pytest.raises(ValueError):
        campaign.notice_last_day(date(2026, 3, 1), 0)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(1, 366))
def test_the_period_is_exactly_days_long(start, days):
    covered = [start + timedelta(d) for d in range(-2, days + 3)]
    running = [d for d in covered if d >= start and not campaign.notice_period_over(d, start, days)]
    assert len(running) == days
    assert running[-1] == campaign.notice_last_day(start, days)


@pytest.mark.parametrize(("floor", "band"), [(1, "low"), (2, "low"), (3, "middle"), (4, "middle"), (5, "high"), (9, "high")])
def test_floor_bands(floor, band):
    assert campaign.floor_band(floor) == band


NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _key(needed=3, minimal=False, degree=None, days_ago=None, room="101"):
    last = None if days_ago is None else NOW - timedelta(days=days_ago)
    return visit_order_key(VisitCandidate(needed, minimal, degree, last, "u", room))


def test_a_unit_one_short_outranks_a_unit_twenty_short_whatever_else():
    assert _key(needed=1, minimal=False, degree="strong", days_ago=0) < _key(needed=20, minimal=True, degree="soft")


def test_within_a_unit_the_minimal_set_comes_first():
    assert _key(minimal=True, degree="strong", days_ago=0) < _key(minimal=False, degree="soft")


def test_soft_before_unassessed_before_strong():
    assert _key(degree="soft") < _key(degree=None) < _key(degree="strong")


def test_longest_since_last_contact_first_and_never_contacted_before_all():
    assert _key(days_ago=None) < _key(days_ago=30) < _key(days_ago=2)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"GIF89a\x00\x00", None),
        (b"<html><b", None),
        (b"PK\x03\x04\x14\x00", None),  # a zip (or .docx) renamed .jpg
        (b"", None),
    ],
)
def test_the_form_type_comes_from_the_first_bytes(head, kind):
    assert uploads.sniff(head, uploads.OPINION_FORM.types) == kind
