"""Junk ids on the pages where they used to crash: each answers what a user would see."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Meeting
from units.models import Stage, Unit

# --- the pages where junk used to crash, each with the answer a user sees ------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "²", "99999999999999999999", "-1", "\x00"])
def test_junk_ids_in_filters_and_prefills_are_ignored(login, world, junk):
    leader = login(world.users["leader"])
    # The dashboard's community and estate filters: the whole street, as without a filter.
    response = leader.get(reverse("dashboard", args=["street", world.street.pk]), {"community": junk, "estate": junk})
    assert response.status_code == 200 and response.context["filters"]["community"] == ""
    assert len(response.context["rows"]) == 2
    # A progress workbook with the same filters holds what the page showed.
    assert leader.get(reverse("progress_workbook", args=["street", world.street.pk]), {"community": junk}).status_code == 200
    staff = login(world.users["staff"])
    # The new-meeting form prefilled for a unit: no unit to prefill.
    response = staff.get(reverse("meeting_new"), {"unit": junk, "kind": "qa"})
    assert response.status_code == 200 and not response.context["form"].initial.get("units")
    # The community's public contact, reached from a unit page: no way back to a unit.
    response = staff.get(reverse("community_contact_edit", args=[world.community.pk]), {"unit": junk})
    assert response.status_code == 200
    # The consent forms of a unit, one household asked for: every household's page.
    response = staff.get(reverse("unit_consent_form", args=[world.unit.pk]), {"household": junk})
    assert response.status_code == 200 and len(response.context["households"]) == 12


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "²", "99999999999999999999", ""])
def test_household_codes_for_a_junk_household_ask_to_choose_one(login, world, junk):
    staff = login(world.users["staff"])
    response = staff.post(reverse("household_codes_issue", args=[world.unit.pk]), {"household": junk}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["请选择住户。"]


@pytest.mark.django_db
def test_a_junk_plan_version_is_no_such_version(login, world):
    staff = login(world.users["staff"])
    for junk in ("abc", "²", "99999999999999999999"):
        assert staff.get(reverse("unit_plan", args=[world.unit.pk]), {"version": junk}).status_code == 404


@pytest.mark.django_db
def test_a_move_to_no_stage_is_refused_in_words(login, world):
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.CONSULTATION)
    staff = login(world.users["staff"])
    response = staff.post(reverse("unit_move", args=[world.unit.pk]), {"after": "abc", "reason": "x"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["单元不能从“意愿征询”转入“未知阶段”。"]
    assert Unit.objects.get(pk=world.unit.pk).stage == Stage.CONSULTATION


@pytest.mark.django_db
def test_a_meeting_naming_a_unit_id_no_database_holds_is_a_form_error(login, world):
    staff = login(world.users["staff"])
    data = {"kind": "regular", "community": world.community.pk, "held_on": "2025-03-01", "units": ["99999999999999999999"]}
    response = staff.post(reverse("meeting_new"), data)
    assert response.status_code == 422 and "units" in response.context["form"].errors
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_a_next_that_is_not_a_path_goes_back_to_the_meeting(login, world):
    staff = login(world.users["staff"])
    meeting = services.meeting_save(
        street=world.street, community=world.community, kind="regular", held_on=timezone.localdate(), by=world.users["staff"]
    )
    item = services.action_item_add(
        meeting=meeting, text="量井道", owner=world.users["staff"], due_on=timezone.localdate(), by=world.users["staff"]
    )
    for junk in ("abc", "²", "99999999999999999999"):
        response = staff.post(reverse("action_item_done", args=[item.pk]), {"done": "1", "next": junk})
        assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
