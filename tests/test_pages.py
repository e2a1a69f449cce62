"""Every page, every role: anonymous → login, outside the scope → 404, read-only → 403, otherwise 200."""

import pytest
from django.urls import reverse

from retrofit.phones import display
from tests.factories import READS_THE_UNIT as UNIT_PAGES
from tests.factories import add_flats, make_unit

ROLES = ["leader", "staff", "sibling_staff", "unit_leader", "viewer", "outsider"]

# What each persona gets on the pages about world.unit (in 绵纺社区 of 红旗街道): UNIT_PAGES, and on its
# vote form:
VOTE_FORM = {
    "leader": 200,
    "staff": 200,
    "sibling_staff": 404,
    "unit_leader": 403,
    "viewer": 403,
    "outsider": 404,
}
IMPORT_PAGE = {
    "leader": 200,
    "staff": 200,
    "sibling_staff": 200,
    "unit_leader": 403,
    "viewer": 403,
    "outsider": 200,
}


def urls(world):
    household = world.flats[0]
    return {
        "home": reverse("home"),
        "estate": reverse("estate_detail", args=[world.estate.pk]),
        "unit": reverse("unit_detail", args=[world.unit.pk]),
        "vote": reverse("household_vote", args=[household.pk]),
        "import": reverse("import_upload"),
        "template": reverse("import_template"),
    }


@pytest.mark.parametrize("name", ["home", "estate", "unit", "vote", "import", "template"])
def test_anonymous_is_sent_to_login(client, world, name):
    response = client.get(urls(world)[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_its_scope_allows(client, world, role):
    client.force_login(world.users[role])
    pages = urls(world)
    assert client.get(pages["home"]).status_code == 200
    assert client.get(pages["estate"]).status_code == UNIT_PAGES[role]
    assert client.get(pages["unit"]).status_code == UNIT_PAGES[role]
    assert client.get(pages["vote"]).status_code == VOTE_FORM[role]
    assert client.get(pages["import"]).status_code == IMPORT_PAGE[role]
    assert client.get(pages["template"]).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_posting_a_vote_obeys_the_same_rules(client, world, role):
    client.force_login(world.users[role])
    household = world.flats[9]  # undecided
    response = client.post(
        reverse("household_vote", args=[household.pk]), {"value": "agree", "reason": "", "version": 1}
    )
    expected = {200: 302, 403: 403, 404: 404}[VOTE_FORM[role]]
    assert response.status_code == expected
    household.vote.refresh_from_db()
    assert household.vote.value == ("agree" if expected == 302 else "undecided")


def test_home_lists_only_estates_in_scope(client, world):
    client.force_login(world.users["staff"])
    body = client.get(reverse("home")).content.decode()
    assert "绵纺厂宿舍小区" in body
    assert "光华小区" not in body
    assert "东风小区" not in body

    client.force_login(world.users["leader"])
    body = client.get(reverse("home")).content.decode()
    assert "绵纺厂宿舍小区" in body and "光华小区" in body
    assert "东风小区" not in body


def test_unit_leader_sees_only_their_own_unit(client, world):
    client.force_login(world.users["unit_leader"])
    assert client.get(reverse("unit_detail", args=[world.sibling_unit.pk])).status_code == 404
    body = client.get(reverse("home")).content.decode()
    assert "绵纺厂宿舍小区" in body and "光华小区" not in body


def test_phones_are_masked_for_roles_without_the_right(client, world):
    flat = world.flats[0]
    full, masked = display(flat.phone), f"{flat.phone[:3]}****{flat.phone[-4:]}"  # shown in groups: 139 0000 0000
    page = reverse("unit_detail", args=[world.unit.pk])
    for role, sees_full in [("staff", True), ("leader", True), ("unit_leader", False), ("viewer", False)]:
        client.force_login(world.users[role])
        body = client.get(page).content.decode()
        assert (full in body) is sees_full, role
        assert (masked in body) is not sees_full, role
        if not sees_full:
            assert flat.phone not in body, role


def test_names_are_masked_for_the_read_only_viewer(client, world):
    flat = world.flats[0]  # 业主0
    page = reverse("unit_detail", args=[world.unit.pk])
    client.force_login(world.users["viewer"])
    body = client.get(page).content.decode()
    assert flat.owner_name not in body
    assert "业**" in body
    client.force_login(world.users["unit_leader"])
    assert flat.owner_name in client.get(page).content.decode()


def test_read_only_roles_get_no_vote_buttons(client, world):
    page = reverse("unit_detail", args=[world.unit.pk])
    vote_url = reverse("household_vote", args=[world.flats[0].pk])
    client.force_login(world.users["viewer"])
    assert vote_url not in client.get(page).content.decode()
    client.force_login(world.users["staff"])
    assert vote_url in client.get(page).content.decode()


def test_unit_page_shows_the_consent_figures(client, world):
    # 12 owners of 80 m²: 10 take part (8 agree, 1 oppose, 1 abstain), 2 undecided.
    client.force_login(world.users["staff"])
    response = client.get(reverse("unit_detail", args=[world.unit.pk]))
    consent = response.context["result"].consent
    assert (consent.owners, consent.participants, consent.agree) == (12, 10, 8)
    assert consent.threshold_met is True
    body = response.content.decode()
    assert "10/12" in body and "8/10" in body


def test_htmx_vote_returns_the_updated_figures_without_a_reload(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[8]  # the one opponent
    response = client.post(
        reverse("household_vote", args=[flat.pk]),
        {"value": "agree", "reason": "看了方案后同意", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "voteSaved"
    assert response.context["result"].consent.agree == 9
    assert 'id="consent-card" hx-swap-oob="true"' in response.content.decode()


def test_stale_vote_form_is_refused_and_says_so(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    url = reverse("household_vote", args=[flat.pk])
    assert client.post(url, {"value": "agree", "version": 1}).status_code == 302
    response = client.post(url, {"value": "oppose", "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#vote-sheet-body"
    flat.vote.refresh_from_db()
    assert flat.vote.value == "agree"


def test_estate_page_query_count_does_not_grow_with_households(client, world, django_assert_num_queries):
    client.force_login(world.users["staff"])
    url = reverse("estate_detail", args=[world.estate.pk])
    client.get(url)  # computes and stores the units' tallies
    # session, user, estate, units, stored tallies, support pattern, the user's community and
    # overdue action items (menu bar)
    with django_assert_num_queries(8):
        client.get(url)
    for number in range(2, 6):
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="2", unit=str(number))
        add_flats(unit, ["agree", "oppose"] * 6, owner_prefix=f"U{number}-")
    client.get(url)
    with django_assert_num_queries(8):
        client.get(url)


def test_stored_tallies_follow_every_vote(client, world):
    client.force_login(world.users["staff"])
    url = reverse("estate_detail", args=[world.estate.pk])
    before = dict(client.get(url).context["rows"])[world.unit].consent.agree
    flat = world.flats[9]
    client.post(reverse("household_vote", args=[flat.pk]), {"value": "agree", "version": 1})
    after = dict(client.get(url).context["rows"])[world.unit].consent.agree
    assert (before, after) == (8, 9)


def test_unit_page_query_count_does_not_grow_with_households(client, world, django_assert_num_queries):
    client.force_login(world.users["staff"])
    small = make_unit(world.community, estate="绵纺厂宿舍小区", building="3", unit="1", floors=2)
    add_flats(small, ["agree", "oppose"])
    # session, user, unit (with building, estate, community, street), households with votes and holdouts
    # (read once, for the grid, the figures and the consultation panel), menu bar (2), consultation panel
    # (5 more), plan panel (current plan, contract), money panel and public link panel (5), export menu
    # (latest notice), stage history, the unit's same-owner decisions
    with django_assert_num_queries(21):
        client.get(reverse("unit_detail", args=[small.pk]))
    with django_assert_num_queries(21):
        client.get(reverse("unit_detail", args=[world.unit.pk]))


def test_unit_page_in_consultation_counts_consent_once(client, world, django_assert_num_queries):
    # The stage panel's guard (consent reached?) reuses the page's own count instead of reading the
    # households again (21: the page's queries above, the same-owner decisions included).
    from units.models import Stage, Unit

    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.CONSULTATION)
    client.force_login(world.users["staff"])
    with django_assert_num_queries(21):
        client.get(reverse("unit_detail", args=[world.unit.pk]))
