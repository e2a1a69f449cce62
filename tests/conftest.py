"""Fixtures shared by the whole suite: a temporary MEDIA_ROOT, named personas on a small street
(``world``), a company user, and the demo street seeded once per session (``demo_street``).

The builders (factories and helpers such as make_unit, add_flats, plan_for) are in tests/factories.py.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from retrofit.models import Role, User
from tests import urlwalk
from tests.factories import add_flats, make_unit, make_user
from tests.sqlite_schema.demo import seeded
from units.models import Community, Household, Street, Unit
from works.models import Assignment, Company, CompanyKind

# Hypothesis checks what the code does, not how fast it does it: no deadline per example. On a busy machine a
# 0.3 ms example once took 368 ms and failed the run; speed is measured by `make bench`, not by tests.
hypothesis_settings.register_profile("retrofit", deadline=None)
hypothesis_settings.load_profile("retrofit")

# --- files -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploads, photos and scans go to a temporary folder, never to ./media of the working tree."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


# --- the demo street, once per session -------------------------------------------------------------

_demo_open = {"open": False}
# The longest modules on the demo street, first among the demo's tests: the parallel test processes share
# their many parts at once, and the run does not end with one process still walking while the other waits.
LONGEST_ON_THE_DEMO = ("test_junk_params.py", "test_every_url.py")


def pytest_collection_modifyitems(items):
    """Tests on the demo street run last, the route walks first among them (``LONGEST_ON_THE_DEMO``); in
    each module, the tests that share the module's world (``_saved_world``) run after the others.

    The demo stays in an open transaction from the first of them to the end of the session; running
    them last keeps every other test on an empty database (``_demo_isolation`` checks it).
    """
    modules = {}
    for item in items:
        modules.setdefault(getattr(item, "module", None), len(modules))

    def order(item):
        demo = "demo_db" in getattr(item, "fixturenames", ())
        walk = LONGEST_ON_THE_DEMO.index(item.path.name) if item.path.name in LONGEST_ON_THE_DEMO else len(LONGEST_ON_THE_DEMO)
        return demo, walk if demo else 0, modules[getattr(item, "module", None)], _shares_the_world(item)

    items.sort(key=order)


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker):
    """``seed_demo`` once per session (on SQLite copied from the day's seed: tests/sqlite_schema/demo.py),
    with a transaction on top rolled back at the end of the session.

    Yields what the command printed. Use ``demo_street`` in a test: it runs in its own savepoint on top.
    """

    def seed():
        out = StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
        return out.getvalue()

    with django_db_blocker.unblock(), seeded(connection, "demo", seed) as printed:
        _demo_open["open"] = True
        try:
            yield printed
        finally:
            _demo_open["open"] = False
    # Playwright's event loop can leave this connection in a context the database teardown does not see;
    # closed here, PostgreSQL lets the test database be dropped at the end of the session.
    connection.close()


@pytest.fixture
def demo_street(demo_db, db):
    """The demo street for one test; whatever the test writes is rolled back after it."""
    return demo_db


@pytest.fixture(scope="module")
def url_demo(demo_db, django_db_blocker):
    """The demo street with what every route needs on each role's own units (tests/urlwalk.py), for one
    module, in a savepoint rolled back after it. Tests using it take ``db`` (django_db) as well."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield urlwalk.add_route_objects()
        finally:
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _demo_isolation(request):
    if _demo_open["open"] and "demo_db" not in request.fixturenames:
        pytest.fail("a test without the demo ran while the session's demo transaction was open")


# --- a small street and its people -----------------------------------------------------------------


class World:
    """The small street of ``world``: streets, communities, units, the first unit's flats, the personas."""


def _build_world() -> World:
    """Two streets; street A has two communities, each with a unit. Personas for every role."""
    street = Street.objects.create(name="红旗街道")
    other_street = Street.objects.create(name="东风街道")
    community = Community.objects.create(street=street, name="绵纺社区")
    sibling = Community.objects.create(street=street, name="光华社区")
    far = Community.objects.create(street=other_street, name="东风社区")
    unit = make_unit(community, estate="绵纺厂宿舍小区")
    sibling_unit = make_unit(sibling, estate="光华小区")
    far_unit = make_unit(far, estate="东风小区")
    flats = add_flats(unit, ["agree"] * 8 + ["oppose", "undecided", "undecided", "abstain"])
    add_flats(sibling_unit, ["agree"] * 6)
    add_flats(far_unit, ["agree"] * 6)
    unit_leader = make_user("unitlead", Role.UNIT_LEADER)
    unit.leaders.add(unit_leader)
    users = {
        "leader": make_user("leader", Role.STREET_LEADER, street=street),
        "staff": make_user("staff", Role.COMMUNITY_STAFF, community=community),
        "sibling_staff": make_user("staff2", Role.COMMUNITY_STAFF, community=sibling),
        "unit_leader": unit_leader,
        "viewer": make_user("viewer", Role.VIEWER, street=street),
        "outsider": make_user("outsider", Role.STREET_LEADER, street=other_street),
    }
    w = World()
    w.street, w.other_street = street, other_street
    w.community, w.sibling, w.far = community, sibling, far
    w.unit, w.sibling_unit, w.far_unit = unit, sibling_unit, far_unit
    w.estate = unit.building.estate
    w.flats = flats
    w.users = users
    return w


def _fetch_world(saved: World) -> World:
    """Fresh instances of the saved world's rows, read back from the database (a few queries instead of
    the ~60 inserts of building it): what a test changes on them is its own."""
    streets = Street.objects.in_bulk([saved.street.pk, saved.other_street.pk])
    communities = Community.objects.in_bulk([saved.community.pk, saved.sibling.pk, saved.far.pk])
    units = Unit.objects.select_related("building__estate").in_bulk(
        [saved.unit.pk, saved.sibling_unit.pk, saved.far_unit.pk]
    )
    users = User.objects.in_bulk([user.pk for user in saved.users.values()])
    w = World()
    w.street, w.other_street = streets[saved.street.pk], streets[saved.other_street.pk]
    w.community, w.sibling, w.far = (communities[c.pk] for c in (saved.community, saved.sibling, saved.far))
    w.unit, w.sibling_unit, w.far_unit = (units[u.pk] for u in (saved.unit, saved.sibling_unit, saved.far_unit))
    w.estate = w.unit.building.estate
    w.flats = list(Household.objects.filter(unit=w.unit).order_by("pk"))
    w.users = {name: users[user.pk] for name, user in saved.users.items()}
    # One instance per row, linked as the built world's are: a street changed and saved through
    # ``world.street`` is the street ``world.unit``'s estate reads.
    for community in communities.values():
        community.street = streets[community.street_id]
    for unit in units.values():
        unit.building.estate.community = communities[unit.building.estate.community_id]
    for flat in w.flats:
        flat.unit = w.unit
    for user in users.values():
        if user.street_id:
            user.street = streets[user.street_id]
        if user.community_id:
            user.community = communities[user.community_id]
    return w


_world_open = {"open": False}


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _shares_the_world(item) -> bool:
    return "world" in getattr(item, "fixturenames", ()) and not _transactional(item)


@pytest.fixture(scope="module")
def _saved_world(request, django_db_setup, django_db_blocker):
    """The world built once for a module, in a transaction rolled back after it; each test runs in a
    savepoint on top (as ``demo_db`` does for the demo). None in a module with a transactional test that
    uses the world: a test that commits must not find an open transaction, so there it is built per test.

    ``pytest_collection_modifyitems`` runs a module's tests that share it last in the module, so no other
    test of the module meets its rows (``_world_isolation`` checks it)."""
    mine = [
        item for item in request.session.items
        if getattr(item, "module", None) is request.module and "world" in getattr(item, "fixturenames", ())
    ]
    if any(_transactional(item) for item in mine):
        yield None
        return
    with django_db_blocker.unblock(), transaction.atomic():
        _world_open["open"] = True
        try:
            yield _build_world()
        finally:
            _world_open["open"] = False
            transaction.set_rollback(True)


@pytest.fixture
def world(_saved_world, db):
    """Two streets; street A has two communities, each with a unit. Personas for every role."""
    if _saved_world is None:
        return _build_world()
    return _fetch_world(_saved_world)


@pytest.fixture(autouse=True)
def _world_isolation(request):
    if _world_open["open"] and not _shares_the_world(request.node):
        pytest.fail("a test without the shared world ran while the module's world transaction was open")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def company_user(world):
    """A company assigned to world.unit: it sees the unit's works, never its money."""
    company = Company.objects.create(name="蜀通电梯", kind=CompanyKind.ELEVATOR)
    Assignment.objects.create(unit=world.unit, company=company, kind=CompanyKind.ELEVATOR)
    return make_user("elevator", Role.COMPANY, company=company)
