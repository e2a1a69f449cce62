"""One bench step against the database of ``DATABASE_URL``; prints `name value unit` lines.

    python -m bench.steps seed --households 10000 --label 10k --prefix sqlite
    python -m bench.steps pages --label 10k --prefix sqlite
    python -m bench.steps tallies --prefix sqlite
    python -m bench.steps import --prefix sqlite
    python -m bench.steps export --prefix sqlite

Run by bench/run.py, which makes the throwaway databases; each step is its own process so that the
database settings come from the environment as in production.
"""

from __future__ import annotations

import argparse
import datetime
import io
import tempfile
import time
import tracemalloc
from pathlib import Path

from .common import Timer, emit, log, median, p95, setup_django

REPEAT = 20
WARMUP = 2
ROSTER_ROWS = 10_000
IMPORTED, FLOOR_STREETS = "导入街道", "底线街道"  # the streets the import step writes, its own and its floor's


def step_seed(args) -> None:
    from demo.district import seed_district

    with Timer() as timer:
        report = seed_district(households=args.households, seed=2026)
    log(f"seeded: {report}")
    emit(f"{args.prefix}.seed.{args.label}", timer.seconds, "s")
    with Timer() as timer:
        analyze()
    emit(f"{args.prefix}.analyze.{args.label}", timer.seconds, "s")


def analyze() -> None:
    """What autovacuum does on its own within a minute or two of a bulk load (PostgreSQL vacuums a table
    after inserts, which marks its pages all-visible: an index-only scan then reads no table row); SQLite
    never does it by itself."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def step_tallies(args) -> None:
    """Store every missing tally in one pass (the alternative to computing them on first read)."""
    from consultations.models import UnitTally
    from demo.district import store_tallies
    from units.models import Unit

    missing = Unit.objects.exclude(pk__in=UnitTally.objects.values("unit_id"))
    count = missing.count()
    with Timer() as timer:
        store_tallies(missing)
    emit(f"{args.prefix}.tallies_bulk.{count}_units", timer.seconds, "s")


def targets():
    """The same street, estate, unit and community at every size (street 1 is built first, the same way)."""
    from django.db.models import Count

    from retrofit.models import User
    from units.models import Estate, Stage, Street, Unit

    street = Street.objects.order_by("pk").first()
    community = street.communities.order_by("pk").first()
    estate = (
        Estate.objects.filter(community=community).annotate(n=Count("buildings__units")).order_by("-n", "pk").first()
    )
    unit = (
        Unit.objects.filter(building__estate=estate, stage=Stage.CONSULTATION)
        .annotate(n=Count("households"))
        .order_by("-n", "pk")
        .first()
    )
    leader = User.objects.filter(street=street, role="street_leader").order_by("pk").first()
    staff = User.objects.filter(community=community, role="community_staff").order_by("pk").first()
    return {
        "street_dashboard": (leader, f"/dashboard/street/{street.pk}/"),
        "estate_page": (leader, f"/estates/{estate.pk}/"),
        "unit_page": (leader, f"/units/{unit.pk}/"),
        # /visits/ sends community staff here.
        "visit_list": (staff, f"/communities/{community.pk}/visits/"),
    }


def step_pages(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for name, (user, url) in targets().items():
        client = Client()
        client.force_login(user)
        if name == "visit_list":
            landing = client.get("/visits/")
            assert landing.status_code == 302 and landing["Location"] == url, (landing.status_code, landing.get("Location"))
        with Timer() as first:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        for _ in range(WARMUP):
            client.get(url)
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        prefix = f"{args.prefix}.{name}.{args.label}"
        emit(f"{prefix}.first", first.seconds * 1000, "ms")
        emit(f"{prefix}.median", median(samples) * 1000, "ms")
        emit(f"{prefix}.p95", p95(samples) * 1000, "ms")
        emit(f"{prefix}.queries", len(queries), "queries")
        log(f"{name}: {url} ({len(response.content)} bytes)")


# --- import ------------------------------------------------------------------------------------------


def write_roster(path: Path, street: str, rows: int = ROSTER_ROWS, seed: int = 7) -> Path:
    """A realistic 10,000-row ledger (sheet 住户台账, the template's columns) for a new street."""
    import random

    from openpyxl import Workbook

    from consultations.roster_import import columns
    from demo.district import GIVEN, SURNAMES

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(columns.SHEET)
    sheet.append(list(columns.TEMPLATE_COLUMNS))
    written, estate, building = 0, 0, 0
    votes = ["同意"] * 6 + ["反对", "弃权", "未表态", "联系不上", ""]
    while written < rows:
        estate += 1
        for building in range(1, 7):
            floors, per_floor = rng.choice((5, 6, 7)), rng.choice((2, 3))
            for unit in range(1, 4):
                for floor in range(1, floors + 1):
                    for side in range(1, per_floor + 1):
                        if written >= rows:
                            break
                        vote = rng.choice(votes)
                        values = {
                            columns.STREET: street,
                            columns.COMMUNITY: f"导入{estate % 10 + 1}社区",
                            columns.ESTATE: f"导入{estate}小区",
                            columns.BUILDING: str(building),
                            columns.UNIT: str(unit),
                            columns.ROOM: f"{floor}{side:02d}",
                            columns.FLOOR: floor,
                            columns.AREA: rng.randrange(5000, 12000) / 100,
                            columns.OWNER: rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                            columns.PHONE: f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                            columns.OCCUPANCY: rng.choice(("自住", "自住", "自住", "出租", "空置")),
                            columns.VOTE: vote,
                            columns.REASON: "担心噪音" if vote == "反对" else "",
                            columns.HARDSHIP: "是" if rng.random() < 0.05 else "否",
                            columns.NOTE: "",
                            columns.AGE_BAND: rng.choice(("40岁以下", "40-59岁", "60-74岁", "75岁及以上", "")),
                            columns.ID_NUMBER: "",
                            columns.INSTITUTION: "",
                        }
                        sheet.append([values[c] for c in columns.TEMPLATE_COLUMNS])
                        written += 1
    workbook.save(path)
    return path


def bare_read(path: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    from consultations.roster_import import columns

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(columns.SHEET).to_python()


def _place_rows(model, objects) -> list[tuple]:
    """Every stored column of new places, as bulk_create would write them (their defaults included)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return [tuple(f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields) for o in objects], tuple(
        f.name for f in fields
    )


def bare_roster_write(table: list[list]) -> None:
    """The floor's write: the ledger's rows into the tables the import writes, by the database's bulk path
    (COPY on PostgreSQL, one executemany on SQLite; ``insert_rows``) and nothing else — no check, no
    history of changes, no tally dropped: places level by level (each level's ids read back once), then the
    households, their votes and their first vote-history line (and its weeks, VoteWeek), in one transaction."""
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from consultations.models import Vote, VoteChange, VoteSource, VoteWeek
    from consultations.roster_import import columns
    from consultations.roster_import.writing import insert_rows
    from units.models import Building, Community, Estate, Household, Street, Unit
    from units.roster_words import AGE_BAND_WORDS, HARDSHIP_WORDS, OCCUPANCY_WORDS

    at = {name: n for n, name in enumerate(table[0])}
    place = [at[c] for c in (columns.STREET, columns.COMMUNITY, columns.ESTATE, columns.BUILDING, columns.UNIT)]
    rows = [[("" if v is None else str(int(v)) if isinstance(v, float) else str(v)) for v in r] for r in table[1:]]
    keys = [tuple(r[i] for i in place) for r in rows]
    at_now = timezone.now()
    now = VoteChange._meta.get_field("changed_at").get_db_prep_save(at_now, connection)
    with transaction.atomic():
        ids = {(): None}
        levels = ((Street, "name", None), (Community, "name", "street"), (Estate, "name", "community"),
                  (Building, "number", "estate"), (Unit, "number", "building"))
        for depth, (model, name, parent) in enumerate(levels, start=1):
            wanted = sorted({key[:depth] for key in keys})
            extra = {"floors": 60} if model is Building else {}
            objects = [model(**{name: k[-1], **({f"{parent}_id": ids[k[:-1]]} if parent else {}), **extra}) for k in wanted]
            values, fields = _place_rows(model, objects)
            insert_rows(model, fields, values)
            parents = {ids[k[:-1]] for k in wanted}
            found = model.objects.filter(**({f"{parent}_id__in": parents} if parent else {f"{name}__in": [k[-1] for k in wanted]}))
            back = {v: k for k, v in ids.items() if len(k) == depth - 1}
            for pk, parent_id, own in found.values_list("pk", f"{parent}_id" if parent else "pk", name):
                ids[(*back.get(parent_id, ()), own)] = pk
        households = [
            (ids[key], r[at[columns.ROOM]], int(r[at[columns.FLOOR]]), Decimal(r[at[columns.AREA]]), r[at[columns.OWNER]],
             r[at[columns.PHONE]], OCCUPANCY_WORDS[r[at[columns.OCCUPANCY]]], HARDSHIP_WORDS[r[at[columns.HARDSHIP]]],
             r[at[columns.NOTE]], "", AGE_BAND_WORDS[r[at[columns.AGE_BAND]]], "", "", "")
            for key, r in zip(keys, rows, strict=True)
        ]
        insert_rows(Household, ("unit", "room", "floor", "area", "owner_name", "phone", "occupancy", "hardship", "note",
                                "co_owners", "age_band", "id_hash", "id_last4", "institution"), households)
        pks = dict(((u, room), pk) for u, room, pk in Household.objects.filter(unit_id__in={h[0] for h in households})
                   .values_list("unit_id", "room", "pk"))
        votes = [(pks[(h[0], h[1])], columns.VOTE_WORDS[r[at[columns.VOTE]]], r[at[columns.REASON]]) for h, r in zip(households, rows, strict=True)]
        insert_rows(Vote, ("household", "value", "reason", "recorded_by", "recorded_at", "version"),
                    [(pk, value, reason, None, now, 1) for pk, value, reason in votes])
        insert_rows(VoteChange, ("household", "before", "after", "reason", "source", "changed_by", "changed_at"),
                    [(pk, "", value, reason, VoteSource.IMPORT, None, now) for pk, value, reason in votes])
        VoteWeek.add([(h[0], at_now, "", v[1]) for h, v in zip(households, votes, strict=True)])  # its weeks


def _next_street(prefix: str) -> str:
    """A street of its own for each write (also on a kept database): every row is a new flat."""
    from units.models import Street

    return f"{prefix}{Street.objects.count() + 1}"


def step_import(args) -> None:
    """The import against its floor: calamine reading the same ledger plus the bare write of its rows."""
    from django.conf import settings

    from consultations.roster_import import import_roster, workbook_guard
    from consultations.roster_import.columns import PLAN_SHEET, SHEET
    from units.models import Household

    measures = {"read": [], "inspect": [], "bare_write": [], "floor": [], "import": []}
    folder = Path(tempfile.mkdtemp(prefix="retrofit-bench-"))  # its own: another run may be writing ledgers too
    for attempt in range(args.rounds):
        floor_path = write_roster(folder / f"retrofit-bench-floor-{attempt}.xlsx", street=_next_street(FLOOR_STREETS))
        with Timer() as read:
            table = bare_read(floor_path)
        assert len(table) == ROSTER_ROWS + 1
        before = Household.objects.count()
        with Timer() as write:
            bare_roster_write(table)
        assert Household.objects.count() == before + ROSTER_ROWS
        path = write_roster(folder / f"retrofit-bench-roster-{attempt}.xlsx", street=_next_street(IMPORTED))
        with Timer() as inspect:
            workbook_guard.inspect_workbook(
                path, sheets=(SHEET, PLAN_SHEET), max_rows=settings.ROSTER_MAX_ROWS, max_columns=settings.ROSTER_MAX_COLUMNS,
                max_uncompressed=settings.ROSTER_MAX_UNCOMPRESSED, max_bytes=settings.ROSTER_MAX_BYTES,
            )
        with Timer() as whole:
            report = import_roster(path)
        assert report.households_created == ROSTER_ROWS and Household.objects.count() == before + 2 * ROSTER_ROWS
        for name, seconds in (("read", read.seconds), ("inspect", inspect.seconds), ("bare_write", write.seconds),
                              ("floor", read.seconds + write.seconds), ("import", whole.seconds)):
            measures[name].append(seconds)
        log(f"import {attempt + 1}: read {read.seconds:.3f} s + bare write {write.seconds:.3f} s, import {whole.seconds:.3f} s")
        floor_path.unlink()
        path.unlink()
    folder.rmdir()
    emit(f"{args.prefix}.roster_read_10000_rows", median(measures["read"]), "s")
    emit(f"{args.prefix}.roster_inspect_10000_rows", median(measures["inspect"]), "s")
    emit(f"{args.prefix}.roster_bare_write_10000_rows", median(measures["bare_write"]), "s")
    emit(f"{args.prefix}.roster_floor_10000_rows", median(measures["floor"]), "s")
    emit(f"{args.prefix}.roster_import_10000_rows", median(measures["import"]), "s")
    emit(f"{args.prefix}.roster_import_ratio", median(measures["import"]) / median(measures["floor"]), "x")


# --- export ------------------------------------------------------------------------------------------


def styled_cells(data: bytes) -> list[tuple[str, list[list[tuple]]]]:
    """Every sheet of a workbook as rows of (value, number format, bold, font size, fill colour) cells."""
    from openpyxl import load_workbook

    sheets = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        rows = []
        for row in ws.iter_rows():
            fill = lambda c: c.fill.fgColor.rgb[2:] if c.fill is not None and c.fill.fill_type else None  # noqa: E731
            rows.append([(c.value, c.number_format, bool(c.font.b), c.font.sz or 11, fill(c)) for c in row])
        sheets.append((ws.title, rows))
    return sheets


def floor_workbook(sheets, output) -> None:
    """The export's floor: the same cells with the same number formats, fonts and fills, written by the
    fastest streaming writer (xlsxwriter in constant-memory mode, each format made once) and nothing else."""
    import xlsxwriter

    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    formats = {}
    for name, rows in sheets:
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, (value, number_format, bold, size, fill) in enumerate(row):
                if value is None:
                    continue
                key = (number_format, bold, size, fill)
                if key not in formats:
                    style = {"num_format": number_format, "bold": bold, "font_size": size}
                    formats[key] = book.add_format({**style, **({"pattern": 1, "bg_color": f"#{fill}"} if fill else {})})
                if isinstance(value, str):
                    ws.write_string(r, c, value, formats[key])
                elif isinstance(value, datetime.datetime):
                    ws.write_datetime(r, c, value, formats[key])
                else:
                    ws.write_number(r, c, value, formats[key])
    book.close()


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _seeded_streets(wanted: int):
    """The first ``wanted`` streets seed_district built (not the import's), seeding more when there are fewer."""
    from demo.district import seed_district
    from units.models import Street

    def seeded():
        return list(Street.objects.exclude(name__startswith=IMPORTED).exclude(name__startswith=FLOOR_STREETS).order_by("pk"))

    streets = seeded()
    if len(streets) < wanted:
        log(f"export: seeding {wanted - len(streets)} more streets of 10,000 households")
        seed_district(households=10_000 * (wanted - len(streets)), seed=2026)
        streets = seeded()
    return streets[:wanted]


def step_export(args) -> None:
    """The street progress workbook against its floor, at one and at three streets (time and peak memory)."""
    from reports.exports.progress import write_progress_workbook
    from units.models import Unit

    streets = _seeded_streets(3)
    analyze()  # the import step (and any seeding here) changed the tables' sizes since the last ANALYZE
    peaks = []
    for label, chosen in (("1_street", streets[:1]), ("3_streets", streets)):
        units = Unit.objects.filter(building__estate__community__street__in=chosen)

        def export(units=units, chosen=chosen):
            with tempfile.TemporaryFile() as handle:
                write_progress_workbook(units, handle, title=chosen[0].name, group_by="community")
                handle.seek(0)
                return handle.read()

        sheets = styled_cells(export())  # also warms up: tallies stored, templates and translations loaded
        cells = sum(1 for _n, rows in sheets for row in rows for cell in row if cell[0] is not None)

        def floor(sheets=sheets):
            with tempfile.TemporaryFile() as handle:
                floor_workbook(sheets, handle)

        export_times, floor_times = [], []
        for _ in range(args.rounds):
            with Timer() as timer:
                export()
            export_times.append(timer.seconds)
            with Timer() as timer:
                floor()
            floor_times.append(timer.seconds)
        prefix = f"{args.prefix}.export_{label}"
        emit(f"{prefix}_cells", cells, "cells")
        emit(f"{prefix}_workbook", median(export_times), "s")
        emit(f"{prefix}_floor", median(floor_times), "s")
        emit(f"{prefix}_ratio", median(export_times) / median(floor_times), "x")
        emit(f"{prefix}_sheets", len(sheets), "sheets")
        peaks.append(_peak(export))
        emit(f"{prefix}_peak_memory", peaks[-1] / 2**20, "MiB")
        emit(f"{prefix}_floor_peak_memory", _peak(floor) / 2**20, "MiB")
    emit(f"{args.prefix}.export_peak_memory_3_streets_over_1", peaks[1] / peaks[0], "x")


STEPS = {"seed": step_seed, "tallies": step_tallies, "pages": step_pages, "import": step_import, "export": step_export}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--prefix", default="db")
    parser.add_argument("--label", default="")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    setup_django()
    STEPS[args.step](args)


if __name__ == "__main__":
    main()
