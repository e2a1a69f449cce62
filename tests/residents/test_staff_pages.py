"""Staff controls for the residents' side: the link and its QR code, the contact, the unit page panel."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from residents import services
from residents.models import CommunityContact, UnitPublicLink
from tests.factories import WRITES_THE_UNIT as WRITE

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("role", WRITE)
def test_who_regenerates_and_revokes_the_link(client, world, role):
    client.force_login(world.users[role])
    url = reverse("public_link_action", args=[world.unit.pk])
    assert client.post(url, {"action": "regenerate"}).status_code == WRITE[role]
    assert UnitPublicLink.objects.filter(unit=world.unit).exists() == (WRITE[role] == 302)
    if WRITE[role] == 302:
        assert client.post(url, {"action": "revoke"}).status_code == 302
        assert not UnitPublicLink.objects.filter(unit=world.unit, revoked_at__isnull=True).exists()


def test_company_users_get_403_on_the_residents_controls(client, world, company_user):
    services.public_link_issue(unit=world.unit, by=world.users["staff"])
    client.force_login(company_user)
    assert client.get(reverse("public_link_qr", args=[world.unit.pk])).status_code == 403
    assert client.post(reverse("public_link_action", args=[world.unit.pk]), {"action": "revoke"}).status_code == 403
    assert client.post(reverse("household_codes_issue", args=[world.unit.pk]), {"household": "all"}).status_code == 403


def test_the_qr_code_downloads_as_a_png_for_anyone_in_scope(client, world):
    client.force_login(world.users["viewer"])
    url = reverse("public_link_qr", args=[world.unit.pk])
    assert client.get(url).status_code == 404  # no link yet
    services.public_link_issue(unit=world.unit, by=world.users["staff"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG) and "attachment" in response["Content-Disposition"]
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404


def test_the_community_contact_is_edited_by_staff_in_scope(client, world):
    url = reverse("community_contact_edit", args=[world.community.pk]) + f"?unit={world.unit.pk}"
    data = {"name": "王晓梅", "phone": "028-87654321", "office": "社区党群服务中心", "hours": "工作日"}
    client.force_login(world.users["viewer"])
    assert client.post(url, data).status_code == 403
    client.force_login(world.users["sibling_staff"])
    assert client.post(url, data).status_code == 404
    client.force_login(world.users["staff"])
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("unit_detail", args=[world.unit.pk]))
    contact = CommunityContact.objects.get(community=world.community)
    assert (contact.name, contact.phone, contact.updated_by) == ("王晓梅", "028-87654321", world.users["staff"])


def test_the_unit_page_panel_and_the_notice_qr(world, rf, django_assert_num_queries):
    request = rf.get("/")
    request.user = world.users["staff"]
    panel = Template("{% load resident_tags %}{% unit_public_link_panel unit %}")
    html = panel.render(Context({"request": request, "unit": world.unit}))
    assert "make-link" in html and "issue-code" in html
    qr = Template("{% load resident_tags %}{% unit_public_qr unit %}")
    services.public_link_ensure(unit=world.unit, by=world.users["staff"])  # made when the unit entered notice
    html = qr.render(Context({"request": request, "unit": world.unit}))
    link = UnitPublicLink.objects.get(unit=world.unit)
    assert "data:image/svg+xml" in html and link.token in html
    # link, code counts, contact, households
    with django_assert_num_queries(4):
        html = panel.render(Context({"request": request, "unit": world.unit}))
    assert link.token in html and "qr-download" in html
    request.user = world.users["viewer"]
    html = panel.render(Context({"request": request, "unit": world.unit}))
    assert "regenerate-link" not in html and "issue-code" not in html
    services.public_link_revoke(unit=world.unit, by=world.users["staff"])
    assert qr.render(Context({"request": request, "unit": world.unit})).strip() == ""  # a viewer makes no link


def test_the_link_can_carry_the_public_address(client, world, settings):
    settings.RESIDENTS_PUBLIC_BASE_URL = "https://dianti.example.gov.cn/"
    link = services.public_link_issue(unit=world.unit, by=world.users["staff"])
    client.force_login(world.users["staff"])
    response = client.post(reverse("household_codes_issue", args=[world.unit.pk]), {"household": world.flats[0].pk})
    page = client.get(response["Location"])
    assert page.context["url"] == f"https://dianti.example.gov.cn/r/{link.token}/"
    assert timezone.now() < page.context["expires"]
