"""`make bench`: every measure of docs/benchmarks.md on throwaway SQLite and PostgreSQL databases.

    python -m bench.run [--only sqlite|pg] [--steps pages,weight,grow,dashboards,import,export,bulkpdf,load]
                        [--small 10000]
                        [--large 100000] [--load-seconds 20] [--keep]

For each database: migrate a fresh one, seed the small district, measure the pages, grow it to the large
district (the small one is its first street, unchanged), store the missing tallies, measure the pages
again, then the roster import, the street workbook export and vote recording under load. After the
first pages, the page weight in Chromium over slow 4G (bench/weight.py). ``--steps`` runs only some. Prints one
`name value unit` line per measure (the machine first, the targets last) and keeps a copy in
retrofit-bench-results.txt in the system's temporary folder. The databases are dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import ROOT, log

# BENCH_NAME gives a run its own databases and results file (two runs on one machine at once).
NAME = os.environ.get("BENCH_NAME", "retrofit-bench")
SQLITE_PATH = Path(tempfile.gettempdir()) / f"{NAME}.sqlite3"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_NAME = NAME.replace("-", "_")
PAGES = ("street_dashboard", "estate_page", "unit_page", "visit_list")
RESULTS = Path(tempfile.gettempdir()) / f"{NAME}-results.txt"
# The import against its floor (calamine's read plus the bare bulk write), the street workbook against its
# floor (the same cells written by xlsxwriter in constant-memory mode): docs/benchmarks.md.
GROWTH_TARGET, IMPORT_TARGET, EXPORT_TARGET = 1.3, 1.3, 1.2
FLAT_TARGET = 1.1  # the worker's peak memory for a street's bulk PDF over a community's

collected: dict[str, tuple[str, str]] = {}


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def record(line: str) -> None:
    parts = line.split()
    if len(parts) == 3:
        collected[parts[0]] = (parts[1], parts[2])
    print(line, flush=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def out(name, value, unit) -> None:
    if isinstance(value, float):
        value = f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    record(f"{name} {value} {unit}")


def run_step(url: str, *args: str, module: str = "bench.steps", timeout: int = 900) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "PYTHONPATH": str(ROOT)}
    process = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout,
    )
    for line in process.stdout.splitlines():
        if line.strip():
            record(line.strip())
    if process.returncode != 0:
        log(process.stderr[-3000:])
        out(f"error.{module}.{args[0] if args else ''}", process.returncode, "exit")


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(sql)


def pg_version() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def machine() -> None:
    memory = 0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 2**20
    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip().replace(" ", "_")
                break
    out("machine.nproc", os.cpu_count(), "cores")
    out("machine.cpu", cpu or platform.processor() or "unknown", "-")
    out("machine.memory", memory, "GiB")
    out("machine.python", platform.python_version(), "-")
    out("machine.sqlite", sqlite3.sqlite_version, "-")
    try:
        out("machine.postgresql", pg_version(), "-")
    except Exception as error:  # no server: the PostgreSQL half is skipped
        log(f"PostgreSQL not reachable: {error}")
    out("machine.load_average_1min", os.getloadavg()[0], "-")


STEPS = ("pages", "weight", "grow", "dashboards", "import", "export", "bulkpdf", "load")


def bench_database(db: str, url: str, args) -> None:
    small, large = _label(args.small), _label(args.large)
    steps = args.steps
    migrate(url)
    run_step(url, "seed", "--prefix", db, "--households", str(args.small), "--label", small)
    if "pages" in steps:
        run_step(url, "pages", "--prefix", db, "--label", small, "--repeat", str(args.repeat))
    if "weight" in steps:
        # Chromium over slow 4G against gunicorn with the production settings (bench/weight.py).
        run_step(url, "--prefix", db, "--repeat", str(args.weight_repeat), module="bench.weight")
    if "grow" in steps:
        run_step(url, "seed", "--prefix", db, "--households", str(args.large - args.small), "--label", f"{large}_rest")
        first, rest = collected.get(f"{db}.seed.{small}"), collected.get(f"{db}.seed.{large}_rest")
        if first and rest:
            out(f"{db}.seed.{large}", float(first[0]) + float(rest[0]), "s")
        run_step(url, "tallies", "--prefix", db)
        run_step(url, "pages", "--prefix", db, "--label", large, "--repeat", str(args.repeat))
        for page in PAGES:
            a, b = collected.get(f"{db}.{page}.{small}.median"), collected.get(f"{db}.{page}.{large}.median")
            if a and b:
                out(f"{db}.{page}.growth", float(b[0]) / float(a[0]), "x")
    if "dashboards" in steps:  # grows the district itself when "grow" did not run (bench/dashboards.py)
        run_step(url, "--prefix", db, "--households", str(args.large), "--repeat", str(args.repeat), module="bench.dashboards")
    if "import" in steps:
        run_step(url, "import", "--prefix", db, "--rounds", str(args.rounds))
    if "export" in steps:
        run_step(url, "export", "--prefix", db, "--rounds", str(args.rounds))
    if "bulkpdf" in steps:
        # The worker's bulk status-sheet PDF of street 1 and of its first community (bench/bulk_pdf.py).
        run_step(url, "--prefix", db, module="bench.bulk_pdf", timeout=3600)
    if "load" in steps and args.load_seconds > 0:
        run_step(url, "--prefix", db, "--seconds", str(args.load_seconds), "--clients", str(args.clients),
                 module="bench.load", timeout=int(args.load_seconds) + 600)


def verdicts(dbs) -> None:
    def value(name):
        found = collected.get(name)
        try:
            return float(found[0]) if found else None
        except ValueError:
            return None

    for db in dbs:
        growth = [value(f"{db}.{page}.growth") for page in PAGES]
        checks = {
            f"{db}.target.page_growth_at_most_{GROWTH_TARGET}": max((g for g in growth if g is not None), default=None),
            f"{db}.target.import_at_most_{IMPORT_TARGET}x_floor": value(f"{db}.roster_import_ratio"),
            f"{db}.target.export_at_most_{EXPORT_TARGET}x_floor": value(f"{db}.export_1_street_ratio"),
            f"{db}.target.no_failed_request": value(f"{db}.load.failed"),
            f"{db}.target.nothing_lost": value(f"{db}.load.lost_or_doubled"),
            f"{db}.target.bulk_pdf_memory_flat_at_most_{FLAT_TARGET}x": value(f"{db}.bulk_pdf.peak_street_over_community"),
        }
        limits = [GROWTH_TARGET, IMPORT_TARGET, EXPORT_TARGET, 0, 0, FLAT_TARGET]
        for (name, measured), limit in zip(checks.items(), limits, strict=True):
            if measured is None:
                out(name, "not_measured", "-")
            else:
                out(name, "met" if measured <= limit else "missed", f"({measured:g})")
        weight_verdicts(db, value)


def weight_verdicts(db: str, value) -> None:
    """Slow 4G (bench/weight.py): each page's cold time and bytes, and no static request when warm."""
    from .weight import TARGETS

    for page, (ms, kb) in TARGETS.items():
        prefix = f"{db}.weight.{page}"
        for name, measured, limit in (
            (f"{db}.target.{page}_cold_at_most_{ms}ms", value(f"{prefix}.cold"), ms),
            (f"{db}.target.{page}_cold_at_most_{kb}KB", value(f"{prefix}.cold_transferred"), kb),
            (f"{db}.target.{page}_warm_no_static_request", value(f"{prefix}.warm_static_requests"), 0),
        ):
            if measured is None:
                out(name, "not_measured", "-")
            else:
                out(name, "met" if measured <= limit else "missed", f"({measured:g})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["sqlite", "pg"])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--weight-repeat", type=int, default=3, help="cold and warm loads of each page (bench/weight.py)")
    parser.add_argument(
        "--steps", default=",".join(STEPS),
        help=f"comma-separated, from {','.join(STEPS)} (the small district is always seeded); e.g. --steps weight",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    args = parser.parse_args(argv)
    args.steps = {step.strip() for step in args.steps.split(",") if step.strip()}
    if args.steps - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(args.steps - set(STEPS)))}")
    RESULTS.write_text("")
    machine()
    dbs = []
    if args.only in (None, "sqlite"):
        SQLITE_PATH.unlink(missing_ok=True)
        try:
            bench_database("sqlite", f"sqlite:///{SQLITE_PATH}", args)
            dbs.append("sqlite")
        finally:
            if not args.keep:
                SQLITE_PATH.unlink(missing_ok=True)
    if args.only in (None, "pg") and "machine.postgresql" in collected:
        if not re.fullmatch(r"\w+", PG_NAME):
            raise SystemExit("bad database name")
        pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_NAME}")
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}"
        try:
            bench_database("pg", url, args)
            dbs.append("pg")
        finally:
            if not args.keep:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    verdicts(dbs)


if __name__ == "__main__":
    main()
