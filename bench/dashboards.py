"""The dashboards against the pages they sum up, on the 100,000-household district.

    DATABASE_URL=... python -m bench.dashboards --prefix sqlite [--households 100000] [--repeat 20]

Grows the database to ``--households`` first if it holds fewer (bench/run.py has grown it already),
stores the missing tallies, puts every street in one district with its housing bureau's login, runs
``ANALYZE`` (``VACUUM ANALYZE`` on PostgreSQL, as autovacuum would), then times four pages through Django's test
client, warmed, the median of ``--repeat``: the district dashboard (the district official), the street
dashboard and the estate page (the street leader) and the visit list (community staff), the same objects
as bench/steps.py ``targets``. Prints each page's median, p95 and queries, and the ratios the issue sets:
district / street ≤ 1.5, street / estate ≤ 1.5, and visit list / estate.
"""

from __future__ import annotations

import argparse
import time

from .common import emit, log, median, p95, setup_django

WARMUP = 3
BENCH_DISTRICT = "测试区"
RATIOS = {  # name → (numerator, denominator, target or None)
    "district_over_street": ("district_dashboard", "street_dashboard", 1.5),
    "street_over_estate": ("street_dashboard", "estate_page", 1.5),
    "visit_list_over_estate": ("visit_list", "estate_page", None),
}


def grow(households: int) -> None:
    """Seed the streets missing up to ``households`` and store every missing tally (as bench/run.py does)."""
    from consultations.models import UnitTally
    from demo.district import seed_district, store_tallies
    from units.models import Household, Unit

    missing = households - Household.objects.count()
    if missing > 0:
        log(f"seeding {missing} households")
        seed_district(households=missing, seed=2026)
    store_tallies(Unit.objects.exclude(pk__in=UnitTally.objects.values("unit_id")))


def district_target():
    """Every street without a district joins the bench's; its housing bureau reads it."""
    from retrofit.models import Role, User
    from units.models import District, Street

    district, _created = District.objects.get_or_create(name=BENCH_DISTRICT)
    Street.objects.filter(district__isnull=True).update(district=district)
    official, _created = User.objects.get_or_create(
        username="bench-district", defaults={"role": Role.DISTRICT_OFFICIAL, "district": district}
    )
    return official, f"/dashboard/district/{district.pk}/"


def measure(user, url: str, repeat: int) -> tuple[list[float], int]:
    """``repeat`` timed requests after the warm-up, and the queries of one more."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")  # an allowed host of the production settings
    client.force_login(user)
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return samples, len(queries)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", default="db")
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    setup_django()
    from bench.steps import analyze, targets

    grow(args.households)
    pages = {"district_dashboard": district_target()}
    # The planner's statistics of the grown district with its streets in it, as autovacuum keeps them: taken
    # before the streets joined it, PostgreSQL planned the district's joins for no street in it (165 ms
    # against 112 ms, docs/benchmarks.md).
    analyze()
    pages.update((name, found) for name, found in targets().items() if name != "unit_page")
    medians = {}
    for name, (user, url) in pages.items():
        samples, queries = measure(user, url, args.repeat)
        medians[name] = median(samples) * 1000
        prefix = f"{args.prefix}.dashboards.{name}"
        emit(f"{prefix}.median", medians[name], "ms")
        emit(f"{prefix}.p95", p95(samples) * 1000, "ms")
        emit(f"{prefix}.queries", queries, "queries")
    for ratio, (top, bottom, target) in RATIOS.items():
        value = medians[top] / medians[bottom]
        emit(f"{args.prefix}.dashboards.{ratio}", value, "x")
        if target is not None:
            emit(f"{args.prefix}.target.{ratio}_at_most_{target}", "met" if value <= target else "missed", f"({value:.3g})")


if __name__ == "__main__":
    main()
