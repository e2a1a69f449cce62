"""Who sees and writes what: company users only their assigned units, 404 outside scope, 403 by role."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.factories import READS_THE_UNIT
from units.models import Unit
from units.permissions import get_works_unit_for_user
from works.models import Approval, MaintenanceVisit, Subsidy

ROLES = ["leader", "staff", "sibling_staff", "unit_leader", "viewer", "outsider", "company", "other_company"]

# world.unit: 红旗街道 · 绵纺社区, led by unit_leader, assigned to the elevator company.
SEE = {**READS_THE_UNIT, "company": 200, "other_company": 404}
# Approval, construction, log, acceptance: staff and the assigned company.
WRITE_WORKS = {
    "leader": 302,
    "staff": 302,
    "sibling_staff": 404,
    "unit_leader": 403,
    "viewer": 403,
    "outsider": 404,
    "company": 302,
    "other_company": 404,
}
# Registration, visits, inspections, charges: staff and the unit's leader.
WRITE_UPKEEP = {
    "leader": 302,
    "staff": 302,
    "sibling_staff": 404,
    "unit_leader": 302,
    "viewer": 403,
    "outsider": 404,
    "company": 403,
    "other_company": 404,
}


def test_a_company_user_sees_only_the_units_assigned_to_its_company(works):
    assert list(Unit.objects.visible_to(works.users["company"])) == [works.unit]
    assert list(Unit.objects.visible_to(works.users["other_company"])) == [works.far_unit]


@pytest.mark.parametrize("role", ROLES)
def test_the_works_page_answers_by_scope(client, works, role):
    client.force_login(works.users[role])
    assert client.get(reverse("unit_works", args=[works.unit.pk])).status_code == SEE[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_unit_and_estate_pages_follow_the_company_scope(client, works, role):
    client.force_login(works.users[role])
    # A company user in scope is sent to the works records instead of the residents' votes.
    expected = 302 if role == "company" else SEE[role]
    assert client.get(reverse("unit_detail", args=[works.unit.pk])).status_code == expected
    assert client.get(reverse("estate_detail", args=[works.estate.pk])).status_code == expected


@pytest.mark.parametrize("role", ["company", "other_company"])
def test_company_users_get_404_on_units_not_assigned_to_them_in_any_street(client, works, role):
    client.force_login(works.users[role])
    mine = works.unit if role == "company" else works.far_unit
    for unit in (works.unit, works.sibling_unit, works.far_unit):
        if unit == mine:
            continue
        assert client.get(reverse("unit_detail", args=[unit.pk])).status_code == 404
        assert client.get(reverse("unit_works", args=[unit.pk])).status_code == 404
        response = client.post(reverse("works_approval", args=[unit.pk]), {"permit_number": "x"})
        assert response.status_code == 404


def test_company_users_may_not_edit_votes_or_import(client, works):
    client.force_login(works.users["company"])
    household = works.flats[9]
    assert client.get(reverse("household_vote", args=[household.pk])).status_code == 403
    response = client.post(
        reverse("household_vote", args=[household.pk]), {"value": "agree", "reason": "", "version": 1}
    )
    assert response.status_code == 403
    household.vote.refresh_from_db()
    assert household.vote.value == "undecided"
    assert client.get(reverse("import_upload")).status_code == 403
    assert (
        client.post(reverse("unit_move", args=[works.unit.pk]), {"after": "consultation"}).status_code == 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_writing_approval_obeys_the_works_editors(client, works, role):
    client.force_login(works.users[role])
    response = client.post(
        reverse("works_approval", args=[works.unit.pk]),
        {
            "permit_number": "锦规联审〔2026〕017号",
            "permit_date": "2026-09-01",
            "market_notice_date": "2026-09-05",
        },
    )
    assert response.status_code == WRITE_WORKS[role]
    assert Approval.objects.filter(unit=works.unit).exists() == (WRITE_WORKS[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_logging_a_visit_obeys_the_upkeep_editors(client, works, role):
    client.force_login(works.users[role])
    response = client.post(
        reverse("works_visit_add", args=[works.unit.pk]), {"date": "2026-10-01", "notes": "例行保养"}
    )
    assert response.status_code == WRITE_UPKEEP[role]
    assert MaintenanceVisit.objects.filter(unit=works.unit).exists() == (WRITE_UPKEEP[role] == 302)


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 422), ("staff", 422), ("company", 403), ("unit_leader", 403)]
)
def test_only_staff_record_the_subsidy(client, works, role, status):
    client.force_login(works.users[role])
    response = client.post(reverse("works_subsidy", args=[works.unit.pk]), {"paid_on": "2026-10-01"})
    assert response.status_code == status
    if status == 422:
        # Staff may, but not before acceptance: the page comes back with the error on the form.
        assert response.context["subsidy_form"].non_field_errors()
        assert not Subsidy.objects.exists()


def test_company_users_do_not_see_upkeep(client, works):
    client.force_login(works.users["company"])
    page = client.get(reverse("unit_works", args=[works.unit.pk])).content.decode()
    assert 'data-testid="works-approval"' in page
    assert 'data-testid="works-upkeep"' not in page
    client.force_login(works.users["unit_leader"])
    page = client.get(reverse("unit_works", args=[works.unit.pk])).content.decode()
    assert 'data-testid="works-upkeep"' in page
    assert reverse("works_approval", args=[works.unit.pk]) not in page  # a unit leader gets no approval form


def test_a_unit_leader_edits_upkeep_only_for_units_they_lead(works):
    leader = works.users["unit_leader"]
    leader.street = works.street  # a leader who also carries a street scope
    leader.save()
    assert get_works_unit_for_user(leader, works.unit.pk, "upkeep") == works.unit
    with pytest.raises(PermissionDenied):
        get_works_unit_for_user(leader, works.sibling_unit.pk, "upkeep")


def test_anonymous_users_are_sent_to_log_in(client, works):
    pk = works.unit.pk
    for url in [
        reverse("works_home"),
        reverse("unit_works", args=[pk]),
        reverse("works_approval", args=[pk]),
    ]:
        response = client.get(url) if "approval" not in url else client.post(url, {})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_company_home_lists_only_its_units(client, works):
    client.force_login(works.users["company"])
    response = client.get(reverse("works_home"))
    assert [s.unit for s in response.context["summaries"]] == [works.unit]
    client.force_login(works.users["other_company"])
    response = client.get(reverse("works_home"))
    assert [s.unit for s in response.context["summaries"]] == [works.far_unit]


def test_the_office_home_lists_units_from_approval_on_or_with_a_company(client, works):
    client.force_login(works.users["leader"])
    response = client.get(reverse("works_home"))
    assert [s.unit for s in response.context["summaries"]] == [works.unit]  # assigned; sibling is in survey
    Unit.objects.filter(pk=works.sibling_unit.pk).update(stage="construction")
    response = client.get(reverse("works_home"))
    assert {s.unit for s in response.context["summaries"]} == {works.unit, works.sibling_unit}


def test_visits_cannot_be_in_the_future(client, works):
    client.force_login(works.users["staff"])
    client.post(reverse("works_visit_add", args=[works.unit.pk]), {"date": date(2999, 1, 1).isoformat()})
    assert not MaintenanceVisit.objects.exists()
