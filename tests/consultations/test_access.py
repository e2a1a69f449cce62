"""Every consultation page, every role: anonymous → login, outside the scope → 404, read-only → 403 on writes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consultations import services
from tests.factories import READS_THE_UNIT as SCOPE


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = world.users["staff"]
    today = timezone.localdate()
    r = services.round_open(unit=world.unit, deadline=today, channels=["notice"], by=staff)
    contact = services.contact_log(
        household=world.flats[9], channel="visit", outcome="form_signed", by=staff,
        opinion_form=SimpleUploadedFile("f.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    meeting = services.meeting_save(street=world.street, community=world.community, kind="regular", held_on=today,
                                    units=[world.unit], by=staff)
    item = services.action_item_add(meeting=meeting, text="x", owner=staff, due_on=today, by=staff)
    notice = services.notice_start(unit=world.unit, draft_signed_on=today, starts_on=today, plan_summary="方案", by=staff)
    objection = services.objection_log(notice=notice, objector="李四", received_on=today, content="x", by=staff)
    return {"round": r, "contact": contact, "meeting": meeting, "item": item, "notice": notice, "objection": objection}


def _pages(world, o):
    h, u = world.flats[9], world.unit
    reads = {
        "visits_home": reverse("visits_home"),
        "community_visits": reverse("community_visits", args=[world.community.pk]),
        "community_visits_print": reverse("community_visits_print", args=[world.community.pk]),
        "unit_visits": reverse("unit_visits", args=[u.pk]),
        "unit_visits_print": reverse("unit_visits_print", args=[u.pk]),
        "notice_print": reverse("notice_print", args=[o["notice"].pk]),
        "meeting_list": reverse("meeting_list"),
        "meeting_detail": reverse("meeting_detail", args=[o["meeting"].pk]),
        "my_action_items": reverse("my_action_items"),
        "community_support": reverse("community_support", args=[world.community.pk]),
        "estate_support": reverse("estate_support", args=[world.estate.pk]),
    }
    writes = {
        "contact_new": reverse("contact_new", args=[h.pk]),
        "contact_opinion_form": reverse("contact_opinion_form", args=[o["contact"].pk]),
        "holdout_edit": reverse("holdout_edit", args=[h.pk]),
        "round_edit": reverse("round_edit", args=[o["round"].pk]),
        "round_hold": reverse("round_hold", args=[o["round"].pk]),
        "round_resume": reverse("round_resume", args=[o["round"].pk]),
        "notice_edit": reverse("notice_edit", args=[o["notice"].pk]),
        "objection_new": reverse("objection_new", args=[o["notice"].pk]),
        "objection_settle": reverse("objection_settle", args=[o["objection"].pk]),
        "meeting_edit": reverse("meeting_edit", args=[o["meeting"].pk]),
    }
    return reads, writes


def test_anonymous_is_sent_to_login_everywhere(client, world, objects):
    reads, writes = _pages(world, objects)
    for name, url in {**reads, **writes}.items():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


# SCOPE: world.unit's pages (READS_THE_UNIT); the community-wide ones follow the same rule.
ALWAYS = {"visits_home", "meeting_list", "my_action_items"}  # lists of whatever is in the user's scope


@pytest.mark.parametrize("role", list(SCOPE))
def test_read_pages_by_role(client, world, objects, role):
    client.force_login(world.users[role])
    reads, _writes = _pages(world, objects)
    for name, url in reads.items():
        expected = 200 if name in ALWAYS else SCOPE[role]
        status = client.get(url).status_code
        if name == "visits_home" and status == 302:
            status = 200  # sent on to their community's list
        assert status == expected, name


@pytest.mark.parametrize("role", list(SCOPE))
def test_write_pages_by_role(client, world, objects, role):
    client.force_login(world.users[role])
    _reads, writes = _pages(world, objects)
    read_only = role in ("viewer", "unit_leader")
    for name, url in writes.items():
        expected = {200: 403 if read_only else 200, 404: 404}[SCOPE[role]]
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("role", ["viewer", "unit_leader"])
def test_read_only_roles_cannot_post_anywhere(client, world, objects, role):
    client.force_login(world.users[role])
    _reads, writes = _pages(world, objects)
    posts = {**writes, "round_close": reverse("round_close", args=[objects["round"].pk]),
             "meeting_new": reverse("meeting_new"), "round_open": reverse("round_open", args=[world.sibling_unit.pk]),
             "action_item_new": reverse("action_item_new", args=[objects["meeting"].pk])}
    for name, url in posts.items():
        assert client.post(url, {}).status_code in (403, 404), name
