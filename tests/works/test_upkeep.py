"""Upkeep warnings at their boundaries: 15 days is fine, 16 is flagged; 30 days ahead is 'due soon'."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from works import upkeep

TODAY = date(2026, 11, 26)


def days(n):
    return TODAY - timedelta(days=n)


def test_fifteen_days_between_visits_is_fine_sixteen_is_flagged():
    assert upkeep.maintenance_gaps([days(30), days(15), days(0)], today=TODAY) == []
    gaps = upkeep.maintenance_gaps([days(31), days(15), days(0)], today=TODAY)
    assert [(g.start, g.end, g.days, g.open) for g in gaps] == [(days(31), days(15), 16, False)]


def test_since_the_last_visit_counts_up_to_today():
    assert upkeep.maintenance_gaps([days(15)], today=TODAY) == []
    gaps = upkeep.maintenance_gaps([days(16)], today=TODAY)
    assert [(g.start, g.end, g.days, g.open) for g in gaps] == [(days(16), TODAY, 16, True)]


def test_start_of_use_anchors_the_first_gap_and_an_elevator_with_no_visit():
    assert upkeep.maintenance_gaps([], today=TODAY) == []
    assert upkeep.maintenance_gaps([], today=TODAY, since=days(15)) == []
    assert [g.days for g in upkeep.maintenance_gaps([], today=TODAY, since=days(16))] == [16]
    gaps = upkeep.maintenance_gaps([days(3)], today=TODAY, since=days(40))
    assert [(g.days, g.open) for g in gaps] == [(37, False)]


def test_future_and_repeated_visits_do_not_hide_a_gap():
    gaps = upkeep.maintenance_gaps([days(20), days(20), TODAY + timedelta(days=1)], today=TODAY)
    assert [(g.days, g.open) for g in gaps] == [(20, True)]


@given(st.lists(st.integers(min_value=0, max_value=400), max_size=30))
def test_every_gap_over_fifteen_days_is_flagged_and_no_other(offsets):
    visits = [days(n) for n in offsets]
    gaps = upkeep.maintenance_gaps(visits, today=TODAY)
    points = sorted(set(visits))
    expected = [(a, b) for a, b in zip(points, points[1:], strict=False) if (b - a).days > 15]
    if points and (TODAY - points[-1]).days > 15:
        expected.append((points[-1], TODAY))
    assert [(g.start, g.end) for g in gaps] == expected
    assert all(g.days > 15 for g in gaps)


def test_next_visit_due_fifteen_days_after_the_last():
    assert upkeep.next_visit_due(None) is None
    assert upkeep.next_visit_due(days(10)) == TODAY + timedelta(days=5)


def test_inspection_due_within_thirty_days_and_overdue_the_day_after():
    assert upkeep.inspection_status(None, today=TODAY) == upkeep.INSPECTION_NONE
    assert upkeep.inspection_status(TODAY + timedelta(days=31), today=TODAY) == upkeep.INSPECTION_OK
    assert upkeep.inspection_status(TODAY + timedelta(days=30), today=TODAY) == upkeep.INSPECTION_DUE_SOON
    assert upkeep.inspection_status(TODAY, today=TODAY) == upkeep.INSPECTION_DUE_SOON
    assert upkeep.inspection_status(days(1), today=TODAY) == upkeep.INSPECTION_OVERDUE


def test_arrears_are_the_unpaid_charges_per_household():
    charges = [
        upkeep.Charge("301", Decimal("9.00")),
        upkeep.Charge("302", Decimal("9.00"), paid_on=TODAY),
        upkeep.Charge("301", Decimal("12.50")),
        upkeep.Charge("601", Decimal("18.00")),
    ]
    assert upkeep.arrears(charges) == [
        upkeep.Arrear("301", 2, Decimal("21.50")),
        upkeep.Arrear("601", 1, Decimal("18.00")),
    ]
    assert upkeep.arrears([upkeep.Charge("302", Decimal("9.00"), paid_on=TODAY)]) == []
