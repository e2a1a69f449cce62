"""One answer to "what does this unit need next, and what blocks it" (docs/rules.md, "The next step").

The rule is a table: each stage's move forward and the guards of that move; the blockers are exactly
the guards that fail. Every page that says what comes next reads it: the unit page, the dashboard and its
attention list, the visit list and the residents' public page.
"""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from consultations import services as consultation_services
from consultations.attention import consultation_attention
from residents import services as resident_services
from tests.factories import at_stage
from units import nextstep
from units.lifecycle import MACHINE
from units.models import Stage, Unit

SEEDED_ADVICE = "率先草签协议并进行公示"  # the advice of a ready unit in consultation, nowhere else

EXPECTED_AFTER = {
    Stage.SURVEY: Stage.CONSULTATION,
    Stage.CONSULTATION: Stage.NOTICE,
    Stage.NOTICE: Stage.SIGNING,
    Stage.SIGNING: Stage.APPROVAL,
    Stage.APPROVAL: Stage.CONSTRUCTION,
    Stage.CONSTRUCTION: Stage.ACCEPTANCE,
    Stage.ACCEPTANCE: Stage.IN_SERVICE,
    Stage.IN_SERVICE: Stage.UPKEEP,
    Stage.UPKEEP: None,
    Stage.PAUSED: None,
    Stage.WITHDRAWN: None,
}


# --- the rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_has_a_next_step_whose_move_is_the_lifecycles(stage):
    step = nextstep.next_step(stage, {})
    assert step.stage == stage
    assert step.after == EXPECTED_AFTER[stage]
    assert str(step.action)
    assert step.blockers == ()
    assert step.can_advance == (step.after is not None)
    if step.after is not None:
        assert (stage, step.after) in MACHINE.moves  # the next step is a move the lifecycle allows
        assert nextstep.guards_of(stage) == MACHINE.moves[(stage, step.after)].guards
    else:
        assert nextstep.guards_of(stage) == ()


def test_leaving_the_notice_is_guarded_by_the_period_and_by_the_objections_apart():
    assert nextstep.guards_of(Stage.NOTICE) == ("notice_over", "objections_settled")


def test_the_upkeep_step_is_the_upkeep_and_no_step_before_signing():
    step = nextstep.next_step(Stage.UPKEEP, {})
    assert step.after is None and not step.blockers
    assert "15" in str(step.action)  # a maintenance visit every 15 days
    notice = nextstep.next_step(Stage.NOTICE, {})
    assert str(notice.action) != str(nextstep.next_step(Stage.CONSULTATION, {}).action)


GUARD_NAMES = sorted({name for move in MACHINE.moves.values() for name in move.guards} | {"not_a_guard"})


@given(
    stage=st.sampled_from(list(Stage)),
    failing=st.dictionaries(
        st.sampled_from(GUARD_NAMES), st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=3), max_size=5
    ),
)
def test_the_blockers_are_exactly_the_failing_guards_of_the_next_move(stage, failing):
    step = nextstep.next_step(stage, failing)
    own = nextstep.guards_of(stage)
    expected = [(name, message) for name in own for message in failing.get(name, [])]
    assert [(b.guard, b.message) for b in step.blockers] == expected
    assert step.blocked_by == frozenset(name for name in own if failing.get(name))
    assert step.can_advance == (step.after is not None and not expected)
    for name in GUARD_NAMES:
        assert step.is_blocked_by(name) == (name in own and bool(failing.get(name)))


# --- the readers: a unit in notice, its period over, one objection open -----------------------------


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(9)))


@pytest.fixture
def objected(world):
    """world.unit (consent reached) in a 20-day notice posted 30 days ago, with one objection open."""
    staff = world.users["staff"]
    posted = timezone.localdate() - timedelta(days=30)
    consultation_services.round_open(
        unit=world.unit, deadline=posted + timedelta(days=5), opened_on=posted, channels=["notice"], by=staff
    )
    notice = consultation_services.notice_start(
        unit=world.unit, draft_signed_on=posted, starts_on=posted, days=20, plan_summary="平层入户", by=staff,
        when=_at(posted),
    )
    consultation_services.objection_log(
        notice=notice, objector="李建国", household=world.flats[8], received_on=posted + timedelta(days=3),
        content="担心电梯井影响一楼采光", by=staff,
    )
    world.unit.refresh_from_db()
    assert world.unit.stage == Stage.NOTICE
    return world.unit


def test_the_function_says_the_objection_blocks_and_the_period_does_not(objected):
    step = nextstep.next_step_for(Unit.objects.for_listing().get(pk=objected.pk))
    assert step.after == Stage.SIGNING
    assert not step.can_advance
    assert step.blocked_by == {"objections_settled"}
    assert "1 条异议" in " ".join(b.message for b in step.blockers)


def test_the_unit_page_says_the_objection_blocks_and_gives_no_consultation_advice(client, world, objected):
    for role in ("staff", "viewer"):
        client.force_login(world.users[role])
        body = client.get(reverse("unit_detail", args=[objected.pk])).content.decode()
        assert 'data-testid="next-step"' in body
        assert 'data-can-advance="no"' in body and 'data-blocked-by="objections_settled"' in body
        assert "1 条异议" in body
        assert SEEDED_ADVICE not in body
        assert "已可转入" not in body


def test_the_public_page_says_the_objection_blocks_and_never_that_the_project_can_go_ahead(client, world, objected):
    link = resident_services.public_link_issue(unit=objected, by=world.users["staff"])
    body = client.get(reverse("resident_unit", args=[link.token])).content.decode()
    assert 'data-testid="public-next-step"' in body
    assert 'data-blocked-by="objections_settled"' in body
    assert "异议" in body
    assert "可以推进" not in body
    assert SEEDED_ADVICE not in body


def test_the_attention_source_never_says_a_notice_with_an_open_objection_can_move_on(objected):
    items = consultation_attention(Unit.objects.filter(pk=objected.pk), timezone.localdate())
    kinds = {item.kind for item in items}
    assert {"notice_ending", "objection"} <= kinds
    assert all("可进入下一阶段" not in item.detail for item in items)


def test_the_dashboard_and_its_attention_list_say_the_objection_blocks(client, world, objected):
    client.force_login(world.users["leader"])
    response = client.get(reverse("dashboard", kwargs={"level": "street", "pk": world.street.pk}))
    body = response.content.decode()
    board = response.context["board"]
    assert board.next_steps[objected.pk].blocked_by == {"objections_settled"}
    attention = body.split('data-testid="attention"')[1].split("</ul>")[0]
    assert "可进入下一阶段" not in attention and "已可转入" not in attention
    assert 'data-blocked-by="objections_settled"' in attention
    rows = body.split('data-testid="unit-rows"')[1]
    assert 'data-blocked-by="objections_settled"' in rows
    assert SEEDED_ADVICE not in body


def test_a_unit_in_upkeep_shows_the_upkeep_not_a_step_before_signing(client, world):
    at_stage(world.unit, Stage.UPKEEP)  # its owners agree: the consent card still counts them
    client.force_login(world.users["staff"])
    body = client.get(reverse("unit_detail", args=[world.unit.pk])).content.decode()
    assert SEEDED_ADVICE not in body
    assert "维保" in body.split('data-testid="next-step"')[1].split("</section>")[0]
    link = resident_services.public_link_issue(unit=world.unit, by=world.users["staff"])
    public = client.get(reverse("resident_unit", args=[link.token])).content.decode()
    assert "可以推进" not in public and SEEDED_ADVICE not in public


def test_a_ready_unit_in_consultation_is_told_to_start_its_notice_everywhere(client, world):
    at_stage(world.unit, Stage.CONSULTATION)
    client.force_login(world.users["staff"])
    body = client.get(reverse("unit_detail", args=[world.unit.pk])).content.decode()
    assert 'data-can-advance="yes"' in body
    visits = client.get(reverse("community_visits", args=[world.community.pk]))
    assert [u.pk for u, _step in visits.context["listing"].ready] == [world.unit.pk]


def test_a_passing_unit_still_in_survey_is_told_to_open_a_round_not_to_post_the_notice(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("community_visits", args=[world.community.pk]))
    [(unit, step)] = response.context["listing"].ready
    assert unit.pk == world.unit.pk and step.after == Stage.CONSULTATION and step.can_advance
    ready = response.content.decode().split('data-testid="ready-units"')[1].split("</div>")[0]
    assert "发起征询轮次" in ready and "公示" not in ready


def test_the_bulk_answer_is_the_single_answer_and_its_queries_do_not_grow(world, objected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import add_flats, make_unit

    others = []
    for stage in Stage:
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="9", unit=stage.value)
        add_flats(unit, ["agree", "oppose"], owner_prefix=f"{stage.value}-")
        others.append(at_stage(unit, stage))
    units = list(Unit.objects.for_listing().order_by("pk"))
    with CaptureQueriesContext(connection) as few:
        small = nextstep.next_steps(units[:3] + [u for u in units if u.pk == objected.pk])
    with CaptureQueriesContext(connection) as many:
        every = nextstep.next_steps(units)
    for unit in units:
        assert every[unit.pk] == nextstep.next_step_for(unit), unit.stage
    assert small[objected.pk] == every[objected.pk]
    # one query or two per guard of the stages present, whatever the number of units
    assert len(many) <= 2 * len({g for u in units for g in nextstep.guards_of(u.stage)})
    assert len(few) <= len(many)


def test_a_vote_that_loses_consent_sends_the_next_step_again_blocked(client, world):
    """world.unit passes with 8 of 12 agreeing; three of them turning to oppose stop it."""
    at_stage(world.unit, Stage.CONSULTATION)
    client.force_login(world.users["staff"])
    for flat in world.flats[:3]:
        response = client.post(
            reverse("household_vote", args=[flat.pk]), {"value": "oppose", "version": 1}, HTTP_HX_REQUEST="true"
        )
    body = response.content.decode()
    assert response.context["step"].blocked_by == {"consent_ready"}
    assert 'id="next-step"' in body and 'data-blocked-by="consent_ready"' in body and 'hx-swap-oob="true"' in body


def _units_in_every_stage(world, copies, first=0):
    from tests.factories import add_flats, make_unit

    for stage in Stage:
        for copy in range(first, first + copies):
            unit = make_unit(world.community, estate="绵纺厂宿舍小区", building=f"{stage.value}", unit=str(copy))
            add_flats(unit, ["agree", "oppose", "undecided"], owner_prefix=f"{stage.value}-{copy}-")
            at_stage(unit, stage)


def test_the_dashboards_queries_do_not_grow_with_units_in_every_stage(client, world, objected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("dashboard", kwargs={"level": "street", "pk": world.street.pk})
    client.force_login(world.users["leader"])
    _units_in_every_stage(world, 1)
    client.get(url)  # stores the new units' tallies
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _units_in_every_stage(world, 3, first=1)
    client.get(url)
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert len(big) == len(small), [q["sql"][:100] for q in big.captured_queries]
    assert len(response.context["board"].next_steps) == len(response.context["board"].units)


def test_the_public_page_of_a_unit_in_notice_costs_two_queries_more_whatever_its_objections(
    client, world, objected, django_assert_num_queries
):
    from consultations.models import Notice

    link = resident_services.public_link_issue(unit=objected, by=world.users["staff"])
    url = reverse("resident_unit", args=[link.token])
    client.get(url)
    # the page's eleven without a plan's shares (twelve with them, test_public_page.py) and the notice's
    # two guards: its period, its objections
    with django_assert_num_queries(13):
        client.get(url)
    notice = Notice.objects.get(unit=objected)
    for day in range(3):
        consultation_services.objection_log(
            notice=notice, objector=f"住户{day}", received_on=timezone.localdate(), content="噪音", by=world.users["staff"]
        )
    with django_assert_num_queries(13):
        client.get(url)
