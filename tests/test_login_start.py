"""Where each role lands after logging in (README, "Roles"): the street leader on the street dashboard."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def log_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url is not None else "")
    data = {"username": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data)


@pytest.mark.parametrize("next_url", [None, "/"])
def test_the_street_leader_lands_on_the_street_dashboard(client, world, next_url):
    leader = world.users["leader"]
    response = log_in(client, leader, next_url)
    assert response.status_code == 302
    landed = client.get(response.url, follow=True)
    assert landed.request["PATH_INFO"] == reverse("dashboard", kwargs={"level": "street", "pk": leader.street_id})


@pytest.mark.parametrize("next_url", [None, "/"])
def test_community_staff_land_on_their_estates(client, world, next_url):
    response = log_in(client, world.users["staff"], next_url)
    assert response.url == reverse("home")


def test_a_page_asked_for_before_logging_in_is_returned_to(client, world):
    unit_page = reverse("unit_detail", args=[world.unit.pk])
    assert log_in(client, world.users["leader"], unit_page).url == unit_page


def test_a_leader_already_logged_in_who_opens_the_login_page_goes_to_the_dashboard(client, world):
    log_in(client, world.users["leader"])
    assert client.get(reverse("login")).url == reverse("dashboard_home")
