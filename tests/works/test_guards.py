"""Every works guard, both ways, through the lifecycle's unit_move."""

from datetime import date, timedelta

import pytest

from tests.factories import approve, at_stage, build
from units import lifecycle
from units.models import Stage
from works import services
from works.models import AcceptanceCheck, Approval, Construction, Registration

D = date(2026, 9, 1)


def move(unit, after, by):
    return lifecycle.unit_move(unit=unit, after=after, by=by)


def refused(unit, after, by) -> list[str]:
    with pytest.raises(lifecycle.MoveRefused) as error:
        move(unit, after, by)
    unit.refresh_from_db()
    return error.value.messages


def test_the_works_guards_are_registered(db):
    for name in ("approval_done", "construction_complete", "acceptance_passed", "registered"):
        assert name in lifecycle.MACHINE.guards


def test_approval_done_needs_permit_and_market_notice(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.APPROVAL)
    assert len(refused(unit, Stage.CONSTRUCTION, staff)) == 2
    Approval.objects.create(unit=unit, permit_number="锦规联审〔2026〕017号", permit_date=D)
    assert len(refused(unit, Stage.CONSTRUCTION, staff)) == 1
    assert unit.stage == Stage.APPROVAL
    Approval.objects.filter(unit=unit).update(market_notice_date=D)
    move(unit, Stage.CONSTRUCTION, staff)
    assert unit.stage == Stage.CONSTRUCTION


def test_construction_complete_needs_completion_and_the_whole_checklist(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.CONSTRUCTION)
    assert len(refused(unit, Stage.ACCEPTANCE, staff)) == 4  # completion + three checklist items
    construction = Construction.objects.create(
        unit=unit, started_on=D, completed_on=date(2026, 10, 1), meter_boxes=True, pipes=True
    )
    assert len(refused(unit, Stage.ACCEPTANCE, staff)) == 1  # the drainage ditch
    construction.drainage_ditch = True
    construction.save()
    move(unit, Stage.ACCEPTANCE, staff)
    assert unit.stage == Stage.ACCEPTANCE


def check(unit, level, result, day, remarks=""):
    return AcceptanceCheck.objects.create(
        unit=unit, level=level, result=result, date=day, inspector="张工", remarks=remarks
    )


def test_acceptance_passed_needs_every_level_latest_passed_in_order(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    assert len(refused(unit, Stage.IN_SERVICE, staff)) == 3
    check(unit, "supervisory", "pass", date(2026, 9, 10))
    check(unit, "district", "pass", date(2026, 9, 9))  # before the supervisory inspection
    check(unit, "city", "pass", date(2026, 9, 20))
    assert len(refused(unit, Stage.IN_SERVICE, staff)) == 1
    check(unit, "district", "fail", date(2026, 9, 12), remarks="底坑积水")
    assert len(refused(unit, Stage.IN_SERVICE, staff)) == 1
    check(unit, "district", "pass", date(2026, 9, 15))
    move(unit, Stage.IN_SERVICE, staff)
    assert unit.stage == Stage.IN_SERVICE


def test_registered_needs_the_use_registration(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.IN_SERVICE)
    assert len(refused(unit, Stage.UPKEEP, staff)) == 1
    Registration.objects.create(unit=unit, number="梯11川A2026·0001", registered_on=D, user_unit="全体业主")
    move(unit, Stage.UPKEEP, staff)
    assert unit.stage == Stage.UPKEEP


def test_a_whole_run_from_approval_to_upkeep_through_the_services(works):
    """The forms' services produce exactly the evidence the guards ask for."""
    staff, company = works.users["staff"], works.users["company"]
    unit = at_stage(works.unit, Stage.APPROVAL)
    approve(unit, company)
    move(unit, Stage.CONSTRUCTION, staff)
    build(unit, company, date(2026, 9, 6), date(2026, 10, 6))
    move(unit, Stage.ACCEPTANCE, staff)
    for level, day in [("supervisory", 10), ("district", 12), ("city", 14)]:
        services.acceptance_record(
            unit=unit, by=company, level=level, result="pass", date=date(2026, 10, day), inspector="张工"
        )
    move(unit, Stage.IN_SERVICE, staff)
    services.registration_save(
        unit=unit,
        by=staff,
        number="梯11",
        registered_on=date(2026, 10, 20),
        leader=works.users["unit_leader"],
    )
    move(unit, Stage.UPKEEP, staff)
    assert unit.stage == Stage.UPKEEP
    assert list(unit.stage_changes.values_list("after", flat=True)) == [
        "upkeep",
        "in_service",
        "acceptance",
        "construction",
    ]


# --- dates typed by users are not trusted blindly ----------------------------------------------------


def _tomorrow():
    from django.utils import timezone

    return timezone.localdate() + timedelta(days=1)


@pytest.mark.parametrize(
    ("write", "field"),
    [
        (lambda w, t: approve(w.unit, w.users["staff"], permit_date=t, notice=None), "permit_date"),
        (lambda w, t: approve(w.unit, w.users["staff"], permit_date=D, notice=t), "market_notice_date"),
        (lambda w, t: build(w.unit, w.users["staff"], D, t), "completed_on"),
        (lambda w, t: services.acceptance_record(unit=w.unit, by=w.users["staff"], level="city", result="pass",
                                                 date=t, inspector="张工"), "date"),
        (lambda w, t: services.registration_save(unit=w.unit, by=w.users["staff"], number="梯11",
                                                 registered_on=t, user_unit="全体业主"), "registered_on"),
        (lambda w, t: services.visit_add(unit=w.unit, by=w.users["staff"], date=t), "date"),
        (lambda w, t: services.inspection_add(unit=w.unit, by=w.users["staff"], date=t, result="pass",
                                              next_due=t + timedelta(days=365)), "date"),
        (lambda w, t: services.log_entry_add(unit=w.unit, by=w.users["staff"], date=t, text="浇筑底坑"), "date"),
    ],
)
def test_an_event_that_must_have_happened_cannot_be_dated_tomorrow(works, write, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        write(works, _tomorrow())
    message = " ".join(error.value.message_dict[field])
    assert f"{_tomorrow():%Y-%m-%d}" in message and "将来" in message


def test_a_subsidy_payment_received_tomorrow_is_refused(works):
    from django.core.exceptions import ValidationError

    for level, day in [("supervisory", 10), ("district", 12), ("city", 14)]:
        check(works.unit, level, "pass", date(2026, 10, day))
    with pytest.raises(ValidationError) as error:
        services.subsidy_record(unit=works.unit, by=works.users["staff"], paid_on=_tomorrow())
    assert "将来" in " ".join(error.value.message_dict["paid_on"])


def test_a_future_date_stored_another_way_still_blocks_the_move(works):
    """The admin or an old record: the guard itself does not take tomorrow's approval as done."""
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.APPROVAL)
    Approval.objects.create(unit=unit, permit_number="017", permit_date=D, market_notice_date=_tomorrow())
    messages = refused(unit, Stage.CONSTRUCTION, staff)
    assert any("告知" in m and "将来" in m for m in messages)


def test_construction_started_before_the_market_supervision_notice_blocks_acceptance(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.CONSTRUCTION)
    Approval.objects.create(unit=unit, permit_number="017", permit_date=D, market_notice_date=date(2026, 9, 5))
    Construction.objects.create(
        unit=unit, started_on=date(2026, 8, 1), completed_on=date(2026, 8, 30),
        meter_boxes=True, pipes=True, drainage_ditch=True,
    )
    messages = refused(unit, Stage.ACCEPTANCE, staff)
    assert any("开工" in m and "2026-08-01" in m and "2026-09-05" in m for m in messages)
    Construction.objects.filter(unit=unit).update(started_on=date(2026, 9, 6), completed_on=date(2026, 10, 6))
    move(unit, Stage.ACCEPTANCE, staff)


def test_an_acceptance_check_dated_before_construction_completed_is_refused(works):
    from django.core.exceptions import ValidationError

    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    Construction.objects.create(
        unit=unit, started_on=D, completed_on=date(2026, 10, 6), meter_boxes=True, pipes=True, drainage_ditch=True
    )
    with pytest.raises(ValidationError) as error:
        services.acceptance_record(
            unit=unit, by=works.users["company"], level="supervisory", result="pass", date=date(2026, 10, 1),
            inspector="张工",
        )
    assert error.value.message_dict["date"] == ["特种设备监督检验（2026-10-01）早于竣工日期（2026-10-06），请更正日期。"]
    services.acceptance_record(
        unit=unit, by=works.users["company"], level="supervisory", result="pass", date=date(2026, 10, 8), inspector="张工"
    )


def test_acceptance_dated_before_construction_started_blocks_service(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    Construction.objects.create(
        unit=unit, started_on=D, completed_on=date(2026, 10, 6), meter_boxes=True, pipes=True, drainage_ditch=True
    )
    check(unit, "supervisory", "pass", date(2026, 3, 1))  # months before work started
    check(unit, "district", "pass", date(2026, 10, 12))
    check(unit, "city", "pass", date(2026, 10, 14))
    messages = refused(unit, Stage.IN_SERVICE, staff)
    assert any("2026-03-01" in m and "开工" in m for m in messages)
    check(unit, "supervisory", "pass", date(2026, 10, 8))
    move(unit, Stage.IN_SERVICE, staff)


def test_use_registration_before_the_city_acceptance_blocks_upkeep(works):
    staff = works.users["staff"]
    unit = at_stage(works.unit, Stage.IN_SERVICE)
    for level, day in [("supervisory", 10), ("district", 12), ("city", 14)]:
        check(unit, level, "pass", date(2026, 10, day))
    registration = Registration.objects.create(unit=unit, number="梯11", registered_on=date(2026, 10, 1), user_unit="全体业主")
    messages = refused(unit, Stage.UPKEEP, staff)
    assert any("使用登记" in m and "2026-10-14" in m for m in messages)
    Registration.objects.filter(pk=registration.pk).update(registered_on=date(2026, 10, 20))
    move(unit, Stage.UPKEEP, staff)
