"""The support pattern (floor, occupancy, age) and the sections for the unit and estate pages."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Contact, Vote
from consultations.selectors import support_pattern
from tests.factories import add_flats, make_unit
from units.models import Household, Unit


def _rows(rows):
    return {row.key: (row.agree, row.oppose, row.other) for row in rows}


def test_support_by_floor_band_occupancy_and_age(world):
    # world.unit: flats 101..602, 8 agree (floors 1-4), then 501 oppose, 502 undecided, 601 undecided, 602 abstain.
    Household.objects.filter(unit=world.unit, floor__lte=2).update(occupancy="rented", age_band="under_40")
    Household.objects.filter(unit=world.unit, floor__gte=5).update(age_band="75_plus")
    Vote.objects.filter(household__room="602", household__unit=world.unit).delete()  # no row: undecided
    pattern = support_pattern(Unit.objects.filter(pk=world.unit.pk))
    assert pattern.households == 12
    assert _rows(pattern.by_floor) == {"low": (4, 0, 0), "middle": (4, 0, 0), "high": (0, 1, 3)}
    assert _rows(pattern.by_occupancy) == {"owner": (4, 1, 3), "rented": (4, 0, 0), "empty": (0, 0, 0)}
    by_age = _rows(pattern.by_age)
    assert by_age["under_40"] == (4, 0, 0) and by_age["75_plus"] == (0, 1, 3) and by_age[""] == (4, 0, 0)
    assert pattern.by_floor[0].agree_share == 1


def test_support_pattern_counts_only_units_in_scope(client, world):
    client.force_login(world.users["unit_leader"])
    response = client.get(reverse("community_support", args=[world.community.pk]))
    assert response.context["pattern"].households == 12
    client.force_login(world.users["sibling_staff"])
    assert client.get(reverse("community_support", args=[world.community.pk])).status_code == 404
    assert client.get(reverse("estate_support", args=[world.estate.pk])).status_code == 404


@pytest.mark.parametrize("role", ["leader", "staff", "unit_leader", "viewer"])
def test_support_pages_by_role(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("community_support", args=[world.community.pk])).status_code == 200
    assert client.get(reverse("estate_support", args=[world.estate.pk])).status_code == 200


def _render(template, user, rf, **context):
    request = rf.get("/")
    request.user = user
    return Template("{% load consultation_tags %}" + template).render(Context({"request": request, **context}))


def test_estate_support_tag_is_one_query_whatever_the_size(world, rf, django_assert_num_queries):
    staff = world.users["staff"]
    with django_assert_num_queries(1):
        html = _render("{% estate_support_pattern estate %}", staff, rf, estate=world.estate)
    assert 'data-testid="support-pattern"' in html
    for i in range(3):
        add_flats(make_unit(world.community, estate=world.estate.name, building="7", unit=str(i)), ["agree", "oppose"] * 5)
    with django_assert_num_queries(1):
        _render("{% estate_support_pattern estate %}", staff, rf, estate=world.estate)


def _panel(world, rf, user=None, unit=None):
    unit = unit or Unit.objects.for_listing().get(pk=world.unit.pk)
    return _render("{% unit_consultation_panel unit %}", user or world.users["staff"], rf, unit=unit, csrf_token="x")


def test_unit_panel_query_count_is_fixed(world, rf, django_assert_num_queries):
    unit = Unit.objects.for_listing().get(pk=world.unit.pk)  # as the unit page has it
    # households (vote, holdout, neighbour, cadre), same-owner decisions, latest round, contacts, notice,
    # meetings, action items
    with django_assert_num_queries(7):
        _panel(world, rf, unit=unit)
    services.round_open(unit=world.unit, deadline=timezone.localdate(), channels=["notice"], by=world.users["staff"])
    for floor in range(1, 7):  # a third flat on every floor of the unit, each with a vote and a holdout
        flat = Household.objects.create(unit=world.unit, room=f"{floor}03", floor=floor, area="70.00", owner_name=f"新{floor}")
        Vote.objects.create(household=flat, value="oppose")
        services.holdout_save(household=flat, reason="misunderstanding", degree="soft", neighbour=world.flats[0],
                              cadre=world.users["staff"], by=world.users["staff"])
    Vote.objects.filter(household__unit=world.unit, value="oppose").update(value="agree")  # ready again
    for flat in world.flats:
        Contact.objects.create(household=flat, channel="visit", outcome="talked", made_by=world.users["staff"],
                               contacted_at=timezone.now())
    services.notice_start(unit=world.unit, draft_signed_on=timezone.localdate(), starts_on=timezone.localdate(),
                          plan_summary="方案", by=world.users["staff"])
    unit = Unit.objects.for_listing().get(pk=world.unit.pk)
    # ... and the notice's objections
    with django_assert_num_queries(8):
        html = _panel(world, rf, unit=unit)
    assert 'data-testid="notice"' in html


def test_the_panel_proposes_the_action_of_the_units_situation(world, rf):
    staff = world.users["staff"]
    services.round_open(unit=world.unit, deadline=timezone.localdate() + timedelta(days=9), channels=["notice"], by=staff)
    html = _panel(world, rf)
    assert reverse("notice_start", args=[world.unit.pk]) in html  # ready
    Vote.objects.filter(household__in=world.flats[:6]).update(value="undecided")  # 2 agree: four short, soft only
    html = _panel(world, rf)
    assert 'data-testid="schedule-qa"' in html and reverse("notice_start", args=[world.unit.pk]) not in html
    Vote.objects.filter(household__in=world.flats[:7]).update(value="oppose")
    html = _panel(world, rf)
    assert 'data-testid="hold-for-review"' in html
    assert 'data-testid="holdouts"' in html


def test_the_panel_for_a_read_only_role_has_no_write_links(world, rf):
    services.round_open(unit=world.unit, deadline=timezone.localdate(), channels=["notice"], by=world.users["staff"])
    html = _panel(world, rf, user=world.users["viewer"])
    assert 'data-testid="consultation-panel"' in html
    assert "/notice/new/" not in html and "/rounds/" not in html and "/holdout/" not in html
