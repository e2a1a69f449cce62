"""Vote recording under load: gunicorn on loopback, 20 logged-in clients posting votes for 20 seconds.

    DATABASE_URL=... python -m bench.load --prefix pg [--clients 20] [--seconds 20]

Each client is a community staff member with its own session, posting the phone's HTMX vote form
(value, reason, version) to /households/<pk>/vote/ for households no other client touches, so every
accepted post is exactly one change. Two more clients read the street dashboard and estate pages
meanwhile: the writes drop stored tallies and these reads recompute them. Afterwards the database is
checked: one VoteChange per accepted post (nothing lost, nothing doubled), every version moved by
exactly the accepted posts, and every stored tally equal to a live count.

Only 127.0.0.1 is ever contacted; the run stops by itself after ``--seconds``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from .common import ROOT, emit, log, median, p95, setup_django

HOST = "127.0.0.1"
PASSWORD = "bench-pass-2026"
VALUES = ("agree", "oppose", "abstain", "undecided")
# Every reason this run writes starts with it: a rerun on the same database never repeats a post (a post
# equal to the stored vote would change nothing) and the check counts only this run's history.
RUN = f"bench {os.getpid():x}{int(time.time()):x}"
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Session:
    """A browser-like client: one cookie jar, a fresh loopback connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            all_headers = {"Host": f"{HOST}:{self.port}", **(headers or {})}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            data = None
            if body is not None:
                data = urllib.parse.urlencode(body).encode()
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response, content
        finally:
            connection.close()

    def login(self, username: str) -> None:
        _response, page = self.request("GET", "/login/")
        token = CSRF_FIELD.search(page.decode()).group(1)
        response, _content = self.request(
            "POST", "/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: {response.status}")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    saved_by_household: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def writer(session: Session, households, deadline: float, tally: Tally, name: str):
    versions = {pk: version for pk, version in households}
    order = list(versions)
    i = 0
    while time.perf_counter() < deadline:
        pk = order[i % len(order)]
        i += 1
        body = {"value": VALUES[i % len(VALUES)], "reason": f"{RUN} {name}-{i}", "version": versions[pk], "contact": ""}
        headers = {"HX-Request": "true", "X-CSRFToken": session.cookies.get("csrftoken", "")}
        start = time.perf_counter()
        try:
            response, content = session.request("POST", f"/households/{pk}/vote/", body, headers)
        except Exception as error:  # a refused or dropped connection is a failed request
            tally.latencies.append(time.perf_counter() - start)
            tally.outcomes["failed"] += 1
            tally.errors.append(repr(error))
            continue
        tally.latencies.append(time.perf_counter() - start)
        if response.status == 200 and "voteSaved" in (response.getheader("HX-Trigger") or ""):
            tally.outcomes["saved"] += 1
            tally.saved_by_household[pk] += 1
            versions[pk] += 1
        elif response.status == 200 and response.getheader("HX-Retarget"):
            tally.outcomes["stale"] += 1  # told, nothing written: the form carries the latest version
            found = VERSION_FIELD.search(content.decode())
            if found:
                versions[pk] = int(found.group(1))
        else:
            tally.outcomes["failed"] += 1
            tally.errors.append(f"{response.status} {content[:200]!r}")


def reader(session: Session, paths, deadline: float, tally: Tally):
    i = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            response, _content = session.request("GET", paths[i % len(paths)])
            ok = response.status == 200
        except Exception as error:
            ok = False
            tally.errors.append(repr(error))
        tally.latencies.append(time.perf_counter() - start)
        tally.outcomes["ok" if ok else "failed"] += 1
        i += 1


def prepare(clients: int, per_client: int):
    """Users with passwords, and for each client its own households (single-flat owners) with versions."""
    from django.db.models import Count

    from consultations.models import Vote
    from consultations.selectors import owner_key
    from retrofit.models import Role, User
    from units.models import Estate, Household, Stage, Street

    street = Street.objects.order_by("pk").first()
    communities = list(street.communities.order_by("pk"))
    users, plans = [], []
    by_community: dict[int, list[int]] = {}
    for community in communities:
        flats = list(
            Household.objects.filter(
                unit__building__estate__community=community, unit__stage__in=Stage.CONSULTING
            ).order_by("unit_id", "pk")
        )
        owners = Counter((h.unit_id, owner_key(h)) for h in flats)
        by_community[community.pk] = [h.pk for h in flats if owners[(h.unit_id, owner_key(h))] == 1]
    taken = Counter()
    for index in range(clients):
        community = communities[index % len(communities)]
        user, _created = User.objects.get_or_create(
            username=f"bench-staff-{index:02d}", defaults={"role": Role.COMMUNITY_STAFF, "community": community}
        )
        user.set_password(PASSWORD)
        user.save()
        users.append(user.username)
        pool = by_community[community.pk]
        start = taken[community.pk]
        mine = pool[start : start + per_client]
        taken[community.pk] += per_client
        plans.append(mine)
    versions = dict(Vote.objects.filter(household_id__in=[pk for p in plans for pk in p]).values_list("household_id", "version"))
    assignments = [[(pk, versions.get(pk, 0)) for pk in mine] for mine in plans]
    estates = list(
        Estate.objects.filter(community=communities[0]).annotate(n=Count("buildings")).order_by("pk").values_list("pk", flat=True)
    )
    reader_user, _created = User.objects.get_or_create(
        username="bench-reader", defaults={"role": Role.STREET_LEADER, "street": street}
    )
    reader_user.set_password(PASSWORD)
    reader_user.save()
    # The street dashboard recomputes every dropped tally of the street while the votes keep coming.
    paths = [f"/dashboard/street/{street.pk}/"] + [f"/estates/{pk}/" for pk in estates]
    return users, assignments, reader_user.username, paths


def server_env(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        RETROFIT_ENV="production",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        # Plain HTTP on loopback: no TLS proxy in front here.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    return env


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = server_env(port)
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    gunicorn = os.path.join(os.path.dirname(python), "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "retrofit.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(workers),
         "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()  # our own gunicorn master, by its pid: it stops its workers
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def verify(assignments, saved_by_household: Counter) -> dict:
    from consultations.models import UnitTally, Vote, VoteChange
    from consultations.selectors import consent_by_unit
    from units.models import Household, Unit

    changes = VoteChange.objects.filter(reason__startswith=f"{RUN} ").count()
    saved = sum(saved_by_household.values())
    versions = dict(Vote.objects.filter(household_id__in=[pk for a in assignments for pk, _v in a]).values_list("household_id", "version"))
    wrong = [
        (pk, before, saved_by_household[pk], versions.get(pk, 0))
        for a in assignments
        for pk, before in a
        if versions.get(pk, 0) != before + saved_by_household[pk]
    ]
    for line in wrong[:5]:
        log(f"version mismatch: household, before, saved, now = {line}")
    wrong_versions = len(wrong)
    unit_ids = set(Household.objects.filter(pk__in=[pk for a in assignments for pk, _v in a]).values_list("unit_id", flat=True))
    units = list(Unit.objects.for_listing().filter(pk__in=unit_ids))
    stored = {t.unit_id: t for t in UnitTally.objects.filter(unit_id__in=unit_ids)}
    live = consent_by_unit(units, live=True)
    stale = 0
    for unit_id, tally in stored.items():
        c = live[unit_id].consent
        if c is None or (tally.agree, tally.oppose, tally.participants, tally.undecided) != (
            c.agree, c.oppose, c.participants, c.undecided
        ):
            stale += 1
    return {"changes": changes, "saved": saved, "wrong_versions": wrong_versions, "tallies_checked": len(stored), "tally_stale": stale}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", default="db")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--per-client", type=int, default=40)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connections

    users, assignments, reader_name, paths = prepare(args.clients, args.per_client)
    connections.close_all()
    port = _free_port()
    server = start_server(port, args.workers)
    writes, reads = Tally(), Tally()
    try:
        # Every client logs in first; the clock starts when all are ready: the measure is vote recording.
        ready = threading.Barrier(args.clients + args.readers + 1, timeout=300)
        go = threading.Event()
        deadline = [0.0]

        def client(index: int | None):
            tally = writes if index is not None else reads
            try:
                session = Session(port)
                session.login(users[index] if index is not None else reader_name)
            except Exception as error:
                tally.errors.append(f"login failed: {error!r}")
                tally.outcomes["failed"] += 1
                ready.abort()
                return
            ready.wait()
            go.wait()
            if index is None:
                reader(session, paths, deadline[0], reads)
            else:
                writer(session, assignments[index], deadline[0], writes, f"{index:02d}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        threads += [threading.Thread(target=client, args=(None,)) for _ in range(args.readers)]
        for thread in threads:
            thread.start()
        ready.wait()
        started = time.perf_counter()
        deadline[0] = started + args.seconds
        go.set()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.perf_counter() - started
    finally:
        stop_server(server)
    checked = verify(assignments, writes.saved_by_household)
    total = sum(writes.outcomes.values())
    prefix = f"{args.prefix}.load"
    emit(f"{prefix}.clients", args.clients, "clients")
    emit(f"{prefix}.gunicorn_workers", args.workers, "workers")
    emit(f"{prefix}.seconds", elapsed, "s")
    emit(f"{prefix}.requests", total, "requests")
    emit(f"{prefix}.throughput", total / elapsed, "req/s")
    emit(f"{prefix}.p50", median(writes.latencies) * 1000, "ms")
    emit(f"{prefix}.p95", p95(writes.latencies) * 1000, "ms")
    emit(f"{prefix}.saved", writes.outcomes["saved"], "requests")
    emit(f"{prefix}.stale_refused", writes.outcomes["stale"], "requests")
    emit(f"{prefix}.failed", writes.outcomes["failed"] + reads.outcomes["failed"], "requests")
    emit(f"{prefix}.vote_changes_written", checked["changes"], "rows")
    emit(f"{prefix}.lost_or_doubled", abs(checked["changes"] - checked["saved"]), "rows")
    emit(f"{prefix}.wrong_versions", checked["wrong_versions"], "households")
    emit(f"{prefix}.readers_requests", sum(reads.outcomes.values()), "requests")
    emit(f"{prefix}.readers_p95", p95(reads.latencies) * 1000 if reads.latencies else 0.0, "ms")
    emit(f"{prefix}.stale_tallies", checked["tally_stale"], f"of_{checked['tallies_checked']}_units")
    for error in (writes.errors + reads.errors)[:5]:
        log(f"error: {error}")


if __name__ == "__main__":
    main()
