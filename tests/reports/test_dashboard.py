"""The leaders' dashboard: scope per role, drill-down, figures, and a query budget that does not grow."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import VoteChange
from tests.factories import add_flats, make_unit
from units import lifecycle
from units.models import Stage, StageChange, Unit


def street_url(world):
    return reverse("dashboard", kwargs={"level": "street", "pk": world.street.pk})


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("leader", ("street", "street")),
        ("viewer", ("street", "street")),
        ("staff", ("community", "community")),
        ("unit_leader", ("estate", "estate")),
    ],
)
def test_dashboard_home_opens_the_users_own_level(client, world, role, expected):
    client.force_login(world.users[role])
    response = client.get(reverse("dashboard_home"))
    assert response.status_code == 302
    assert f"/dashboard/{expected[0]}/" in response.url


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader", 200), ("viewer", 200), ("staff", 200), ("sibling_staff", 200), ("unit_leader", 200), ("outsider", 404)],
)
def test_street_dashboard_by_role(client, world, role, status):
    client.force_login(world.users[role])
    assert client.get(street_url(world)).status_code == status


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(street_url(world))
    assert response.status_code == 302 and "/login/" in response.url


def test_community_staff_see_only_their_community_even_on_the_street_board(client, world):
    client.force_login(world.users["staff"])
    response = client.get(street_url(world))
    assert [u.pk for u in response.context["board"].units] == [world.unit.pk]
    assert client.get(reverse("dashboard", kwargs={"level": "community", "pk": world.sibling.pk})).status_code == 404


def test_figures_for_the_street(client, world):
    client.force_login(world.users["leader"])
    board = client.get(street_url(world)).context["board"]
    assert len(board.units) == 2  # the other street's unit is not counted
    assert board.funnel == {"households": 18, "owners": 18, "voted": 16, "agreed": 14}
    assert board.situation_counts["ready"] == 2
    assert dict((value, n) for value, _label, n in board.stage_counts)["survey"] == 2
    names = [g.name for g in board.groups]
    assert set(names) == {"绵纺社区", "光华社区"}


def test_drill_down_links_street_to_community_to_estate_to_building_to_unit(client, world):
    client.force_login(world.users["leader"])
    body = client.get(street_url(world)).content.decode()
    community_url = reverse("dashboard", kwargs={"level": "community", "pk": world.community.pk})
    assert community_url in body
    body = client.get(community_url).content.decode()
    estate_url = reverse("dashboard", kwargs={"level": "estate", "pk": world.estate.pk})
    assert estate_url in body
    body = client.get(estate_url).content.decode()
    building_url = reverse("dashboard", kwargs={"level": "building", "pk": world.unit.building_id})
    assert building_url in body
    body = client.get(building_url).content.decode()
    assert reverse("unit_detail", args=[world.unit.pk]) in body
    assert street_url(world) in body  # and back up


def test_filters_narrow_the_units(client, world):
    client.force_login(world.users["leader"])
    response = client.get(street_url(world), {"community": world.sibling.pk})
    assert [u.pk for u, _r in response.context["rows"]] == [world.sibling_unit.pk]
    lifecycle.unit_move(unit=world.unit, after=Stage.CONSULTATION, by=world.users["staff"])
    response = client.get(street_url(world), {"stage": "consultation"}, HTTP_HX_REQUEST="true")
    assert [u.pk for u, _r in response.context["rows"]] == [world.unit.pk]
    assert response.templates[0].name == "dashboard/includes/_body.html"


def test_progress_over_time_counts_each_unit_once(client, world):
    now = timezone.now()
    for unit in (world.unit, world.sibling_unit):
        StageChange.objects.create(unit=unit, before="signing", after="approval", changed_at=now - timedelta(days=40))
    StageChange.objects.create(unit=world.unit, before="signing", after="approval", changed_at=now)
    client.force_login(world.users["leader"])
    progress = client.get(street_url(world)).context["board"].progress
    assert progress["signed"][-1] == 2


def test_consent_trend_accumulates_changes_into_and_out_of_agree(client, world):
    client.force_login(world.users["leader"])
    trend = client.get(street_url(world)).context["board"].trend
    # fixture votes have no history: the trend starts flat at zero
    assert set(trend["agreed"]) == {0}
    now = timezone.now()
    VoteChange.objects.create(household=world.flats[9], before="undecided", after="agree", changed_at=now)
    VoteChange.objects.create(household=world.flats[10], before="undecided", after="agree", changed_at=now - timedelta(days=200))
    VoteChange.objects.create(household=world.flats[11], before="agree", after="oppose", changed_at=now)
    trend = client.get(street_url(world)).context["board"].trend
    assert trend["agreed"][0] == 1 and trend["agreed"][-1] == 1


def test_stalled_units_are_listed_for_attention(client, world):
    Unit.objects.filter(pk=world.unit.pk).update(stage_since=timezone.now() - timedelta(days=45))
    client.force_login(world.users["leader"])
    items = client.get(street_url(world)).context["board"].attention
    assert [(item.kind, unit.pk) for item, unit in items] == [("stalled", world.unit.pk)]
    # a vote recorded in the last 30 days is progress
    VoteChange.objects.create(household=world.flats[9], before="undecided", after="agree", changed_at=timezone.now())
    assert client.get(street_url(world)).context["board"].attention == []


def test_query_count_does_not_grow_with_units_or_households(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["leader"])
    with CaptureQueriesContext(connection) as small:
        client.get(street_url(world))
    for number in range(2, 8):
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="5", unit=str(number))
        add_flats(unit, ["agree", "oppose", "undecided"] * 4, owner_prefix=f"B5-{number}-")
    with CaptureQueriesContext(connection) as big:
        client.get(street_url(world))
    assert len(big) == len(small), [q["sql"][:120] for q in big.captured_queries]


def test_the_units_table_shows_one_page_of_units_with_links_to_the_others_keeping_the_filters(client, world, settings):
    """A street of 721 units is not one table of 721 rows on a phone: the table is paged, its heading
    counts them all, and the page links keep the filters."""
    settings.DASHBOARD_UNITS_PER_PAGE = 2
    for number in "234":
        make_unit(world.community, estate="翻页小区", building="9", unit=number)
    client.force_login(world.users["leader"])
    url = street_url(world)
    total = Unit.objects.filter(building__estate__community__street=world.street).count()
    assert total > 2
    first = client.get(url, {"stage": ""})
    assert len(first.context["rows"]) == 2
    html = first.content.decode()
    assert f'data-testid="units-total">{total}<' in html
    assert 'data-testid="units-next"' in html and "page=2" in html and "stage=" in html
    last_page = (total + 1) // 2
    last = client.get(url, {"page": last_page})
    assert len(last.context["rows"]) == total - 2 * (last_page - 1)
    assert 'data-testid="units-next"' not in last.content.decode()
    # every unit is on exactly one page
    seen = [u.pk for n in range(1, last_page + 1) for u, _r in client.get(url, {"page": n}).context["rows"]]
    assert sorted(seen) == sorted(Unit.objects.filter(building__estate__community__street=world.street).values_list("pk", flat=True))
    # junk page numbers give the first or the last page, not an error
    assert client.get(url, {"page": "x"}).status_code == 200
    assert [u.pk for u, _r in client.get(url, {"page": 999}).context["rows"]] == [u.pk for u, _r in last.context["rows"]]


# The street dashboard's queries: the session, the user, the street and whether it holds any of the user's
# units; the missing tallies; the totals with the stages and situations (one GROUP BY stage and situation)
# and the communities (one GROUP BY); progress
# over time; the trend; the attention sources and the few units they name; the filters' communities and
# estates; the support pattern; the page of units (its count, its rows, their tallies) and the guards of
# their next steps; the menu.
STREET_QUERIES = 25


def test_the_street_dashboard_reads_a_pinned_number_of_queries_and_one_page_of_units(
    client, world, settings, django_assert_num_queries
):
    """Figures summed in the database and one page of units: neither the queries nor the units read grow."""
    settings.DASHBOARD_UNITS_PER_PAGE = 3
    client.force_login(world.users["leader"])
    url = street_url(world)
    for rounds in (range(2, 5), range(5, 12)):
        for number in rounds:
            unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="6", unit=str(number))
            add_flats(unit, ["agree", "oppose", "undecided"] * 4, owner_prefix=f"B6-{number}-")
            Unit.objects.filter(pk=unit.pk).update(stage_since=timezone.now() - timedelta(days=45))  # stalled
        client.get(url)  # stores the new units' tallies
        with django_assert_num_queries(STREET_QUERIES):
            response = client.get(url)
        board = response.context["board"]
        listed = {unit.pk for unit, _result in response.context["rows"]} | {unit.pk for _item, unit in board.attention}
        assert len(response.context["rows"]) == 3 and set(board.next_steps) == listed
    assert board.unit_count == Unit.objects.filter(building__estate__community__street=world.street).count() > 10
