"""The site's icon answers at /favicon.ico (no 404 on a first visit) and every page links it; every tel:
link of a page dials digits only (retrofit/phones.py, dial)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultations
from residents import services as residents
from residents.models import CommunityContact
from tests.factories import add_flats, make_unit, plan_for

pytestmark = pytest.mark.django_db

TEL = re.compile(r'href="tel:([^"]*)"')


@pytest.mark.parametrize(("path", "name", "magic"), [
    ("/favicon.ico", "favicon.ico", b"\x00\x00\x01\x00"),
    ("/apple-touch-icon.png", "apple-touch-icon.png", b"\x89PNG"),
])
def test_the_root_icons_answer_without_logging_in(client, path, name, magic):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == static(name)
    assert "max-age=86400" in response["Cache-Control"]
    with open(finders.find(name), "rb") as icon:
        assert icon.read(len(magic)) == magic
    assert client.head(path).status_code == 302
    assert client.post(path).status_code == 405


def test_every_kind_of_page_links_the_icon(client, world):
    link = residents.public_link_issue(unit=world.unit, by=world.users["staff"])
    plan_for(world.unit)
    anonymous = [reverse("login"), reverse("resident_unit", args=[link.token])]
    staff = [reverse("unit_detail", args=[world.unit.pk]), reverse("plan_print", args=[world.unit.pk])]
    for url in anonymous + staff:
        if url == staff[0]:
            client.force_login(world.users["staff"])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        assert f'<link rel="icon" href="{static("favicon.ico")}"' in body, url
        assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in body, url


def test_tel_links_dial_digits_only(client, world):
    """The community's contact typed with a dash and a space, a hotline with dashes, the owners' phones."""
    staff = world.users["staff"]
    CommunityContact.objects.create(
        community=world.community, name="李干事", phone="028-8765 4321", office="居委会二楼", hours="9:00-17:00",
        updated_at=timezone.now(),
    )
    world.unit.stage = "consultation"
    world.unit.save()
    plan_for(world.unit)
    consultations.round_open(
        unit=world.unit, deadline=timezone.localdate(), channels=["notice"], by=staff, hotline="028-8601-2345",
    )
    link = residents.public_link_issue(unit=world.unit, by=staff)
    public = client.get(reverse("resident_unit", args=[link.token])).content.decode()
    assert TEL.findall(public) == ["02887654321", "02886012345"]
    assert "028-8765 4321" in public  # shown as typed
    assert "政策咨询电话：" in public and "政策咨询电话:" not in public  # a Chinese label takes a full-width colon

    short = make_unit(world.community, estate=world.estate.name, building="2")
    household = add_flats(short, ["agree"] * 6 + ["oppose"] * 3 + ["undecided"] * 3, owner_prefix="甲")[-1]
    client.force_login(staff)
    for url in [
        reverse("community_visits", args=[world.community.pk]),
        reverse("contact_new", args=[household.pk]),
        reverse("household_vote", args=[household.pk]),
    ]:
        dialled = TEL.findall(client.get(url).content.decode())
        assert dialled, url
        assert all(re.fullmatch(r"\d+(,\d+)?", number) for number in dialled), (url, dialled)
