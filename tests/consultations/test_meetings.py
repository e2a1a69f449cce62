"""Meetings of the leadership group and of residents, their action items, and who sees what."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import ActionItem, Meeting


def _meeting(world, **kwargs):
    args = {
        "street": world.street,
        "community": world.community,
        "kind": "coordination",
        "held_on": timezone.localdate(),
        "place": "街道办三楼会议室",
        "attendees": "王书记、李主任、居民代表",
        "minutes": "研究 1 栋 1 单元反对户问题",
        "decisions": "由社区牵头入户",
        "units": [world.unit],
        "by": world.users["leader"],
    }
    args.update(kwargs)
    return services.meeting_save(**args)


def test_a_meeting_records_date_place_attendees_minutes_decisions_and_units(world):
    meeting = _meeting(world)
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.place, meeting.decisions) == ("coordination", "街道办三楼会议室", "由社区牵头入户")
    assert list(meeting.units.all()) == [world.unit]
    assert meeting.is_leadership


def test_units_and_communities_must_lie_in_the_meetings_street(world):
    with pytest.raises(ValidationError):
        _meeting(world, units=[world.far_unit])
    with pytest.raises(ValidationError):
        _meeting(world, community=world.far)
    with pytest.raises(ValidationError):
        _meeting(world, units=[world.sibling_unit])  # another community of the street


def test_an_on_site_qa_must_be_held_by_the_rounds_deadline(world):
    deadline = timezone.localdate() + timedelta(days=5)
    services.round_open(unit=world.unit, deadline=deadline, channels=["notice"], by=world.users["staff"])
    with pytest.raises(ValidationError) as refused:
        _meeting(world, kind="qa", held_on=deadline + timedelta(days=1))
    assert "%(unit)s" not in refused.value.messages[0]
    assert _meeting(world, kind="qa", held_on=deadline).kind == "qa"  # the deadline itself is fine


def test_action_items_have_an_owner_from_the_street_and_a_done_flag(world):
    meeting = _meeting(world)
    due = timezone.localdate() + timedelta(days=3)
    item = services.action_item_add(
        meeting=meeting, text="联系电梯公司出方案", owner=world.users["staff"], due_on=due, units=[world.unit],
        by=world.users["leader"],
    )
    assert (item.owner, item.due_on, item.done, list(item.units.all())) == (world.users["staff"], due, False, [world.unit])
    services.action_item_set_done(item=item, done=True, by=world.users["staff"])
    assert item.done and item.done_at is not None and item.done_by == world.users["staff"]
    services.action_item_set_done(item=item, done=False, by=world.users["staff"])
    assert (item.done, item.done_at) == (False, None)
    with pytest.raises(ValidationError):
        services.action_item_add(
            meeting=meeting, text="x", owner=world.users["outsider"], due_on=due, by=world.users["leader"]
        )
    # A unit leader of the street may own an item (e.g. collecting opinion forms in their stairwell).
    services.action_item_add(meeting=meeting, text="收意见表", owner=world.users["unit_leader"], due_on=due, by=world.users["leader"])


MEETING_SEEN = {
    "leader": True, "staff": True, "sibling_staff": False, "unit_leader": True, "viewer": True, "outsider": False,
}


@pytest.mark.parametrize("role", list(MEETING_SEEN))
def test_who_sees_a_community_meeting(client, world, role):
    meeting = _meeting(world)
    client.force_login(world.users[role])
    status = client.get(reverse("meeting_detail", args=[meeting.pk])).status_code
    assert status == (200 if MEETING_SEEN[role] else 404)
    listed = client.get(reverse("meeting_list")).context["upcoming"]
    assert (meeting in listed) is MEETING_SEEN[role]


def test_community_staff_see_street_wide_meetings_but_cannot_change_them(client, world):
    meeting = _meeting(world, community=None, units=[])
    client.force_login(world.users["sibling_staff"])
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("meeting_edit", args=[meeting.pk]), {}).status_code == 403
    client.force_login(world.users["unit_leader"])
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404  # not about their unit


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader", 302), ("staff", 302), ("unit_leader", 403), ("viewer", 403)],
)
def test_new_meeting_page_by_role(client, world, role, status):
    client.force_login(world.users[role])
    data = {"kind": "yard", "community": world.community.pk, "held_on": timezone.localdate().isoformat(),
            "place": "3 栋楼下", "units": [world.unit.pk]}
    assert client.post(reverse("meeting_new"), data).status_code == status
    assert Meeting.objects.exists() is (status == 302)
    if status == 302:
        meeting = Meeting.objects.get()
        assert (meeting.street, meeting.community, meeting.created_by) == (world.street, world.community, world.users[role])


def test_staff_cannot_hold_a_meeting_for_another_community_or_link_units_outside_scope(client, world):
    client.force_login(world.users["staff"])
    data = {"kind": "yard", "community": world.sibling.pk, "held_on": timezone.localdate().isoformat()}
    assert client.post(reverse("meeting_new"), data).status_code == 422  # form error, nothing saved
    data = {"kind": "yard", "community": world.community.pk, "held_on": timezone.localdate().isoformat(),
            "units": [world.sibling_unit.pk]}
    assert client.post(reverse("meeting_new"), data).status_code == 422
    assert not Meeting.objects.exists()


def test_the_qa_form_is_prefilled_from_the_unit(client, world):
    deadline = timezone.localdate() + timedelta(days=4)
    services.round_open(unit=world.unit, deadline=deadline, channels=["notice"], by=world.users["staff"])
    client.force_login(world.users["staff"])
    response = client.get(reverse("meeting_new") + f"?kind=qa&unit={world.unit.pk}")
    initial = response.context["form"].initial
    assert (initial["kind"], initial["units"], initial["community"]) == ("qa", [world.unit.pk], world.community.pk)
    assert initial["held_on"] <= deadline


def test_overdue_action_items_are_listed_for_their_owner(client, world):
    meeting = _meeting(world)
    today = timezone.localdate()
    late = services.action_item_add(meeting=meeting, text="逾期事项", owner=world.users["unit_leader"],
                                    due_on=today - timedelta(days=2), by=world.users["leader"])
    soon = services.action_item_add(meeting=meeting, text="下周事项", owner=world.users["unit_leader"],
                                    due_on=today + timedelta(days=2), by=world.users["leader"])
    services.action_item_add(meeting=meeting, text="别人的事", owner=world.users["staff"], due_on=today - timedelta(days=9),
                             by=world.users["leader"])
    client.force_login(world.users["unit_leader"])
    response = client.get(reverse("my_action_items"))
    assert (response.context["overdue"], response.context["upcoming"]) == ([late], [soon])
    # The owner may tick their own item done, though their role is read-only.
    assert client.post(reverse("action_item_done", args=[late.pk]), {"done": "1"}).status_code == 302
    late.refresh_from_db()
    assert late.done
    other = ActionItem.objects.get(text="别人的事")
    assert client.post(reverse("action_item_done", args=[other.pk]), {"done": "1"}).status_code == 403
    client.force_login(world.users["outsider"])
    assert client.post(reverse("action_item_done", args=[soon.pk]), {"done": "1"}).status_code == 404


def test_overdue_action_count_for_the_menu(world, rf):
    from django.template import Context, Template

    meeting = _meeting(world)
    services.action_item_add(meeting=meeting, text="x", owner=world.users["staff"],
                             due_on=timezone.localdate() - timedelta(days=1), by=world.users["leader"])
    request = rf.get("/")
    request.user = world.users["staff"]
    rendered = Template("{% load consultation_tags %}{% overdue_action_count %}").render(Context({"request": request}))
    assert rendered == "1"


def test_action_item_page_adds_an_item(client, world):
    meeting = _meeting(world)
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("action_item_new", args=[meeting.pk]),
        {"text": "准备答疑材料", "owner": world.users["staff"].pk, "due_on": timezone.localdate().isoformat(),
         "units": [world.unit.pk]},
    )
    assert response.status_code == 302
    assert ActionItem.objects.get().text == "准备答疑材料"


def test_meeting_list_shows_units_held_for_review_and_overdue_rounds(client, world):
    today = timezone.localdate()
    r = services.round_open(unit=world.unit, deadline=today, opened_on=today - timedelta(days=30), channels=["notice"],
                            by=world.users["staff"])
    client.force_login(world.users["leader"])
    response = client.get(reverse("meeting_list"))
    assert response.context["overdue"] == []
    from consultations.models import ConsultationRound

    ConsultationRound.objects.filter(pk=r.pk).update(deadline=today - timedelta(days=1))
    assert [x.pk for x in client.get(reverse("meeting_list")).context["overdue"]] == [r.pk]
    services.round_hold(consultation_round=r, note="意愿不足", by=world.users["staff"])
    response = client.get(reverse("meeting_list"))
    assert [x.pk for x in response.context["on_hold"]] == [r.pk]


def test_meeting_list_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world.users["leader"])
    _meeting(world)
    # session, user, meetings (with counts), their units (prefetch), held rounds, overdue rounds,
    # the user's street (scope; the menu bar reuses it), whether the user may create meetings
    with django_assert_num_queries(9):
        client.get(reverse("meeting_list"))
    for day in range(5):
        _meeting(world, held_on=timezone.localdate() + timedelta(days=day), units=[world.unit])
    with django_assert_num_queries(9):
        client.get(reverse("meeting_list"))


def test_community_staff_cannot_make_a_street_wide_meeting(client, world):
    client.force_login(world.users["staff"])
    data = {"kind": "yard", "community": "", "held_on": timezone.localdate().isoformat()}
    response = client.post(reverse("meeting_new"), data)
    assert response.status_code == 422 and "community" in response.context["form"].errors
    assert not Meeting.objects.exists()


# --- a unit leader reads only the part of a meeting about his unit -----------------------------------


def _street_meeting(world):
    """A street-wide regular meeting about his unit and a unit of the other community."""
    meeting = _meeting(
        world, community=None, kind="regular", attendees="王书记、李主任", minutes="光华1栋1单元反对户集中",
        decisions="光华社区再做一轮工作", units=[world.unit, world.sibling_unit],
    )
    due = timezone.localdate() + timedelta(days=3)
    add = services.action_item_add
    add(meeting=meeting, text="本单元预约年检", owner=world.users["staff"], due_on=due, units=[world.unit],
        by=world.users["leader"])
    add(meeting=meeting, text="光华逐户上门", owner=world.users["sibling_staff"], due_on=due,
        units=[world.sibling_unit], by=world.users["leader"])
    add(meeting=meeting, text="全街道汇总进度", owner=world.users["leader"], due_on=due, by=world.users["leader"])
    return meeting


def test_a_unit_leader_sees_only_his_units_part_of_a_meeting(client, world):
    meeting = _street_meeting(world)
    client.force_login(world.users["unit_leader"])
    body = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "本单元预约年检" in body  # the item about his unit
    assert "光华逐户上门" not in body and "全街道汇总进度" not in body  # not the others' items
    assert "光华1栋1单元反对户集中" not in body and "光华社区再做一轮工作" not in body  # nor the minutes
    assert "王书记、李主任" not in body
    assert "光华小区" not in body  # the other unit is not named
    assert 'data-testid="meeting-part"' in body
    response = client.get(reverse("meeting_list"))
    assert "光华小区" not in response.content.decode()
    listed = next(m for m in response.context["upcoming"] if m.pk == meeting.pk)
    assert listed.open_items == 1  # his item only


def test_a_meeting_about_his_unit_alone_is_his_to_read_whole(client, world):
    meeting = _meeting(world, units=[world.unit])
    client.force_login(world.users["unit_leader"])
    body = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "研究 1 栋 1 单元反对户问题" in body and "由社区牵头入户" in body


def test_a_unit_leader_sees_a_meeting_whose_action_item_names_his_unit(client, world):
    meeting = _meeting(world, units=[world.sibling_unit], community=None)
    client.force_login(world.users["unit_leader"])
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404
    services.action_item_add(
        meeting=meeting, text="本单元也要准备材料", owner=world.users["staff"],
        due_on=timezone.localdate(), units=[world.unit], by=world.users["leader"],
    )
    body = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "本单元也要准备材料" in body and "研究 1 栋 1 单元反对户问题" not in body


def test_street_staff_still_read_the_whole_meeting(client, world):
    meeting = _street_meeting(world)
    client.force_login(world.users["viewer"])
    body = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert all(text in body for text in ["光华逐户上门", "全街道汇总进度", "光华1栋1单元反对户集中", "光华小区"])


def test_companies_get_403_on_meetings(client, world, django_user_model):
    from retrofit.models import Role
    from works.models import Company

    company = Company.objects.create(name="蜀通电梯")
    user = django_user_model.objects.create_user("co", password="x", role=Role.COMPANY, company=company)
    meeting = _meeting(world)
    client.force_login(user)
    assert client.get(reverse("meeting_list")).status_code == 403
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 403
