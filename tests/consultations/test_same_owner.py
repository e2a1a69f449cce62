"""Possible same owner on the unit page (docs/rules.md, "Possible same owner"): listed for a person to
decide, the decision recorded (who, when, history) and used by the consent count and unit_status."""

import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from consultations.models import SameOwnerDecision, UnitTally
from consultations.selectors import consent_by_unit
from consultations.services.same_owner import same_owner_decide
from units.models import HouseholdChange


def _family_phone(world):
    """502 (undecided) and 601 (undecided) under two names with one phone: a family member's phone."""
    first, second = world.flats[9], world.flats[10]
    second.phone = first.phone
    second.save()
    return first, second


def _status(world):
    out = StringIO()
    call_command("unit_status", format="json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return next(r for r in rows if r["estate"] == "绵纺厂宿舍小区")


def _history(household):
    return [(c.before, c.after, c.source, c.changed_by) for c in HouseholdChange.objects.filter(household=household, field="same_owner").order_by("pk")]


def test_the_unit_page_lists_the_pair_with_buttons_for_staff_only(world, login):
    first, second = _family_phone(world)
    url = reverse("unit_detail", args=[world.unit.pk])
    html = login(world.users["staff"]).get(url).content.decode()
    assert 'data-testid="same-owner"' in html and "可能为同一业主" in html
    assert html.count('data-testid="same-owner-pair"') == 1
    assert "同一电话，两个姓名" in html
    assert 'data-testid="same-owner-link"' in html and 'data-testid="same-owner-apart"' in html
    viewer = login(world.users["viewer"]).get(url).content.decode()
    assert 'data-testid="same-owner-pair"' in viewer
    assert 'data-testid="same-owner-link"' not in viewer
    assert first.owner_name not in viewer and first.phone not in viewer  # masked as on the roster


def test_no_pair_no_panel(world, login):
    html = login(world.users["staff"]).get(reverse("unit_detail", args=[world.unit.pk])).content.decode()
    assert 'data-testid="same-owner"' not in html


def test_linking_is_recorded_and_counts_the_two_flats_as_one_owner(world, login):
    first, second = _family_phone(world)
    staff = world.users["staff"]
    before = consent_by_unit([world.unit])[world.unit.pk].consent
    assert (before.owners, before.undecided) == (12, 2)
    assert _status(world)["possible_same_owner"] == 1
    response = login(staff).post(reverse("same_owner_decision", args=[world.unit.pk]), {"first": second.pk, "second": first.pk, "same": "1"})
    assert response.status_code == 302
    decision = SameOwnerDecision.objects.get()
    assert (decision.unit, decision.household_a, decision.household_b, decision.same, decision.decided_by) == (world.unit, first, second, True, staff)
    assert decision.decided_at is not None
    assert not UnitTally.objects.filter(unit=world.unit).exists()  # the stored tally is dropped
    after = consent_by_unit([world.unit])[world.unit.pk].consent
    assert (after.households, after.owners, after.undecided, after.participants, after.agree) == (12, 11, 1, 10, 8)
    assert _status(world)["possible_same_owner"] == 0
    assert _history(first) == [("", f"与{second.room}为同一业主", "page", staff)]
    assert _history(second) == [("", f"与{first.room}为同一业主", "page", staff)]
    html = login(staff).get(reverse("unit_detail", args=[world.unit.pk])).content.decode()
    assert 'data-testid="same-owner"' not in html


def test_a_changed_decision_is_recorded_not_overwritten_silently(world):
    first, second = _family_phone(world)
    staff, leader = world.users["staff"], world.users["leader"]
    same_owner_decide(unit=world.unit, first=first, second=second, same=True, by=staff)
    same_owner_decide(unit=world.unit, first=first, second=second, same=True, by=leader)  # no change: nothing new
    same_owner_decide(unit=world.unit, first=second, second=first, same=False, by=leader)
    decision = SameOwnerDecision.objects.get()
    assert (decision.same, decision.decided_by) == (False, leader)
    assert _history(first) == [
        ("", f"与{second.room}为同一业主", "page", staff),
        (f"与{second.room}为同一业主", f"与{second.room}不是同一业主", "page", leader),
    ]
    assert consent_by_unit([world.unit], live=True)[world.unit.pk].consent.owners == 12
    assert _status(world)["possible_same_owner"] == 0  # decided: different people


def test_a_link_across_different_votes_stops_the_count_as_a_conflict(world):
    first, second = world.flats[8], world.flats[9]  # oppose and undecided
    second.phone = first.phone
    second.save()
    same_owner_decide(unit=world.unit, first=first, second=second, same=True, by=world.users["staff"])
    result = consent_by_unit([world.unit], live=True)[world.unit.pk]
    assert not result.ok and result.conflict.rooms == (first.room, second.room)


def test_flats_of_another_unit_are_refused(world, login):
    first, _second = _family_phone(world)
    other = world.sibling_unit.households.first()
    response = login(world.users["leader"]).post(
        reverse("same_owner_decision", args=[world.unit.pk]), {"first": first.pk, "second": other.pk, "same": "1"}, follow=True
    )
    assert "请选择本单元的两套不同的房屋。" in response.content.decode()
    assert not SameOwnerDecision.objects.exists()
