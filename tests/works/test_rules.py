"""The pure rules behind the works guards."""

from datetime import date

from works import rules
from works.rules import CITY, DISTRICT, FAIL, PASS, SUPERVISORY, Attempt

D = date(2026, 10, 1)


def test_approval_needs_permit_number_and_date_and_the_market_notice():
    assert rules.approval_missing(permit_number="", permit_date=None, market_notice_date=None) == [
        rules.PERMIT_MISSING,
        rules.MARKET_NOTICE_MISSING,
    ]
    assert rules.approval_missing(permit_number=" ", permit_date=D, market_notice_date=D) == [
        rules.PERMIT_MISSING
    ]
    assert rules.approval_missing(permit_number="017", permit_date=None, market_notice_date=D) == [
        rules.PERMIT_MISSING
    ]
    assert rules.approval_missing(permit_number="017", permit_date=D, market_notice_date=None) == [
        rules.MARKET_NOTICE_MISSING
    ]
    assert rules.approval_missing(permit_number="017", permit_date=D, market_notice_date=D) == []


def test_construction_needs_completion_and_every_checklist_item():
    done = {"meter_boxes": True, "pipes": True, "drainage_ditch": True}
    assert rules.construction_missing(completed_on=D, checklist=done) == []
    assert rules.construction_missing(completed_on=None, checklist=done) == [rules.COMPLETION_MISSING]
    assert rules.construction_missing(completed_on=D, checklist={**done, "pipes": False}) == ["pipes"]
    assert rules.construction_missing(completed_on=None, checklist={}) == [
        rules.COMPLETION_MISSING,
        "meter_boxes",
        "pipes",
        "drainage_ditch",
    ]


def passed(sup=D, district=D, city=D):
    return [
        Attempt(SUPERVISORY, PASS, sup, 1),
        Attempt(DISTRICT, PASS, district, 2),
        Attempt(CITY, PASS, city, 3),
    ]


def codes(blockers):
    return [(b.code, b.level) for b in blockers]


def test_acceptance_passes_when_every_level_passed_in_order_same_day_included():
    assert rules.acceptance_blockers(passed()) == []
    assert rules.acceptance_blockers(passed(date(2026, 9, 1), date(2026, 9, 10), date(2026, 9, 20))) == []


def test_acceptance_lists_missing_levels():
    assert codes(rules.acceptance_blockers([])) == [
        (rules.LEVEL_MISSING, SUPERVISORY),
        (rules.LEVEL_MISSING, DISTRICT),
        (rules.LEVEL_MISSING, CITY),
    ]
    assert codes(rules.acceptance_blockers(passed()[:1])) == [
        (rules.LEVEL_MISSING, DISTRICT),
        (rules.LEVEL_MISSING, CITY),
    ]


def test_the_latest_attempt_of_a_level_counts():
    failed_later = [*passed(), Attempt(CITY, FAIL, date(2026, 10, 2), 4)]
    assert codes(rules.acceptance_blockers(failed_later)) == [(rules.LEVEL_FAILED, CITY)]
    retried = [*failed_later, Attempt(CITY, PASS, date(2026, 10, 9), 5)]
    assert rules.acceptance_blockers(retried) == []
    # Two checks on the same day: the one recorded later wins.
    same_day = [*passed(), Attempt(CITY, FAIL, D, 9)]
    assert codes(rules.acceptance_blockers(same_day)) == [(rules.LEVEL_FAILED, CITY)]


def test_district_and_city_must_come_after_the_level_before_them():
    early_district = passed(sup=date(2026, 9, 10), district=date(2026, 9, 9), city=date(2026, 9, 20))
    blockers = rules.acceptance_blockers(early_district)
    assert codes(blockers) == [(rules.OUT_OF_ORDER, DISTRICT)]
    assert blockers[0].after == SUPERVISORY
    early_city = passed(sup=date(2026, 9, 1), district=date(2026, 9, 10), city=date(2026, 9, 5))
    assert codes(rules.acceptance_blockers(early_city)) == [(rules.OUT_OF_ORDER, CITY)]


def test_registration_needs_number_and_date():
    assert rules.registration_missing(number="梯11", registered_on=D) == []
    assert rules.registration_missing(number="", registered_on=D) == [rules.REGISTRATION_MISSING]
    assert rules.registration_missing(number="梯11", registered_on=None) == [rules.REGISTRATION_MISSING]
