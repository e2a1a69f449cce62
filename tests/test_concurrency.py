"""Two people saving the same vote, signature or plan at once: the second is told, nothing is overwritten.

The races need two real database connections: each test runs its writers in threads (every thread has
its own Django connection) against a transactional test database, on PostgreSQL only. SQLite lets one
writer at a time into the database (BEGIN IMMEDIATE, retrofit/settings.py), so there the same
guarantees come from the version checks alone, which the double-click tests check on both databases.

Most races are made deterministic: the first writer holds its transaction open after writing, the
second is started and must wait (it is still running after a pause), then the first commits and the
second must be refused.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import UnitTally, Vote, VoteChange
from consultations.selectors import consent_by_unit
from consultations.services import STALE_VOTE, StaleVote, contact_log, vote_record
from units import contracts, plans
from units.models import ContractChange, Household, Plan, Signature, SignatureStatus, Stage, Unit

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two concurrent writers need PostgreSQL: SQLite admits one writer at a time "
    "(run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/retrofit)",
)
WAIT = 10  # seconds: a bound on every wait, so a broken lock fails the test instead of hanging it


class Writer(threading.Thread):
    """Runs ``work`` on its own connection. With ``hold``, keeps its transaction open until ``commit()``."""

    def __init__(self, work, *, hold: bool = False, barrier: threading.Barrier | None = None):
        super().__init__(daemon=True)
        self.work, self.hold, self.barrier = work, hold, barrier
        self.written, self.release = threading.Event(), threading.Event()
        self.result = self.error = None

    def run(self):
        try:
            if self.barrier is not None:
                self.barrier.wait(WAIT)
            with transaction.atomic():
                self.result = self.work()
                self.written.set()
                if self.hold:
                    self.release.wait(WAIT)
        except Exception as error:
            self.error = error
        finally:
            self.written.set()
            connections.close_all()

    def commit(self):
        self.release.set()
        self.join(WAIT)


def first_then_second(first_work, second_work):
    """The first writes and holds; the second must wait for it; then the first commits. Returns both."""
    first = Writer(first_work, hold=True)
    first.start()
    assert first.written.wait(WAIT) and first.error is None, first.error
    second = Writer(second_work)
    second.start()
    time.sleep(0.3)
    assert second.is_alive(), "the second writer did not wait for the first one's lock"
    first.commit()
    second.join(WAIT)
    assert not first.is_alive() and not second.is_alive()
    return first, second


def at_once(works):
    """Every writer starts on the same instant; waits for all of them, none may be stuck. Returns them."""
    barrier = threading.Barrier(len(works))
    writers = [Writer(work, barrier=barrier) for work in works]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(WAIT)
    assert not any(w.is_alive() for w in writers), "a writer is stuck"
    return writers


def fresh(model, pk):
    """The object as the second editor's form loaded it: its own copy, read before anyone saved."""
    return model.objects.get(pk=pk)


# --- votes --------------------------------------------------------------------------------------------


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_vote_one_wins_the_other_is_told(world):
    flat = world.flats[9]  # undecided
    seen = Vote.objects.get(household=flat).version
    staff, leader = world.users["staff"], world.users["leader"]
    first, second = first_then_second(
        lambda: vote_record(household=fresh(Household, flat.pk), value="agree", by=staff, expected_version=seen),
        lambda: vote_record(household=fresh(Household, flat.pk), value="oppose", by=leader, expected_version=seen),
    )
    assert first.error is None and isinstance(second.error, StaleVote)
    vote = Vote.objects.get(household=flat)
    assert (vote.value, vote.version, vote.recorded_by_id) == ("agree", seen + 1, staff.pk)
    assert list(VoteChange.objects.filter(household=flat).values_list("after", "changed_by")) == [("agree", staff.pk)]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_four_people_clicking_save_at_the_same_instant_make_one_change(world):
    flat = world.flats[10]
    seen = Vote.objects.get(household=flat).version
    values = ("agree", "oppose", "abstain", "unreachable")
    writers = at_once(
        [
            lambda value=value: vote_record(
                household=fresh(Household, flat.pk), value=value, by=world.users["staff"], expected_version=seen
            )
            for value in values
        ]
    )
    outcomes = sorted(type(w.error).__name__ if w.error else "saved" for w in writers)
    assert outcomes == ["StaleVote", "StaleVote", "StaleVote", "saved"]
    winner = next(value for value, w in zip(values, writers, strict=True) if w.error is None)
    vote = Vote.objects.get(household=flat)
    assert (vote.value, vote.version) == (winner, seen + 1)
    assert list(VoteChange.objects.filter(household=flat).values_list("after", flat=True)) == [winner]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_tally_read_while_a_vote_is_being_saved_is_never_stored_stale(world):
    # The reader finds no stored tally and computes one while a vote in the unit is written but not yet
    # committed. It must wait for that commit; else it would store the old count after the writer had
    # already dropped the tally, and the dashboard would show it until the next change.
    unit = Unit.objects.for_listing().get(pk=world.unit.pk)
    flat = world.flats[9]
    seen = Vote.objects.get(household=flat).version
    UnitTally.objects.filter(unit=unit).delete()
    first, second = first_then_second(
        lambda: vote_record(household=fresh(Household, flat.pk), value="agree", by=world.users["staff"], expected_version=seen),
        lambda: consent_by_unit(Unit.objects.for_listing().filter(pk=unit.pk))[unit.pk].consent.agree,
    )
    assert first.error is None and second.error is None
    assert second.result == 9  # it waited, and counted the new vote
    stored = UnitTally.objects.get(unit=unit)
    assert stored.agree == consent_by_unit([unit], live=True)[unit.pk].consent.agree == 9


def _one_owner_two_flats(world):
    """Flats 601 and 602 (both undecided) made one owner's: same name, same phone."""
    first, second = world.flats[9], world.flats[10]
    Household.objects.filter(pk=second.pk).update(owner_name=first.owner_name, phone=first.phone)
    return first, second


def _two_new_votes(flats) -> tuple[str, str]:
    """Two different votes, both unlike the owner's current one (saving the same vote again writes nothing)."""
    current = Vote.objects.get(household=flats[0]).value
    first, second, *_rest = [v for v in ("agree", "oppose", "abstain", "unreachable") if v != current]
    return first, second


def _slowly(work):
    """Run ``work`` with every statement of this thread's connection a little late, so that two writers
    interleave statement by statement (as 80 phones saving at once do) instead of one finishing first."""

    def late(execute, sql, params, many, context):
        time.sleep(0.03)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(late):
        return work()


def _both_flats_at_once(world, flats, values, write):
    """The staff and the leader each ``write(household, value, by)`` one of the flats (as their forms
    loaded it) at the same instant, statement by statement interleaved. Returns the two writers."""
    return at_once(
        [
            lambda flat=flat, value=value, by=by: _slowly(lambda: write(fresh(Household, flat.pk), value, by))
            for flat, value, by in zip(flats, values, (world.users["staff"], world.users["leader"]), strict=True)
        ]
    )


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_flats_of_one_owner_saved_at_once_one_wins_the_other_is_told_never_a_deadlock(world):
    # Each editor opened a different flat of the same owner; the owner casts one vote for both flats, so
    # both saves touch both flats. Whatever the order, they must queue, not lock each other out.
    flats = _one_owner_two_flats(world)
    for _round in range(3):
        seen = {flat.pk: Vote.objects.get(household=flat).version for flat in flats}
        values = _two_new_votes(flats)

        def save(household, value, by, seen=seen):
            return vote_record(household=household, value=value, by=by, expected_version=seen[household.pk])

        writers = _both_flats_at_once(world, flats, values, save)
        outcomes = sorted(type(w.error).__name__ if w.error else "saved" for w in writers)
        assert outcomes == ["StaleVote", "saved"], [repr(w.error) for w in writers]
        winner = next(value for value, w in zip(values, writers, strict=True) if w.error is None)
        votes = Vote.objects.filter(household__in=flats).order_by("household_id")
        assert [(v.value, v.version) for v in votes] == [(winner, seen[v.household_id] + 1) for v in votes]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_visits_logging_a_vote_on_two_flats_of_one_owner_at_once_both_land(world):
    # A logged contact cites the flat it was made with; the vote given in it is the owner's, for both flats.
    flats = _one_owner_two_flats(world)
    for _round in range(3):
        values = _two_new_votes(flats)
        writers = _both_flats_at_once(
            world,
            flats,
            values,
            lambda household, value, by: contact_log(
                household=household, channel="phone", outcome="talked", by=by, vote=value
            ),
        )
        assert [w.error for w in writers] == [None, None]
        assert len({v.value for v in Vote.objects.filter(household__in=flats)}) == 1


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_phones_saving_two_flats_of_one_owner_get_a_page_and_the_stale_form_never_a_500(world):
    flats = _one_owner_two_flats(world)
    clients = []
    for username in ("staff", "leader"):
        client = Client(raise_request_exception=False)  # a crash answers 500, as it would on the phone
        client.force_login(world.users[username])
        clients.append(client)
    for _round in range(3):
        seen = {flat.pk: Vote.objects.get(household=flat).version for flat in flats}
        values = _two_new_votes(flats)
        barrier = threading.Barrier(2)
        responses = {}

        def post(client, flat, value, barrier=barrier, seen=seen, responses=responses):
            try:
                barrier.wait(WAIT)
                url = reverse("household_vote", args=[flat.pk])
                data = {"value": value, "reason": "", "version": seen[flat.pk]}
                responses[flat.pk] = _slowly(lambda: client.post(url, data, HTTP_HX_REQUEST="true"))
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=post, args=args, daemon=True)
            for args in zip(clients, flats, values, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
        codes = sorted(response.status_code for response in responses.values())
        assert codes == [200, 200], codes
        saved = [r for r in responses.values() if "voteSaved" in r.get("HX-Trigger", "")]
        stale = [r for r in responses.values() if r.has_header("HX-Retarget")]
        assert len(saved) == len(stale) == 1
        assert str(STALE_VOTE) in stale[0].content.decode()
        votes = Vote.objects.filter(household__in=flats).order_by("household_id")
        assert len({v.value for v in votes}) == 1  # the owner's flats never disagree
        assert [v.version for v in votes] == [seen[v.household_id] + 1 for v in votes]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_same_save_sent_twice_at_once_from_a_phone_makes_one_change_and_both_are_answered_saved(world):
    """A save kept on the phone, sent by two tabs (or a retry) at the same instant with one key: the second
    waits on the key, then is answered as the first was (services/client_saves.py)."""
    flat = world.flats[9]
    client = Client(raise_request_exception=False)
    client.force_login(world.users["staff"])
    url = reverse("household_vote", args=[flat.pk])
    data = {"value": "agree", "reason": "", "version": Vote.objects.get(household=flat).version,
            "client_key": "0b7f3f6e-3c1d-4c55-9a43-5f1f0d3f6a21"}
    barrier = threading.Barrier(2)
    responses = []

    def post():
        try:
            barrier.wait(WAIT)
            responses.append(_slowly(lambda: client.post(url, data, HTTP_HX_REQUEST="true")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert [r.status_code for r in responses] == [200, 200]
    assert all("voteSaved" in r.get("HX-Trigger", "") for r in responses)
    assert VoteChange.objects.filter(household=flat).count() == 1
    assert Vote.objects.get(household=flat).version == data["version"] + 1


# --- signatures ---------------------------------------------------------------------------------------


def _contract(world):
    households = list(Household.objects.filter(unit=world.unit).order_by("-floor", "room"))
    draft = plans.draft_for(world.unit, households)
    draft.total_cost = Decimal("600000")
    plans.plan_save(unit=world.unit, draft=draft, by=None)
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.SIGNING)
    world.unit.refresh_from_db()
    return contracts.contract_start(unit=world.unit, by=world.users["staff"])


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_signature_one_wins_the_other_is_told(world):
    contract = _contract(world)
    signature = contract.signatures.select_related("household").get(household__room="602")
    seen = contracts.signature_token(signature)
    today = timezone.localdate()
    first, second = first_then_second(
        lambda: contracts.signature_set(
            signature=fresh(Signature, signature.pk), status=SignatureStatus.SIGNED, signed_on=today,
            by=world.users["staff"], expected=seen,
        ),
        lambda: contracts.signature_set(
            signature=fresh(Signature, signature.pk), status=SignatureStatus.REFUSED, signed_on=today,
            by=world.users["leader"], expected=seen,
        ),
    )
    assert first.error is None and isinstance(second.error, contracts.StaleSignature)
    stored = Signature.objects.get(pk=signature.pk)
    assert (stored.status, stored.signed_on) == (SignatureStatus.SIGNED, today)
    changes = ContractChange.objects.filter(contract=contract, field="signature", household=signature.household)
    assert list(changes.values_list("changed_by", flat=True)) == [world.users["staff"].pk]


# --- plans --------------------------------------------------------------------------------------------


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_a_plan_from_the_same_version_the_second_is_refused(world):
    households = list(Household.objects.filter(unit=world.unit).order_by("-floor", "room"))

    def save(total):
        draft = plans.draft_for(world.unit, households)
        draft.total_cost = Decimal(total)
        return plans.plan_save(unit=fresh(Unit, world.unit.pk), draft=draft, by=world.users["staff"], base_version=1)

    plans.plan_save(unit=world.unit, draft=plans.draft_for(world.unit, households), by=None)  # version 1
    first, second = first_then_second(lambda: save("620000"), lambda: save("650000"))
    assert first.error is None and isinstance(second.error, plans.StalePlan)
    assert list(Plan.objects.filter(unit=world.unit).order_by("version").values_list("version", "total_cost")) == [
        (1, Decimal("0.00")),
        (2, Decimal("620000.00")),
    ]


# --- a double click, on both databases ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "bottom-sheet"])
def test_a_double_click_on_the_vote_form_records_one_change(client, world, htmx):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    data = {"value": "agree", "reason": "", "version": Vote.objects.get(household=flat).version}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("household_vote", args=[flat.pk])
    first = client.post(url, data, **headers)
    second = client.post(url, data, **headers)
    if htmx:
        assert "voteSaved" in first["HX-Trigger"] and second.has_header("HX-Retarget")
    else:
        assert (first.status_code, second.status_code) == (302, 200)
    assert VoteChange.objects.filter(household=flat).count() == 1
    assert Vote.objects.get(household=flat).version == data["version"] + 1


@pytest.mark.django_db
def test_a_double_click_or_a_stale_form_on_a_signature_records_one_change(client, world):
    contract = _contract(world)
    signature = contract.signatures.select_related("household").get(household__room="602")
    client.force_login(world.users["staff"])
    url = reverse("signature_update", args=[world.unit.pk, signature.household_id])
    data = {"status": "signed", "seen": contracts.signature_token(signature)}
    client.post(url, data, HTTP_HX_REQUEST="true")
    client.post(url, data, HTTP_HX_REQUEST="true")  # the double click
    stale = client.post(url, {**data, "status": "refused"}, HTTP_HX_REQUEST="true")  # a form drawn before the save
    assert stale.status_code == 422 and 'class="plan-error"' in stale.content.decode()  # the row says why
    assert Signature.objects.get(pk=signature.pk).status == SignatureStatus.SIGNED
    assert ContractChange.objects.filter(contract=contract, field="signature").count() == 1
    # The page carries the latest token: saving from it works.
    fresh_token = contracts.signature_token(Signature.objects.get(pk=signature.pk))
    assert f'value="{fresh_token}"' in stale.content.decode()
    client.post(url, {"status": "refused", "seen": fresh_token}, HTTP_HX_REQUEST="true")
    assert Signature.objects.get(pk=signature.pk).status == SignatureStatus.REFUSED


@pytest.mark.django_db
def test_a_double_click_on_the_plan_form_saves_one_version(client, world):
    client.force_login(world.users["staff"])
    data = {"entry_type": "flat", "stops": "6", "total_cost": "600000", "subsidy": "", "method": "floor", "base_version": ""}
    data.update({f"coef_{f}": str(v) for f, v in world.unit.street.coefficients_for(world.unit.building.floors).items()})
    url = reverse("unit_plan", args=[world.unit.pk])
    client.post(url, data)
    second = client.post(url, data, follow=True)  # refused as stale: back to the page, with a warning
    assert [m.level_tag for m in second.context["messages"]] == ["success", "warning"]
    assert Plan.objects.filter(unit=world.unit).count() == 1


# --- a conflict the database itself reports, on both databases ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "bottom-sheet"])
def test_a_deadlock_reported_by_the_database_shows_the_stale_form_not_a_500(client, world, htmx, monkeypatch):
    import psycopg.errors
    from django.db import OperationalError

    def deadlocked(**kwargs):
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        except psycopg.errors.DeadlockDetected as cause:
            raise OperationalError("deadlock detected") from cause

    monkeypatch.setattr("consultations.views.votes.vote_record", deadlocked)
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    version = Vote.objects.get(household=flat).version
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(reverse("household_vote", args=[flat.pk]), {"value": "agree", "version": version}, **headers)
    assert response.status_code == 200
    assert str(STALE_VOTE) in response.content.decode()
    assert f'value="{version}"' in response.content.decode()  # the form reloaded with the latest vote
    assert Vote.objects.get(household=flat).value == "undecided"
