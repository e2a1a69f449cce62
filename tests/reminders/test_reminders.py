"""send_reminders stores what each user should do; the badge counts what is new; the page shows it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationRound
from reminders import tasks
from reminders.models import Reminder
from reminders.services import reminders_snapshot
from retrofit.models import User
from tests.factories import add_flats, make_unit
from units.models import Stage, Unit

pytestmark = pytest.mark.django_db


def deadline_soon(unit, by, days=3):
    return ConsultationRound.objects.create(
        unit=unit, opened_on=timezone.localdate() - timedelta(days=10), deadline=timezone.localdate() + timedelta(days=days),
        by_notice=True, opened_by=by,
    )


def test_send_reminders_stores_each_users_scope_once(world, capsys):
    deadline_soon(world.unit, world.users["staff"])
    deadline_soon(world.far_unit, world.users["outsider"])
    call_command("send_reminders")
    assert "new reminders" in capsys.readouterr().out
    mine = lambda user: list(Reminder.objects.filter(user=world.users[user]).values_list("kind", "unit_id"))  # noqa: E731
    assert mine("staff") == [("deadline", world.unit.pk)]
    assert mine("leader") == [("deadline", world.unit.pk)]
    assert mine("unit_leader") == [("deadline", world.unit.pk)]
    assert mine("viewer") == [("deadline", world.unit.pk)]
    assert mine("sibling_staff") == []
    assert mine("outsider") == [("deadline", world.far_unit.pk)]
    total = Reminder.objects.count()
    assert reminders_snapshot().created == 0 and Reminder.objects.count() == total  # no duplicates
    ConsultationRound.objects.filter(unit=world.unit).update(status="closed", closed_on=timezone.localdate())
    result = reminders_snapshot()
    assert result.removed == 4 and mine("staff") == []


def test_the_date_option(world):
    deadline_soon(world.unit, world.users["staff"], days=20)
    call_command("send_reminders", "--date", (timezone.localdate() + timedelta(days=14)).isoformat())
    assert Reminder.objects.filter(user=world.users["staff"], kind="deadline").exists()


def test_company_users_get_only_works_reminders(world, company_user):
    deadline_soon(world.unit, world.users["staff"])
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.CONSULTATION, stage_since=timezone.now() - timedelta(days=60))
    reminders_snapshot()
    assert list(Reminder.objects.filter(user=company_user).values_list("kind", flat=True)) == ["stalled"]


def test_the_badge_counts_new_reminders_and_the_page_marks_them_seen(client, world):
    deadline_soon(world.unit, world.users["staff"])
    reminders_snapshot()
    client.force_login(world.users["staff"])
    badge = client.get(reverse("reminder_badge"))
    assert badge.context["n"] == 1 and 'data-testid="reminder-badge"' in badge.content.decode()
    page = client.get(reverse("reminders"))
    assert [item.kind for item in page.context["items"]] == ["deadline"]
    assert page.context["unseen"] == {page.context["items"][0].key}
    assert client.get(reverse("reminder_badge")).context["n"] == 0
    # a new reason appears: the badge shows it
    deadline_soon(world.sibling_unit, world.users["leader"])
    reminders_snapshot()
    assert client.get(reverse("reminder_badge")).context["n"] == 0  # not in this user's community
    client.force_login(world.users["leader"])
    assert client.get(reverse("reminder_badge")).context["n"] == 2


def test_reminders_need_a_login(client):
    assert client.get(reverse("reminders")).status_code == 302
    assert client.get(reverse("reminder_badge")).status_code == 302


def test_each_unit_reminded_of_says_its_next_step(client, world):
    """As on the dashboard: what stands in the unit's way, under the reminder."""
    deadline_soon(world.unit, world.users["staff"])
    client.force_login(world.users["staff"])
    page = client.get(reverse("reminders"))
    steps = page.context["next_steps"]
    assert world.unit.pk in steps and steps[world.unit.pk].after
    reminded = page.content.decode().split('data-testid="reminders"')[1]
    assert reminded.count('data-testid="next-step-inline"') == len({i.unit.pk for i in page.context["items"] if i.unit})


def test_reminders_page_query_count_does_not_grow(client, world, django_assert_num_queries):
    deadline_soon(world.unit, world.users["staff"])
    client.force_login(world.users["leader"])
    url = reverse("reminders")
    client.get(url)
    # session, user; the sources (stalled 1, works 2, payments 1, consultation 3); the units; action
    # items; unseen keys; savepoint, stored keys, mark seen, release (nothing new to add); the units'
    # stored tallies for their next steps (their guards reuse them); the menu's overdue actions and scope label
    with django_assert_num_queries(19):
        client.get(url)
    for number in range(2, 6):
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="7", unit=str(number))
        add_flats(unit, ["agree"] * 6, owner_prefix=f"B7-{number}-")
        deadline_soon(unit, world.users["staff"], days=number)
    client.get(url)
    with django_assert_num_queries(19):
        page = client.get(url)
    assert [item.due for item in page.context["items"]] == sorted(item.due for item in page.context["items"])
    assert len(page.context["items"]) == 5


def test_in_the_background_the_workers_store_the_same_reminders_group_by_group(world, settings, monkeypatch, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(tasks, "GROUP", 2)  # several tasks for the world's users
    deadline_soon(world.unit, world.users["staff"])
    deadline_soon(world.far_unit, world.users["outsider"])
    call_command("send_reminders", "--background")
    users = User.objects.filter(is_active=True).count()
    assert capsys.readouterr().out.startswith(f"{-(-users // 2)} reminder tasks queued")
    stored = sorted(Reminder.objects.values_list("user__username", "kind", "unit_id"))
    Reminder.objects.all().delete()
    call_command("send_reminders")  # the same, in this process
    assert sorted(Reminder.objects.values_list("user__username", "kind", "unit_id")) == stored
    assert ("staff", "deadline", world.unit.pk) in stored and ("outsider", "deadline", world.far_unit.pk) in stored
