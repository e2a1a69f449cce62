"""A unit opened from the dashboard leads back to that dashboard level, filters and all."""

import re
from html import unescape
from urllib.parse import quote

from django.urls import reverse

from tests.factories import add_flats, make_unit


def test_the_unit_page_leads_back_to_the_dashboard_level_it_was_opened_from(client, world, login):
    client = login(world.users["leader"])
    dashboard = reverse("dashboard", kwargs={"level": "community", "pk": world.community.pk}) + "?stage=survey"
    body = client.get(dashboard, HTTP_HX_REQUEST="true").content.decode()
    links = [unescape(h) for h in re.findall(rf'href="([^"]*/units/{world.unit.pk}/\?from=[^"]*)"', body)]
    assert links, "the dashboard links the unit with where it came from"
    page = client.get(links[0]).content.decode()
    crumb = re.search(r'<a href="([^"]+)" data-testid="breadcrumb-dashboard">([^<]+)</a>', page)
    assert crumb, "a breadcrumb back to the dashboard"
    assert unescape(crumb.group(1)) == dashboard
    assert "绵纺社区" in crumb.group(2)


def test_a_from_that_is_no_dashboard_of_the_users_own_is_ignored(client, world, login):
    client = login(world.users["staff"])
    other = make_unit(world.sibling, estate="光华小区", building="3")
    add_flats(other, ["agree"])
    unit = reverse("unit_detail", args=[world.unit.pk])
    for bad in (
        "https://evil.example/dashboard/street/1/",
        "//evil.example/",
        reverse("dashboard", kwargs={"level": "street", "pk": world.other_street.pk}),  # not in scope
        reverse("dashboard", kwargs={"level": "community", "pk": world.sibling.pk}),  # not holding this unit
        reverse("home"),  # not a dashboard
        "/dashboard/nowhere/abc/",
    ):
        page = client.get(f"{unit}?from={quote(bad, safe='')}")
        assert page.status_code == 200, bad
        html = page.content.decode()
        assert 'data-testid="breadcrumb-dashboard"' not in html, bad
        assert reverse("estate_detail", args=[world.estate.pk]) in html  # the usual breadcrumb
