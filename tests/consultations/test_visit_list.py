"""The visit list: owners not yet agreeing in failing units, the visit that moves a unit most first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import campaign as campaign_rules
from consultations import selectors, services
from consultations.models import Contact
from consultations.selectors import visit_list
from tests.factories import READS_THE_UNIT as PAGE
from tests.factories import add_flats, make_unit
from units.models import Household, Stage, Unit


@pytest.fixture
def campaign(world):
    """world.unit passes; unit A is one agreement short, unit B four short (wait and see)."""
    estate = world.estate.name
    a = make_unit(world.community, estate=estate, building="2", unit="1")
    a_flats = add_flats(a, ["agree"] * 7 + ["oppose"] * 3 + ["undecided"] * 2, owner_prefix="甲")
    b = make_unit(world.community, estate=estate, building="2", unit="2")
    b_flats = add_flats(b, ["agree"] * 2 + ["oppose"] * 2 + ["undecided"] * 8, owner_prefix="乙")

    class Campaign:
        pass

    c = Campaign()
    c.a, c.a_flats, c.b, c.b_flats = a, a_flats, b, b_flats
    return c


def _listing(world):
    units = Unit.objects.visible_to(world.users["staff"]).for_listing()
    return visit_list(units)


def test_a_unit_one_short_comes_before_a_unit_four_short(world, campaign):
    listing = _listing(world)
    needed = {unit.pk: consent.agrees_needed for unit, consent, _r in listing.units}
    assert needed == {campaign.a.pk: 1, campaign.b.pk: 4}
    units_in_order = [row.unit.pk for row in listing.rows]
    assert units_in_order == sorted(units_in_order, key=lambda pk: needed[pk])
    assert listing.rows[0].unit.pk == campaign.a.pk and listing.rows[0].in_minimal_set
    assert [row.rank for row in listing.rows] == list(range(1, len(listing.rows) + 1))


def test_only_owners_not_agreeing_in_failing_units_are_listed(world, campaign):
    listing = _listing(world)
    rooms = {(row.unit.pk, row.household.room) for row in listing.rows}
    assert len(rooms) == 5 + 10  # unit A: 3 oppose + 2 undecided; unit B: 2 oppose + 8 undecided
    assert all(row.vote != "agree" for row in listing.rows)
    assert world.unit.pk not in {row.unit.pk for row in listing.rows}
    assert [u.pk for u, _step in listing.ready] == [world.unit.pk]


def test_within_a_unit_minimal_set_then_soft_then_unassessed_then_strong_then_longest_since_contact(world, campaign):
    staff = world.users["staff"]
    opponents = campaign.a_flats[7:10]  # 3 oppose; 80 m² each, so one of them is the minimal set
    undecided = campaign.a_flats[10:12]
    minimal_row = _listing(world).rows[0]
    others = [h for h in opponents if h.pk != minimal_row.household.pk]
    services.holdout_save(household=others[0], reason="noise_light", degree="strong", by=staff)
    services.holdout_save(household=others[1], reason="cost_split", degree="soft", by=staff)
    services.contact_log(household=undecided[0], channel="phone", outcome="no_answer", by=staff,
                         contacted_at=timezone.now() - timedelta(days=1))
    services.contact_log(household=undecided[1], channel="visit", outcome="call_back", by=staff,
                         contacted_at=timezone.now() - timedelta(days=6))
    rows = [row for row in _listing(world).rows if row.unit.pk == campaign.a.pk]
    assert [row.household.pk for row in rows] == [
        minimal_row.household.pk,  # their agreement alone carries the unit
        others[1].pk,  # soft
        undecided[1].pk,  # not assessed, contacted 6 days ago
        undecided[0].pk,  # not assessed, contacted yesterday
        others[0].pk,  # strong
    ]


def test_the_last_contact_is_shown_with_date_channel_and_outcome(world, campaign):
    flat = campaign.a_flats[10]
    staff = world.users["staff"]
    services.contact_log(household=flat, channel="phone", outcome="no_answer", by=staff,
                         contacted_at=timezone.now() - timedelta(days=3))
    services.contact_log(household=flat, channel="visit", outcome="call_back", note="周末再来", by=staff,
                         contacted_at=timezone.now() - timedelta(days=2))
    row = next(row for row in _listing(world).rows if row.household.pk == flat.pk)
    assert (row.last_contact.channel, row.last_contact.outcome, row.last_contact.note) == ("visit", "call_back", "周末再来")
    assert row.days_since == 2


def test_an_owner_of_two_flats_is_one_visit(world, campaign):
    first, second = campaign.b_flats[4], campaign.b_flats[5]  # both undecided
    Household.objects.filter(pk=second.pk).update(owner_name=first.owner_name, phone=first.phone)
    rows = [row for row in _listing(world).rows if first.room in row.rooms]
    assert len(rows) == 1 and rows[0].rooms == [first.room, second.room]


def test_a_unit_on_hold_or_past_consultation_is_not_visited(world, campaign):
    staff = world.users["staff"]
    r = services.round_open(unit=campaign.b, deadline=timezone.localdate(), channels=["notice"], by=staff)
    services.round_hold(consultation_round=r, note="意愿不足", by=staff)
    Unit.objects.filter(pk=campaign.a.pk).update(stage=Stage.PAUSED)
    listing = _listing(world)
    assert listing.rows == []
    assert [u.pk for u, _r in listing.on_hold] == [campaign.b.pk]


def test_overdue_rounds_are_flagged(world, campaign):
    today = timezone.localdate()
    r = services.round_open(unit=campaign.a, deadline=today - timedelta(days=1), opened_on=today - timedelta(days=30),
                            channels=["notice"], by=world.users["staff"])
    listing = _listing(world)
    assert listing.overdue == [r]
    assert listing.rows[0].current_round == r


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(PAGE))
@pytest.mark.parametrize("name", ["community_visits", "community_visits_print"])
def test_community_visit_list_by_role(client, world, campaign, role, name):
    client.force_login(world.users[role])
    response = client.get(reverse(name, args=[world.community.pk]))
    assert response.status_code == PAGE[role]
    if role == "unit_leader":  # sees only their own unit, which passes
        assert response.context["listing"].rows == []


@pytest.mark.parametrize("role", list(PAGE))
def test_unit_visit_list_by_role(client, world, campaign, role):
    client.force_login(world.users[role])
    expected = 404 if role == "unit_leader" else PAGE[role]  # unit A is not the unit leader's
    assert client.get(reverse("unit_visits", args=[campaign.a.pk])).status_code == expected
    assert client.get(reverse("unit_visits_print", args=[campaign.a.pk])).status_code == expected


def test_read_only_roles_get_no_buttons_and_masked_names(client, world, campaign):
    client.force_login(world.users["viewer"])
    body = client.get(reverse("community_visits", args=[world.community.pk])).content.decode()
    assert reverse("contact_new", args=[campaign.a_flats[10].pk]) not in body
    assert campaign.a_flats[10].owner_name not in body and "tel:" not in body
    client.force_login(world.users["staff"])
    body = client.get(reverse("community_visits", args=[world.community.pk])).content.decode()
    assert reverse("contact_new", args=[campaign.a_flats[10].pk]) in body
    assert campaign.a_flats[10].owner_name in body


def test_the_visit_list_home_sends_staff_to_their_community(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("visits_home"))
    assert response.url == reverse("community_visits", args=[world.community.pk])
    client.force_login(world.users["leader"])
    response = client.get(reverse("visits_home"))
    assert response.status_code == 200
    assert {c.pk for c in response.context["communities"]} == {world.community.pk, world.sibling.pk}


def _grow(world, campaign, n):
    for i in range(n):
        unit = make_unit(world.community, estate=world.estate.name, building="5", unit=str(i + 1))
        flats = add_flats(unit, ["oppose", "undecided", "agree"] * 4, owner_prefix=f"丙{i}-")
        services.holdout_save(household=flats[0], reason="hardship", degree="soft", by=world.users["staff"])
        for flat in flats[:3]:
            Contact.objects.create(household=flat, channel="visit", outcome="talked", made_by=world.users["staff"],
                                   contacted_at=timezone.now())


def test_community_visit_list_query_count_does_not_grow(client, world, campaign, django_assert_num_queries):
    client.force_login(world.users["staff"])
    url = reverse("community_visits", args=[world.community.pk])
    client.get(url)  # stores the owners to visit of the units short of consent (selectors.store_owners_to_visit)
    # session, user, community, units (with their tallies), current rounds, the page's owners in visit order,
    # their flats (vote, holdout, last contact), menu bar (two)
    with django_assert_num_queries(9):
        client.get(url)
    _grow(world, campaign, 4)
    client.get(url)  # the new units' owners are stored once, in a fixed number of queries
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["page"].paginator.count > 30
    with django_assert_num_queries(9):
        response = client.get(url, {"page": "2"})
    assert response.context["page"].number == 2


def test_unit_visit_list_and_print_query_counts_are_fixed(client, world, campaign, django_assert_num_queries):
    client.force_login(world.users["staff"])
    client.get(reverse("unit_visits", args=[campaign.b.pk]))  # stores its owners to visit
    # session, user, unit (with its tally), current round, the page's owners, their flats, menu bar (two)
    with django_assert_num_queries(8):
        client.get(reverse("unit_visits", args=[campaign.b.pk]))
    # the printout has no menu bar
    with django_assert_num_queries(6):
        client.get(reverse("unit_visits_print", args=[campaign.b.pk]))


def test_only_the_units_short_of_consent_store_their_owners_once(client, world, campaign, monkeypatch):
    """Units passing by their stored tallies are named, their households not read; the owners of the units
    short of consent are read from their households once, then from what was stored, until a vote changes."""
    passing = [make_unit(world.community, estate=world.estate.name, building="7", unit=str(n)) for n in range(1, 6)]
    for unit in passing:
        add_flats(unit, ["agree"] * 6, owner_prefix=f"丁{unit.number}-")
    selectors.consent_by_unit(Unit.objects.for_listing())  # the tallies a dashboard or a vote page stores
    stored = []

    def store_owners_to_visit(units):
        stored.append(sorted(u.pk for u in units))
        return store(units)

    store = selectors.store_owners_to_visit
    monkeypatch.setattr(selectors, "store_owners_to_visit", store_owners_to_visit)
    client.force_login(world.users["staff"])
    url = reverse("community_visits", args=[world.community.pk])
    response = client.get(url)
    assert {u.pk for u, _step in response.context["listing"].ready} == {world.unit.pk, *(u.pk for u in passing)}
    client.get(url)
    services.vote_record(household=campaign.b_flats[11], value="agree", by=world.users["staff"])
    client.get(url)
    assert stored == [sorted([campaign.a.pk, campaign.b.pk]), [campaign.b.pk]]


def _households_read(monkeypatch) -> list:
    """Every household the ORM builds from a row read, in a list (a select_related one too)."""
    read = []
    build = Household.from_db.__func__

    def from_db(cls, db, field_names, values):
        read.append(values[0])
        return build(cls, db, field_names, values)

    monkeypatch.setattr(Household, "from_db", classmethod(from_db))
    return read


def test_the_rows_read_follow_the_page_not_the_community(client, world, campaign, monkeypatch, settings):
    settings.VISITS_PER_PAGE = 6
    client.force_login(world.users["staff"])
    url = reverse("community_visits", args=[world.community.pk])
    pages = {}
    for grown in (0, 6):
        _grow(world, campaign, grown)
        client.get(url)  # the new units' owners are stored
        read = _households_read(monkeypatch)
        for number in ("1", "2"):
            read.clear()
            response = client.get(url, {"page": number})
            body = response.content.decode()
            assert body.count('data-testid="visit-row"') == 6
            assert len(read) == 6  # the page's owners, each with one flat here, and nothing else
            pages[grown, number] = [row.household.pk for row in response.context["rows"]]
        monkeypatch.undo()
    total = response.context["page"].paginator.count
    assert total == 15 + 6 * 8  # unit A 5, unit B 10; each grown unit 4 oppose + 4 undecided
    assert f"共 {total} 名业主待走访" in body


def test_the_pages_keep_the_visit_order_and_the_printout_shows_everyone(client, world, campaign, settings):
    settings.VISITS_PER_PAGE = 4
    _grow(world, campaign, 2)
    client.force_login(world.users["staff"])
    staff = world.users["staff"]
    services.holdout_save(household=campaign.b_flats[2], reason="cost_split", degree="strong", by=staff)
    services.holdout_save(household=campaign.b_flats[3], reason="cost_split", degree="soft", by=staff)
    for days, flat in enumerate(campaign.b_flats[4:9], start=1):
        services.contact_log(household=flat, channel="phone", outcome="no_answer", by=staff,
                             contacted_at=timezone.now() - timedelta(days=days))
    rows = _listing(world).rows
    every = [row.household.pk for row in rows]
    # The database's order is the visit order's rule, key for key (campaign.visit_order_key).
    by_rule = sorted(rows, key=lambda row: campaign_rules.visit_order_key(campaign_rules.VisitCandidate(
        agrees_needed=row.consent.agrees_needed, in_minimal_set=row.in_minimal_set,
        degree=row.holdout.degree if row.holdout else None, last_contact=row.last_contact and row.last_contact.at,
        unit_label=f"{row.unit.building.estate.name}/{row.unit.building.number}/{row.unit.number}",
        room=row.household.room,
    )))
    assert [row.household.pk for row in by_rule] == every
    printed = client.get(reverse("community_visits_print", args=[world.community.pk])).context["rows"]
    assert [row.household.pk for row in printed] == every and len(every) == 15 + 2 * 8
    paged, ranks = [], []
    url = reverse("community_visits", args=[world.community.pk])
    for number in range(1, 9):
        rows = client.get(url, {"page": str(number)}).context["rows"]
        paged += [row.household.pk for row in rows]
        ranks += [row.rank for row in rows]
    assert paged == every and ranks == list(range(1, len(every) + 1))


@pytest.mark.parametrize("junk", ["abc", "-1", "0", "99999", "1.5", "", "２"])
def test_a_page_number_that_is_not_one_gives_a_page(client, world, campaign, settings, junk):
    settings.VISITS_PER_PAGE = 4
    client.force_login(world.users["staff"])
    response = client.get(reverse("community_visits", args=[world.community.pk]), {"page": junk})
    assert response.status_code == 200
    assert len(response.context["rows"]) in (3, 4)  # the first page, or the last (15 owners: 4 pages)


def test_the_pages_link_to_each_other_and_keep_the_query(client, world, campaign, settings):
    settings.VISITS_PER_PAGE = 4
    client.force_login(world.users["staff"])
    url = reverse("community_visits", args=[world.community.pk])
    body = client.get(url, {"page": "2", "kept": "x"}).content.decode()
    assert 'href="?page=1&amp;kept=x"' in body and 'href="?page=3&amp;kept=x"' in body
    assert "第 5–8 名" in body and "上一页" in body and "下一页" in body
    last = client.get(url, {"page": "4"}).content.decode()
    assert 'data-testid="visits-next"' not in last and 'data-testid="visits-previous"' in last
    one_page = client.get(reverse("unit_visits", args=[campaign.a.pk])).content.decode()  # 5 owners: 2 pages
    assert 'data-testid="visit-pages"' in one_page
    settings.VISITS_PER_PAGE = 30
    assert 'data-testid="visit-pages"' not in client.get(url).content.decode()
