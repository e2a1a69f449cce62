"""Saves sent from a phone with a key (services/client_saves.py): once per key, at the phone's time, by the
logged-in user; someone else's key is refused."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import ClientSave, Contact, Vote, VoteChange
from consultations.services.client_saves import SAVE_TOO_OLD, save_once

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _vote(client, flat, key, **fields):
    data = {"value": "agree", "reason": "", "version": 1, "client_key": key, **fields}
    return client.post(reverse("household_vote", args=[flat.pk]), data, **HTMX)


def test_the_same_key_twice_records_one_vote_and_one_history_row(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]  # undecided, version 1
    key = str(uuid.uuid4())
    first = _vote(client, flat, key, reason="子女劝说后同意")
    again = _vote(client, flat, key, reason="子女劝说后同意")  # the retry: same key, same (now old) version
    assert first.status_code == again.status_code == 200
    assert first["HX-Trigger"] == again["HX-Trigger"] == "voteSaved"
    assert first["X-Vote-Version"] == again["X-Vote-Version"] == "2"
    assert VoteChange.objects.filter(household=flat).count() == 1
    assert Vote.objects.get(household=flat).version == 2
    saved = ClientSave.objects.get(key=key)
    assert (saved.kind, saved.household, saved.user) == ("vote", flat, world.users["staff"])


def test_without_a_key_the_second_save_of_an_old_version_is_stale_as_before(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    assert _vote(client, flat, "")["HX-Trigger"] == "voteSaved"
    stale = _vote(client, flat, "", value="oppose")
    assert "HX-Trigger" not in stale and "data-stale" in stale.content.decode()
    assert VoteChange.objects.filter(household=flat).count() == 1


def test_another_users_key_cannot_replay_their_save(client, world):
    flat = world.flats[9]
    key = str(uuid.uuid4())
    client.force_login(world.users["staff"])
    _vote(client, flat, key)
    client.force_login(world.users["leader"])
    replay = _vote(client, flat, key, value="oppose", version=2)
    assert replay.status_code == 422
    assert "HX-Trigger" not in replay
    assert "another save" in replay.content.decode() or "另一" in replay.content.decode()
    assert Vote.objects.get(household=flat).value == "agree"
    assert VoteChange.objects.filter(household=flat).count() == 1
    assert ClientSave.objects.get(key=key).user == world.users["staff"]


def test_a_key_is_the_households_it_was_first_sent_for(client, world):
    client.force_login(world.users["staff"])
    key = str(uuid.uuid4())
    _vote(client, world.flats[9], key)
    other = _vote(client, world.flats[10], key)
    assert other.status_code == 422
    assert not VoteChange.objects.filter(household=world.flats[10]).exists()


def test_a_refused_save_leaves_its_key_free_to_send_again(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    key = str(uuid.uuid4())
    assert _vote(client, flat, key, reason="x" * 501).status_code == 422
    assert not ClientSave.objects.filter(key=key).exists()
    assert _vote(client, flat, key)["HX-Trigger"] == "voteSaved"
    assert VoteChange.objects.filter(household=flat).count() == 1


def test_a_key_the_phone_does_not_make_is_refused(client, world):
    client.force_login(world.users["staff"])
    assert _vote(client, world.flats[9], "x';--").status_code == 422
    assert not VoteChange.objects.filter(household=world.flats[9]).exists()


def test_a_vote_kept_on_the_phone_is_recorded_at_the_time_it_was_taken(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    taken = timezone.now() - timedelta(hours=3)
    _vote(client, flat, str(uuid.uuid4()), saved_at=taken.isoformat())
    change = VoteChange.objects.get(household=flat)
    assert change.changed_at == taken.replace(microsecond=taken.microsecond)
    assert Vote.objects.get(household=flat).recorded_at == taken
    assert change.changed_by == world.users["staff"]


def test_a_phone_time_in_the_future_is_taken_as_now(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    _vote(client, flat, str(uuid.uuid4()), saved_at=(timezone.now() + timedelta(hours=2)).isoformat())
    assert VoteChange.objects.get(household=flat).changed_at <= timezone.now()


def test_a_save_older_than_seven_days_is_refused(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    response = _vote(client, flat, str(uuid.uuid4()), saved_at=(timezone.now() - timedelta(days=8)).isoformat())
    assert response.status_code == 422
    assert not VoteChange.objects.filter(household=flat).exists()
    assert str(SAVE_TOO_OLD)[:10] in response.content.decode() or "7" in response.content.decode()


def test_a_phone_time_before_the_last_vote_keeps_the_history_in_order(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    _vote(client, flat, str(uuid.uuid4()))
    _vote(client, flat, str(uuid.uuid4()), value="oppose", version=2,
          saved_at=(timezone.now() - timedelta(days=1)).isoformat())
    first, second = VoteChange.objects.filter(household=flat).order_by("id")
    assert second.after == "oppose" and second.changed_at >= first.changed_at


def test_the_same_visit_twice_is_logged_once_at_the_phones_time(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    taken = timezone.now() - timedelta(minutes=40)
    data = {"channel": "visit", "outcome": "talked", "vote": "agree", "note": "同意", "client_key": str(uuid.uuid4()),
            "saved_at": taken.isoformat()}
    url = reverse("contact_new", args=[flat.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    contact = Contact.objects.get(household=flat)
    assert (contact.contacted_at, contact.made_by) == (taken, world.users["staff"])
    assert VoteChange.objects.filter(household=flat).count() == 1


def test_save_once_writes_once_per_key(world):
    staff, flat = world.users["staff"], world.flats[9]
    key = str(uuid.uuid4())
    writes = []
    assert save_once(key=key, kind="vote", household=flat, by=staff, saved_at=None, write=lambda: writes.append(1)) == (None, False)
    assert save_once(key=key, kind="vote", household=flat, by=staff, saved_at=None, write=lambda: writes.append(1)) == (None, True)
    assert writes == [1]


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert 'importScripts("/static/js/sw.js")' in body
    assert '"/static/js/offline.js"' in body and '"/offline/"' in body


def test_the_page_of_waiting_saves_is_for_those_who_see_the_roster(client, world):
    assert client.get(reverse("offline_queue")).status_code == 302
    client.force_login(world.users["staff"])
    body = client.get(reverse("offline_queue")).content.decode()
    assert "data-offline-queue" in body and 'id="offline-item"' in body
