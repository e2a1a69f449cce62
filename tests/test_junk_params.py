"""Junk in a parameter is an answer, never a server error: every URL, every parameter name, GET and POST.

A link typed by hand, a bookmark from an older version or a scanner sends ``?unit=abc``, ``?household=²``
(a digit to ``str.isdigit``, not to ``int``), ``-1``, ``1e9``, a number no id column holds, an empty value
or a NUL byte. Each of them is sent, as staff and as a leader, to every route of the product (the route
walker and the demo street of tests/urlwalk.py) in every parameter name the code reads: the names
its views and helpers read from request.GET / request.POST (found in the source, so a new parameter is
covered without touching this file) and the fields of its forms.

A route that looks at none of its parameters when sent the first value (tests/urlwalk.py's
``parameters_read``: a GET that reads no query string, a POST that a view refuses before reading its
body) answers the same to every other value: it is not sent them.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms as django_forms
from django.test import Client

from retrofit.models import User
from tests.urlwalk import parameters_read, pdf_laid_out, urls_for

JUNK = ["abc", "²", "-1", "1e9", "99999999999999999999", "", "%00", "\x00"]
APPS = ["consultations", "units", "retrofit", "residents", "payments", "works", "reminders", "reports"]
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


SHARDS = 8  # the routes in eight parts (~3 s each), so that parallel test processes share the work evenly


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("username", ["staff", "leader"])
def test_junk_in_any_parameter_of_any_url_is_never_a_server_error(url_demo, username, shard):
    names = sorted(parameter_names() | form_field_names())
    failures = []
    urls = [(name, url) for name, url in urls_for(username, url_demo) if name != "logout"][shard::SHARDS]
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    blind = set()  # (route, method) that read no parameter for the first value
    for route_name, url in urls:
        for value in JUNK:
            data = dict.fromkeys(names, value)
            for method in (client.get, client.post):
                if (route_name, method) in blind:
                    continue
                with pdf_laid_out(really=False), parameters_read() as read:
                    response = method(url, data)
                if not read:
                    blind.add((route_name, method))
                if response.status_code >= 500:
                    failures.append((username, method.__name__, route_name, repr(value), response.status_code))
    # Nothing above logged the user out: every answer was a real one, not the login page.
    assert client.get("/").status_code in (200, 302)
    assert "_auth_user_id" in client.session
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.django_db
def test_the_walk_sees_which_requests_read_their_parameters(url_demo):
    """A page with the language switch reads its query string (the switch sends the page's full path
    back), a form's post its body; a spreadsheet reads neither, nor a post a page refuses by its method."""
    client = Client()
    client.force_login(User.objects.get(username="staff"))
    urls = dict(urls_for("staff", url_demo))
    data = {"unit": "abc"}
    for method, route, reads in [
        (client.get, "unit_detail", True),
        (client.post, "household_vote", True),
        (client.get, "unit_sheet_xlsx", False),
        (client.post, "unit_sheet_xlsx", False),
    ]:
        with parameters_read() as read:
            response = method(urls[route], data)
        assert response.status_code < 500 and bool(read) is reads, (method.__name__, route, read)
