"""The read-replica router (retrofit/routers.py): the dashboards' and reports' reads go to the replica;
every write, every read in a transaction or after a write, and every other page stay on the primary.

tests/settings.py names a ``replica`` alias that mirrors the test database (Django's TEST MIRROR), so a
query sent there is seen on its own connection. The page tests run with committed data (transaction=True):
a second connection does not see a test's open transaction, as a real replica would not.
"""

import runpy
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.urls import reverse

from retrofit.routers import PRIMARY, REPLICA, ReplicaRouter, replica_reads
from units.models import Household, Unit

BOTH = [PRIMARY, REPLICA]
WRITES = ("INSERT", "UPDATE", "DELETE")
router = ReplicaRouter()


def test_reads_go_to_the_replica_only_inside_a_replica_block():
    assert router.db_for_read(Unit) == PRIMARY
    with replica_reads():
        assert router.db_for_read(Unit) == REPLICA
    assert router.db_for_read(Unit) == PRIMARY


def test_a_write_goes_to_the_primary_and_keeps_the_block_on_it():
    with replica_reads():
        assert router.db_for_write(Household) == PRIMARY
        assert router.db_for_read(Unit) == PRIMARY  # the request reads its own write
    with replica_reads():
        assert router.db_for_read(Unit) == REPLICA  # a new block starts afresh


@pytest.mark.django_db
def test_a_read_inside_a_transaction_stays_on_the_primary():
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Unit) == PRIMARY


def test_only_the_primary_is_migrated_and_rows_of_both_relate():
    assert router.allow_migrate(PRIMARY, "units") and not router.allow_migrate(REPLICA, "units")
    assert router.allow_relation(Unit(), Household())


@contextmanager
def queries_by_alias():
    """Every query the block sends, in order, as (alias, SQL)."""
    seen = []
    with ExitStack() as stack:
        for alias in BOTH:
            stack.enter_context(
                connections[alias].execute_wrapper(
                    lambda execute, sql, params, many, context, alias=alias: seen.append((alias, sql)) or execute(sql, params, many, context)
                )
            )
        yield seen


def built_settings() -> dict:
    """What retrofit/settings.py makes of the environment as it is now."""
    return runpy.run_path(str(Path(django_settings.BASE_DIR) / "retrofit" / "settings.py"))


def test_without_a_replica_url_there_is_one_database_and_no_router(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    built = built_settings()
    assert list(built["DATABASES"]) == [PRIMARY] and built.get("DATABASE_ROUTERS", []) == []
    assert "retrofit.routers.ReplicaReadsMiddleware" not in built["MIDDLEWARE"]


@pytest.fixture
def with_replica(settings, monkeypatch):
    """The router and middleware settings.py installs when DATABASE_REPLICA_URL is set (the test's
    ``replica`` alias stands for the database it names)."""
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://replica.invalid/retrofit")
    built = built_settings()
    assert built["DATABASES"]["replica"]["HOST"] == "replica.invalid"
    settings.DATABASE_ROUTERS = built["DATABASE_ROUTERS"]
    settings.MIDDLEWARE = built["MIDDLEWARE"]


def sent_to(seen, alias):
    return [sql for each, sql in seen if each == alias]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_dashboard_reads_from_the_replica_after_the_session_and_user(client, world, with_replica):
    client.force_login(world.users["leader"])
    url = reverse("dashboard", kwargs={"level": "street", "pk": world.street.pk})
    with queries_by_alias() as first:
        assert client.get(url).status_code == 200
    # The first view stores the units' tallies: written on the primary, and read there from then on.
    assert_no_replica_read_after_a_write(first)
    with queries_by_alias() as seen:
        assert client.get(url).status_code == 200
    replica, primary = sent_to(seen, REPLICA), sent_to(seen, PRIMARY)
    assert not any(sql.lstrip().upper().startswith(WRITES) for _alias, sql in seen)
    assert any("units_unit" in sql for sql in replica)
    # The session and the user came from the primary, before any replica read; every unit from the replica.
    assert [alias for alias, _sql in seen[:2]] == [PRIMARY, PRIMARY] and "django_session" in seen[0][1]
    assert not any("units_unit" in sql for sql in primary)


def assert_no_replica_read_after_a_write(seen):
    """Every write went to the primary, and once the request wrote, it read nothing from the replica."""
    writes = [i for i, (_alias, sql) in enumerate(seen) if sql.lstrip().upper().startswith(WRITES)]
    assert writes and all(seen[i][0] == PRIMARY for i in writes)
    assert sent_to(seen[: writes[0]], REPLICA)  # the reads before it
    assert all(alias == PRIMARY for alias, _sql in seen[writes[0] :])


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_an_export_reads_nothing_from_the_replica_after_it_wrote(client, world, with_replica):
    client.force_login(world.users["leader"])
    with queries_by_alias() as seen:
        response = client.get(reverse("progress_workbook", kwargs={"level": "street", "pk": world.street.pk}))
    assert response.status_code == 200
    assert_no_replica_read_after_a_write(seen)  # the tallies or the export log, written on the primary


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_forms_and_other_pages_never_touch_the_replica(client, world, with_replica):
    client.force_login(world.users["staff"])
    with queries_by_alias() as seen:
        assert client.get(reverse("unit_detail", args=[world.unit.pk])).status_code == 200
        response = client.post(reverse("contact_new", args=[world.flats[9].pk]), {"channel": "phone", "outcome": "talked"})
        assert response.status_code == 302
        # A read-only page asked with POST is not a read-only request.
        client.post(reverse("dashboard", kwargs={"level": "street", "pk": world.street.pk}))
    assert seen and sent_to(seen, REPLICA) == []
