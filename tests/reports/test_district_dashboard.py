"""The district level: the district housing bureau's scope and rights, and the district head's dashboard
(streets leading and lagging, summed in the database in queries that do not grow with the units)."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.dashboard import ATTENTION_SHOWN
from retrofit.models import Role, User
from tests.factories import PASSWORD, add_flats, at_stage, fail_check, make_unit, make_user
from units.models import Community, District, Stage, Street, Unit

# The district dashboard's queries: the session, the user, the district and whether it holds any of the
# user's units; the missing tallies; the totals with the stages and situations (one GROUP BY); the streets;
# the seven attention sources (their units are read only when one needs attention); progress over time; the trend; the
# menu's overdue action items and its scope label. (Units needing attention add their tallies and next steps:
# a fixed number of reads, whatever their count, test_each_unit_needing_attention_says_its_next_step.)
DISTRICT_QUERIES = 18


@pytest.fixture
def district(world):
    """涪城区 holds 红旗街道 (world.street); 东风街道 lies in another district. ``world.users["district"]``
    is the bureau's official."""
    fucheng = District.objects.create(name="涪城区")
    elsewhere = District.objects.create(name="游仙区")
    Street.objects.filter(pk=world.street.pk).update(district=fucheng)
    Street.objects.filter(pk=world.other_street.pk).update(district=elsewhere)
    world.district, world.other_district = fucheng, elsewhere
    world.users["district"] = make_user("bureau", Role.DISTRICT_OFFICIAL, district=fucheng)
    return world


def board_url(level, obj):
    return reverse("dashboard", kwargs={"level": level, "pk": obj.pk})


def test_a_district_official_has_a_district_and_nothing_beside_it(district):
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_user("nodistrict", Role.DISTRICT_OFFICIAL)
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_user("both", Role.DISTRICT_OFFICIAL, district=district.district, street=district.street)
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_user("leader2", Role.STREET_LEADER, street=district.street, district=district.district)


def test_the_district_official_lands_on_the_district_dashboard(client, district):
    response = client.post(reverse("login"), {"username": "bureau", "password": PASSWORD})
    landed = client.get(response.url, follow=True)
    assert landed.request["PATH_INFO"] == board_url("district", district.district)


def test_an_administrator_lands_on_the_district_of_the_first_street_or_on_the_street(client, district):
    client.force_login(User.objects.create_superuser("root", password="x"))
    Street.objects.update(district=district.district)
    assert client.get(reverse("dashboard_home")).url == board_url("district", district.district)
    Street.objects.update(district=None)
    first = Unit.objects.for_listing().first().building.estate.community.street
    assert client.get(reverse("dashboard_home")).url == board_url("street", first)


def test_the_district_official_reads_every_street_of_the_district_and_nothing_beyond(client, district):
    client.force_login(district.users["district"])
    assert client.get(board_url("street", district.street)).status_code == 200
    assert client.get(board_url("community", district.sibling)).status_code == 200
    assert client.get(reverse("unit_detail", args=[district.sibling_unit.pk])).status_code == 200
    assert client.get(board_url("district", district.other_district)).status_code == 404
    assert client.get(board_url("street", district.other_street)).status_code == 404
    assert client.get(reverse("unit_detail", args=[district.far_unit.pk])).status_code == 404
    board = client.get(board_url("district", district.district)).context["board"]
    assert [row.name for row in board.streets] == ["红旗街道"]


@pytest.mark.parametrize(("role", "units"), [("leader", 2), ("viewer", 2), ("staff", 1), ("unit_leader", 1)])
def test_below_the_district_its_dashboard_holds_only_ones_own_units(client, district, role, units):
    """As a street's dashboard shows community staff their community only: the scope decides."""
    client.force_login(district.users[role])
    board = client.get(board_url("district", district.district)).context["board"]
    assert board.unit_count == units and [row.name for row in board.streets] == ["红旗街道"]


def test_a_street_of_another_district_does_not_open_this_district(client, district):
    client.force_login(district.users["outsider"])
    assert client.get(board_url("district", district.district)).status_code == 404


def test_the_district_official_sees_names_and_phones_masked(client, district):
    client.force_login(district.users["district"])
    body = client.get(reverse("unit_detail", args=[district.unit.pk])).content.decode()
    assert "业*" in body
    assert not [f"业主{i}" for i in range(12) if f"业主{i}<" in body or f"业主{i} " in body]
    assert "13900000001" not in body and "139 0000 0001" not in body


def test_the_district_official_writes_nothing(client, district):
    client.force_login(district.users["district"])
    flat = district.flats[9]
    assert client.post(reverse("household_vote", args=[flat.pk]), {"value": "agree"}).status_code == 403
    assert client.post(reverse("unit_move", args=[district.unit.pk]), {"to": Stage.CONSULTATION}).status_code == 403
    flat.vote.refresh_from_db()
    assert flat.vote.value == "undecided"


def test_the_streets_lead_and_lag_by_their_progress(client, district):
    """Each street's figures from the stored tallies and the stages; the most advanced street first."""
    ahead = Street.objects.create(name="青义街道", district=district.district)
    unit = make_unit(Community.objects.create(street=ahead, name="青义社区"), estate="青义小区")
    add_flats(unit, ["agree"] * 6)
    at_stage(unit, Stage.CONSTRUCTION)
    at_stage(district.sibling_unit, Stage.SIGNING)
    client.force_login(district.users["district"])
    response = client.get(board_url("district", district.district))
    rows = {row.name: row for row in response.context["board"].streets}
    assert list(rows) == ["青义街道", "红旗街道"]
    assert (rows["青义街道"].units, rows["青义街道"].signed, rows["青义街道"].building) == (1, 1, 1)
    hongqi = rows["红旗街道"]
    assert (hongqi.units, hongqi.households, hongqi.agree, hongqi.reached, hongqi.signed) == (2, 18, 14, 2, 0)
    board = response.context["board"]
    assert board.funnel == {"households": 24, "owners": 24, "voted": 22, "agreed": 20}
    assert dict((value, n) for value, _label, n in board.stage_counts)[Stage.CONSTRUCTION] == 1
    html = response.content.decode()
    assert board_url("street", ahead) in html  # drill-down to the street


def test_a_stage_narrows_every_figure(client, district):
    at_stage(district.sibling_unit, Stage.NOTICE)
    client.force_login(district.users["district"])
    board = client.get(board_url("district", district.district), {"stage": Stage.NOTICE}).context["board"]
    assert board.unit_count == 1 and board.funnel["households"] == 6


def test_the_breadcrumb_leads_back_to_the_district_for_its_officials_only(client, district):
    client.force_login(district.users["district"])
    trail = client.get(board_url("community", district.community)).context["trail"]
    assert [name for _url, name in trail] == ["涪城区", "红旗街道", "绵纺社区"]
    assert trail[0][0] == board_url("district", district.district)
    client.force_login(district.users["leader"])
    trail = client.get(board_url("community", district.community)).context["trail"]
    assert [name for _url, name in trail] == ["红旗街道", "绵纺社区"]


def _add_streets(district, count, start):
    """``count`` more streets of the district, each with two units of 12 flats in different stages."""
    for number in range(start, start + count):
        street = Street.objects.create(name=f"第{number}街道", district=district.district)
        community = Community.objects.create(street=street, name=f"第{number}社区")
        for index, stage in enumerate((Stage.CONSULTATION, Stage.APPROVAL)):
            unit = make_unit(community, estate=f"第{number}小区", unit=str(index + 1))
            add_flats(unit, ["agree", "oppose", "undecided"] * 4, owner_prefix=f"S{number}-{index}-")
            at_stage(unit, stage)


def _queries(client, url):
    client.get(url)  # the first read stores the new units' tallies
    with CaptureQueriesContext(connection) as read:
        assert client.get(url).status_code == 200
    return read


def test_query_count_is_pinned_and_does_not_grow_with_streets_or_units(client, district, django_assert_num_queries):
    client.force_login(district.users["district"])
    url = board_url("district", district.district)
    _add_streets(district, 1, 2)  # 2 streets
    two = _queries(client, url)
    _add_streets(district, 2, 3)  # 4 streets
    four = _queries(client, url)
    assert len(four) == len(two), [q["sql"][:120] for q in four.captured_queries]
    assert len(client.get(url).context["board"].streets) == 4
    with django_assert_num_queries(DISTRICT_QUERIES):
        client.get(url)


def test_the_attention_list_across_streets_is_capped_the_worst_first(client, district):
    """Twenty stalled units over two streets: fifteen listed, each with its street, and the rest counted."""
    _add_streets(district, 1, 2)
    Unit.objects.filter(building__estate__community__street__district=district.district).update(
        stage=Stage.CONSULTATION, stage_since=timezone.now() - timedelta(days=60)
    )
    Unit.objects.filter(pk=district.unit.pk).update(stage=Stage.ACCEPTANCE)
    fail_check(district.unit, district.users["staff"], "district", timezone.localdate(), "区住建局", "底坑积水")
    for number in range(3, 20):
        make_unit(district.community, estate="停滞小区", unit=str(number))
    Unit.objects.filter(building__estate__name="停滞小区").update(
        stage=Stage.SURVEY, stage_since=timezone.now() - timedelta(days=60)
    )
    client.force_login(district.users["district"])
    response = client.get(board_url("district", district.district))
    board = response.context["board"]
    assert len(board.attention) == ATTENTION_SHOWN < board.attention_total
    assert board.attention[0][0].kind == "acceptance_failed"  # the worst first
    assert f'data-testid="attention-total">{board.attention_total}<' in response.content.decode()


def test_each_unit_needing_attention_says_its_next_step(client, district):
    """As on a street's board: the district official reads what stands in each listed unit's way."""
    Unit.objects.filter(pk=district.unit.pk).update(stage=Stage.CONSULTATION, stage_since=timezone.now() - timedelta(days=60))
    client.force_login(district.users["district"])
    response = client.get(board_url("district", district.district))
    board = response.context["board"]
    listed = {unit.pk for _item, unit in board.attention}
    assert district.unit.pk in listed and set(board.next_steps) == listed
    attention = response.content.decode().split('data-testid="attention"')[1].split("</ul>")[0]
    assert attention.count('data-testid="next-step-inline"') == len(listed)
    one = _queries(client, board_url("district", district.district))
    for number in range(3, 20):  # seventeen more stalled units: the list is capped, the reads do not grow
        make_unit(district.community, estate="停滞小区", unit=str(number))
    Unit.objects.filter(building__estate__name="停滞小区").update(stage=Stage.SURVEY, stage_since=timezone.now() - timedelta(days=60))
    client.get(board_url("district", district.district))  # stores the new units' tallies
    many = _queries(client, board_url("district", district.district))
    assert len(many) == len(one), [q["sql"][:120] for q in many.captured_queries]


def test_a_unit_opened_from_the_district_leads_back_to_it(client, district):
    client.force_login(district.users["district"])
    board = board_url("district", district.district)
    page = client.get(reverse("unit_detail", args=[district.unit.pk]), {"from": board}).content.decode()
    crumb = re.search(r'<a href="([^"]+)" data-testid="breadcrumb-dashboard">([^<]+)</a>', page)
    assert crumb and unescape(crumb.group(1)) == board and "涪城区" in crumb.group(2)
