"""Every URL of the product, as every role, on the demo street: who gets in, who is turned away.

The demo (seed_demo) has an object of every kind, so each route is visited with a real object. The
rules checked for every route:
- anonymous visitors are sent to the login page (the residents' public pages and login excepted);
- a leader of another street gets 404 on every object of this street, and lists show him nothing of it;
- no role ever gets a server error;
- a form posted without its CSRF token is refused.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from consultations.models import ActionItem, ConsultationRound, Contact, Meeting, Notice, Objection
from payments.models import LedgerEntry
from residents.services import public_link_ensure
from retrofit.models import Role, User
from units.models import ContractScanVersion, Street, Unit
from works.models import ConstructionLogEntry, UtilityCharge

PUBLIC = {"login", "logout", "healthz", "resident_unit", "resident_code", "resident_household"}
ROLES = ["admin", "leader", "staff", "staff2", "unitlead", "viewer", "elevator"]
DEMO_STREET_WORDS = ["绵纺厂宿舍小区", "光华小区"]


def routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "i18n/")):
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    return list(walk(get_resolver().url_patterns))


def objects():
    """One object of each kind from the demo, keyed by the route prefix that takes its id."""
    unit = Unit.objects.get(building__number="2", number="1", building__estate__name="绵纺厂宿舍小区")
    return {
        "units": unit,
        "estates": unit.building.estate,
        "communities": unit.building.estate.community,
        "households": unit.households.order_by("pk").first(),
        "contacts": Contact.objects.order_by("pk").first(),
        "rounds": ConsultationRound.objects.order_by("pk").first(),
        "notices": Notice.objects.order_by("pk").first(),
        "objections": Objection.objects.order_by("pk").first(),
        "meetings": Meeting.objects.order_by("pk").first(),
        "actions": ActionItem.objects.order_by("pk").first(),
        "works/charges": UtilityCharge.objects.order_by("pk").first(),
        "works/log": ConstructionLogEntry.objects.order_by("pk").first(),
        "payments/entries": LedgerEntry.objects.order_by("pk").first(),
        "street": unit.building.estate.community.street,
        "scan_versions": ContractScanVersion.objects.filter(contract__unit=unit).order_by("pk").first()
        or ContractScanVersion.objects.order_by("pk").first(),
    }


def fill(route, objs, token):
    """The route with its converters replaced by the demo's ids; None when the demo lacks the object."""
    if "<" not in route:
        return "/" + route
    prefix = next((key for key in sorted(objs, key=len, reverse=True) if route.startswith(key + "/")), None)
    url = route
    if "<str:level>" in url:
        url = url.replace("<str:level>", "street").replace("<int:pk>", str(objs["street"].pk))
    if "<str:token>" in url:
        url = url.replace("<str:token>", token)
    if "<slug:key>" in url:
        url = url.replace("<slug:key>", "signed")
    if "<int:version_pk>" in url:  # a scan of the unit's own contract
        url = url.replace("<int:version_pk>", str(objs["scan_versions"].pk))
    if "<int:household_pk>" in url:
        url = url.replace("<int:household_pk>", str(objs["households"].pk))
    if "<int:pk>" in url:
        obj = objs.get(prefix)
        if obj is None:
            return None
        url = url.replace("<int:pk>", str(obj.pk))
    assert "<" not in url, url
    return "/" + url


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    other = Street.objects.create(name="东风街道")
    outsider = User.objects.create_user("outsider", password="x", role=Role.STREET_LEADER, street=other)
    objs = objects()
    token = public_link_ensure(unit=objs["units"], by=User.objects.get(username="staff")).token
    return {"objs": objs, "outsider": outsider, "token": token}


@pytest.mark.django_db
def test_every_url_for_every_role(demo):
    objs, token = demo["objs"], demo["token"]
    urls = [(name, fill(route, objs, token)) for route, name in routes()]
    missing = [name for name, url in urls if url is None]
    assert not missing, f"the demo has no object for {missing}"

    anonymous = Client()
    for name, url in urls:
        if name in PUBLIC:
            continue
        for method in (anonymous.get, anonymous.post):
            response = method(url)
            assert response.status_code == 302 and "/login/" in response["Location"], (name, url, response.status_code)

    outsider = Client()
    outsider.force_login(demo["outsider"])
    for name, url in urls:
        if name in PUBLIC or name in {"import_template"}:
            continue
        response = outsider.get(url)
        if response.status_code == 405:  # a form endpoint: post to it instead
            response = outsider.post(url, {})
        if re.search(r"/\d+/", url) or url.endswith(".png"):
            assert response.status_code == 404, (name, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 405), (name, url, response.status_code)
            body = response.content.decode(errors="replace")
            assert not any(word in body for word in DEMO_STREET_WORDS), (name, url)

    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, url in urls:
            if name == "logout":
                continue
            response = client.get(url)
            assert response.status_code < 500, (username, name, url, response.status_code)
            assert response.status_code in (200, 302, 400, 403, 404, 405, 422, 429), (username, name, url, response.status_code)


@pytest.mark.django_db
def test_every_form_refuses_a_post_without_its_csrf_token(demo):
    objs, token = demo["objs"], demo["token"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="staff"))
    for route, name in routes():
        url = fill(route, objs, token)
        if name in {"login", "healthz"}:
            continue
        response = client.post(url, {})
        assert response.status_code in (403, 404, 405), (name, url, response.status_code)
