"""The demo data: every stage and situation is there, the history holds together, every page has data.

The demo is built once for the session (``demo_street`` in tests/conftest.py), inside a transaction
rolled back at the end; each test runs in its own savepoint on top of it. The story is 红旗街道's; the
neighbouring street of its district (demo/services.py) is generated as the benchmark's district is, so
the figures of the story are counted on the street's own units (``street_units``).
"""

from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultations import rules
from consultations.models import (
    LEADERSHIP_KINDS,
    ActionItem,
    ConsultationRound,
    Contact,
    Meeting,
    MeetingKind,
    Notice,
    NoticeStatus,
    VoteChange,
)
from consultations.selectors import consent_by_unit
from demo.accounts import DEMO_PASSWORD
from demo.story import EXPECTED, OTHER_ESTATE, PILOT_ESTATE, STREET
from reports import dashboard
from retrofit.models import User
from tests.histories import reached_from_history, stored_reached, stored_weeks, weeks_from_history
from units.models import Plan, Stage, StageChange, Unit
from works.models import AcceptanceCheck, ConstructionLogEntry, MaintenanceVisit, Result

DEMO_USERS = ["admin", "leader", "staff", "staff2", "unitlead", "viewer", "district", "elevator"]


def street_units():
    return Unit.objects.filter(building__estate__community__street__name=STREET)


def pilot_unit(building, number):
    return Unit.objects.get(
        building__estate__name=PILOT_ESTATE, building__number=building, number=number
    )


def test_seed_demo_fills_an_empty_database_and_prints_the_logins(demo_street):
    assert "演示数据已载入" in demo_street
    for username in DEMO_USERS:
        assert f"  {username} " in demo_street
    assert street_units().count() == 16


def test_every_stage_of_the_pilot_has_a_unit(demo_street):
    stages = set(Unit.objects.values_list("stage", flat=True))
    wanted = set(Stage.values) - {Stage.WITHDRAWN}
    assert wanted <= stages
    for (building, number), expected in EXPECTED.items():
        stage = expected[0] if isinstance(expected, tuple) else expected
        assert pilot_unit(building, number).stage == stage, (building, number)
    other = Unit.objects.filter(building__estate__name=OTHER_ESTATE)
    assert set(other.values_list("stage", flat=True)) == {Stage.SURVEY}
    assert StageChange.objects.filter(after=Stage.PAUSED).exclude(reason="").exists()


def test_the_units_in_consultation_show_the_four_situations(demo_street):
    units = list(street_units().for_listing().filter(stage=Stage.CONSULTATION))
    consents = consent_by_unit(units, live=True)
    situations = {consents[u.pk].consent.situation for u in units}
    assert situations == set(rules.SITUATIONS)
    for (building, number), expected in EXPECTED.items():
        if isinstance(expected, tuple):
            unit = next(u for u in units if (u.building.number, u.number) == (building, number))
            assert consents[unit.pk].consent.situation == expected[1], (building, number)
    # Units past consultation passed the consent guard on their way.
    later = street_units().for_listing().exclude(stage__in=[Stage.SURVEY, Stage.CONSULTATION])
    assert all(c.consent.threshold_met for c in consent_by_unit(later, live=True).values())


def test_the_consultation_pages_have_their_material(demo_street):
    today = timezone.localdate()
    rounds = ConsultationRound.objects.current().filter(unit__in=street_units())
    assert rounds.filter(deadline__gte=today).count() >= 3
    assert rounds.overdue(today).count() == 1
    assert rounds.filter(status="on_hold").exclude(hold_note="").count() == 1
    few = [pilot_unit("4", "1"), pilot_unit("4", "3")]
    for unit in few:
        holdouts = [h for h in unit.households.all() if hasattr(h, "holdout")]
        assert len(holdouts) >= 3
    assert any(h.holdout.relief_amount for h in few[0].households.all() if hasattr(h, "holdout"))
    assert any(h.holdout.visit_planned_on for h in few[1].households.all() if hasattr(h, "holdout"))
    qa = Meeting.objects.get(kind=MeetingKind.QA)
    wait = pilot_unit("4", "2")
    assert list(qa.units.all()) == [wait] and today < qa.held_on <= wait.rounds.current().get().deadline
    contacts = Contact.objects.filter(contacted_at__gte=timezone.now() - timedelta(weeks=6))
    assert contacts.count() >= 30
    assert len(set(contacts.values_list("outcome", flat=True))) >= 4
    notices = Notice.objects.filter(status=NoticeStatus.RUNNING)
    assert notices.count() == 2
    open_objections = [n for n in notices if n.objections.filter(settled_on__isnull=True).exists()]
    assert len(open_objections) == 1
    assert any(today > n.last_day for n in notices)  # one period has run: ready to sign


def test_every_plan_version_adds_up_to_its_net_cost(demo_street):
    for plan in Plan.objects.prefetch_related("shares"):
        assert sum(s.amount for s in plan.shares.all()) == plan.net_cost, plan
    assert not street_units().filter(plans__isnull=True).exists()


def test_the_history_holds_together(demo_street):
    now = timezone.now()
    by_unit = defaultdict(list)
    for change in StageChange.objects.order_by("changed_at", "id"):
        by_unit[change.unit_id].append(change)
    for unit in Unit.objects.all():
        changes = by_unit[unit.pk]
        if not changes:
            assert unit.stage == Stage.SURVEY
            continue
        assert unit.stage_since == changes[-1].changed_at and unit.stage == changes[-1].after, unit
        assert changes[0].before == Stage.SURVEY
        for earlier, later in zip(changes, changes[1:], strict=False):
            assert earlier.after == later.before, unit
        assert all(c.changed_by_id and c.reason for c in changes)
    # Nothing is stamped with the time the demo ran, nor in the future.
    for stamps in (
        StageChange.objects.values_list("changed_at", flat=True),
        VoteChange.objects.values_list("changed_at", flat=True),
        Contact.objects.values_list("contacted_at", flat=True),
    ):
        assert max(stamps) < now - timedelta(hours=1)
    assert max(AcceptanceCheck.objects.values_list("recorded_at", flat=True)) < now - timedelta(days=1)
    weeks = {
        timezone.localdate(t).isocalendar()[:2]
        for t in VoteChange.objects.filter(changed_at__gte=now - timedelta(weeks=12)).values_list(
            "changed_at", flat=True
        )
    }
    assert len(weeks) >= 8
    # The story re-dates what its services stamped "now": the first arrivals and the weeks go with it.
    assert stored_reached() == reached_from_history() and stored_weeks() == weeks_from_history()


def test_the_works_pages_have_their_material(demo_street):
    upkeep, accepting = pilot_unit("1", "1"), pilot_unit("1", "3")
    assert upkeep.stage_changes.filter(after=Stage.ACCEPTANCE).count() == 2
    assert accepting.stage_changes.filter(before=Stage.ACCEPTANCE, after=Stage.CONSTRUCTION).exists()
    assert AcceptanceCheck.objects.filter(unit=accepting, level="district", result=Result.FAIL).exists()
    assert AcceptanceCheck.objects.filter(unit=accepting, level="district", result=Result.PASS).exists()
    assert ConstructionLogEntry.objects.filter(unit=pilot_unit("3", "3")).count() >= 3
    visits = sorted(MaintenanceVisit.objects.filter(unit=upkeep).values_list("date", flat=True))
    assert (timezone.localdate() - visits[-1]).days == 16
    assert upkeep.charges.filter(paid_on__isnull=True).exists()
    elevator = User.objects.get(username="elevator")
    assert set(Unit.objects.visible_to(elevator)) == {upkeep, pilot_unit("3", "3")}


def test_the_leadership_group_meets_and_follows_up(demo_street):
    today = timezone.localdate()
    meetings = Meeting.objects.filter(kind__in=LEADERSHIP_KINDS)
    assert {m.kind for m in meetings} == set(LEADERSHIP_KINDS)
    assert all(m.minutes for m in meetings) and any(m.decisions for m in meetings)
    items = ActionItem.objects.all()
    assert items.filter(done=True).count() >= 3
    overdue = [item for item in items if item.is_overdue(today)]
    assert [item.owner.username for item in overdue] == ["staff"]


def test_leader_dashboard_shows_a_living_pilot(demo_street, client):
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    response = client.get(reverse("dashboard_home"), follow=True)
    assert response.status_code == 200
    board = response.context["board"]
    kinds = {item.kind for item, _unit in board.attention}
    assert "stalled" in kinds and "maintenance_overdue" in kinds
    stalled = {str(unit) for item, unit in board.attention if item.kind == "stalled"}
    assert stalled == {str(pilot_unit("2", "2")), str(pilot_unit("5", "1"))}
    agreed = board.trend["agreed"]
    assert len(agreed) >= 12 and agreed[-1] > agreed[0] and len(set(agreed)) > 4
    assert len(board.progress["months"]) >= 3 and board.progress["accepted"][-1] >= 2


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_user_logs_in_and_opens_their_home(demo_street, client, username):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get(reverse("home"), follow=True)
    assert home.status_code == 200
    if username == "elevator":
        assert home.redirect_chain[-1][0] == reverse("works_home")
        assert len(home.context["summaries"]) == 2
    else:
        assert home.redirect_chain == [] and home.context["rows"]


def test_display_names_do_not_repeat_the_scope(demo_street):
    for user in User.objects.exclude(username="admin"):
        assert user.display_name and (not user.scope_label or user.scope_label not in user.display_name)


def test_seed_demo_if_empty_leaves_existing_data_alone(demo_street):
    counts = [m.objects.count() for m in (Unit, VoteChange, StageChange, Contact, Meeting, User)]
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert [m.objects.count() for m in (Unit, VoteChange, StageChange, Contact, Meeting, User)] == counts
    assert "演示数据已载入" not in out.getvalue() and "elevator" in out.getvalue()


def test_dashboard_figures_come_from_the_whole_street(demo_street):
    board = dashboard.build(street_units(), group_by="community")
    assert {row.name for row in board.groups} == {"绵纺社区", "光华社区"}
