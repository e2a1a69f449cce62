"""Junk in a parameter is an answer, never a server error: every URL, every parameter name, GET and POST.

A link typed by hand, a bookmark from an older version or a scanner sends ``?unit=abc``, ``?household=²``
(a digit to ``str.isdigit``, not to ``int``), ``-1``, ``1e9``, a number no id column holds, an empty value
or a NUL byte. Each of them is sent, as staff and as a leader, to every route of the product (the route
walker and the demo street of tests/test_every_url.py) in every parameter name the code reads: the names
its views and helpers read from request.GET / request.POST (found in the source, so a new parameter is
covered without touching this file) and the fields of its forms.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms as django_forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Meeting
from retrofit.models import User
from tests.test_every_url import demo, fill, routes  # noqa: F401  (demo is a fixture)
from units.models import Stage, Unit

JUNK = ["abc", "²", "-1", "1e9", "99999999999999999999", "", "%00", "\x00"]
APPS = ["consultations", "units", "retrofit", "residents", "payments", "works", "reminders"]
ROOT = Path(__file__).resolve().parent.parent
# request.GET.get("unit"), request.POST["household"], int_param(request.GET, "unit"), int_param(params, "estate")
READS = re.compile(
    r"""(?:\b(?:GET|POST)\s*(?:\.get\(|\[)|\bint_param\(\s*[\w.]+,\s*)\s*["'](\w+)["']"""
)
# Read in a loop over literal names, e.g. ``for name in ("from", "to"): request.GET.get(name)``.
LOOPED = {"from", "to"}
# Ids every page passes around: the grep must find them, or it has stopped finding anything.
MUST_FIND = {"unit", "household", "community", "estate", "version"}


def parameter_names() -> set[str]:
    names = set(LOOPED)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            names |= set(READS.findall(path.read_text(encoding="utf-8")))
    return names


def form_field_names() -> set[str]:
    names = set()
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_forms.BaseForm) and cls.__module__ == module.__name__:
                names |= set(cls.base_fields)
    return names


def test_the_source_grep_finds_the_parameters():
    assert MUST_FIND <= parameter_names(), MUST_FIND - parameter_names()


@pytest.mark.django_db
def test_junk_in_any_parameter_of_any_url_is_never_a_server_error(demo):  # noqa: F811
    objs, token = demo["objs"], demo["token"]
    names = sorted(parameter_names() | form_field_names())
    urls = [(name, fill(route, objs, token)) for route, name in routes() if name not in {"logout"}]
    failures = []
    for username in ("staff", "leader"):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for route_name, url in urls:
            for value in JUNK:
                data = dict.fromkeys(names, value)
                for method in (client.get, client.post):
                    response = method(url, data)
                    if response.status_code >= 500:
                        failures.append((username, method.__name__, route_name, repr(value), response.status_code))
        # Nothing above logged the user out: every answer was a real one, not the login page.
        assert client.get("/").status_code in (200, 302)
        assert "_auth_user_id" in client.session
    assert not failures, "\n".join(map(str, failures))


# --- the pages where junk used to crash, each with the answer a user sees ------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "²", "99999999999999999999", "-1", "\x00"])
def test_junk_ids_in_filters_and_prefills_are_ignored(login, world, junk):
    leader = login(world.users["leader"])
    # The dashboard's community and estate filters: the whole street, as without a filter.
    response = leader.get(reverse("dashboard", args=["street", world.street.pk]), {"community": junk, "estate": junk})
    assert response.status_code == 200 and response.context["filters"]["community"] == ""
    assert len(response.context["rows"]) == 2
    # A progress workbook with the same filters holds what the page showed.
    assert leader.get(reverse("progress_workbook", args=["street", world.street.pk]), {"community": junk}).status_code == 200
    staff = login(world.users["staff"])
    # The new-meeting form prefilled for a unit: no unit to prefill.
    response = staff.get(reverse("meeting_new"), {"unit": junk, "kind": "qa"})
    assert response.status_code == 200 and not response.context["form"].initial.get("units")
    # The community's public contact, reached from a unit page: no way back to a unit.
    response = staff.get(reverse("community_contact_edit", args=[world.community.pk]), {"unit": junk})
    assert response.status_code == 200
    # The consent forms of a unit, one household asked for: every household's page.
    response = staff.get(reverse("unit_consent_form", args=[world.unit.pk]), {"household": junk})
    assert response.status_code == 200 and len(response.context["households"]) == 12


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "²", "99999999999999999999", ""])
def test_household_codes_for_a_junk_household_ask_to_choose_one(login, world, junk):
    staff = login(world.users["staff"])
    response = staff.post(reverse("household_codes_issue", args=[world.unit.pk]), {"household": junk}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["请选择住户。"]


@pytest.mark.django_db
def test_a_junk_plan_version_is_no_such_version(login, world):
    staff = login(world.users["staff"])
    for junk in ("abc", "²", "99999999999999999999"):
        assert staff.get(reverse("unit_plan", args=[world.unit.pk]), {"version": junk}).status_code == 404


@pytest.mark.django_db
def test_a_move_to_no_stage_is_refused_in_words(login, world):
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.CONSULTATION)
    staff = login(world.users["staff"])
    response = staff.post(reverse("unit_move", args=[world.unit.pk]), {"after": "abc", "reason": "x"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["单元不能从“意愿征询”转入“未知阶段”。"]
    assert Unit.objects.get(pk=world.unit.pk).stage == Stage.CONSULTATION


@pytest.mark.django_db
def test_a_meeting_naming_a_unit_id_no_database_holds_is_a_form_error(login, world):
    staff = login(world.users["staff"])
    data = {"kind": "regular", "community": world.community.pk, "held_on": "2025-03-01", "units": ["99999999999999999999"]}
    response = staff.post(reverse("meeting_new"), data)
    assert response.status_code == 200 and "units" in response.context["form"].errors
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_a_next_that_is_not_a_path_goes_back_to_the_meeting(login, world):
    staff = login(world.users["staff"])
    meeting = services.meeting_save(
        street=world.street, community=world.community, kind="regular", held_on=timezone.localdate(), by=world.users["staff"]
    )
    item = services.action_item_add(
        meeting=meeting, text="量井道", owner=world.users["staff"], due_on=timezone.localdate(), by=world.users["staff"]
    )
    for junk in ("abc", "²", "99999999999999999999"):
        response = staff.post(reverse("action_item_done", args=[item.pk]), {"done": "1", "next": junk})
        assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
