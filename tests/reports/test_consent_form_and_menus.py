"""The consent form for signing (a page per household, or a compact roster), and the 导出 menus."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from consultations.models import Notice
from retrofit.models import ExportKind, ExportLog

from .conftest import FULL_NAMES, FULL_PHONES


def test_one_page_per_household_with_its_share(client, signed):
    client.force_login(signed.users["staff"])
    response = client.get(reverse("unit_consent_form", args=[signed.unit.pk]))
    html = response.content.decode()
    assert html.count('data-testid="consent-sheet"') == 12
    assert "业主0" in html  # staff hand the form to the owner by name
    share = response.context["households"][-1].share
    assert f"{share:,.2f}" in html
    log = ExportLog.objects.get()
    assert log.kind == ExportKind.CONSENT_FORM and len(log.object_ids["households"]) == 12


def test_one_household_and_the_roster_layout(client, signed):
    client.force_login(signed.users["staff"])
    flat = signed.flats[3]
    html = client.get(reverse("unit_consent_form", args=[signed.unit.pk]) + f"?household={flat.pk}").content.decode()
    assert html.count('data-testid="consent-sheet"') == 1 and flat.room in html
    other = signed.sibling_unit.households.first()
    assert client.get(reverse("unit_consent_form", args=[signed.unit.pk]) + f"?household={other.pk}").status_code == 404
    html = client.get(reverse("unit_consent_form", args=[signed.unit.pk]) + "?layout=roster").content.decode()
    assert html.count('data-testid="consent-roster"') == 1
    assert all(f"<td>{h.room}</td>" in html for h in signed.flats)


def test_a_viewer_gets_the_form_masked(client, signed):
    client.force_login(signed.users["viewer"])
    html = client.get(reverse("unit_consent_form", args=[signed.unit.pk]) + "?layout=roster").content.decode()
    assert not any(n in html for n in FULL_NAMES) and not any(p in html for p in FULL_PHONES)


def _render(source, user, path="/", **context):
    request = RequestFactory().get(path)
    request.user = user
    return Template("{% load export_tags %}" + source).render(Context({"request": request, **context}))


def test_the_unit_menu_links_every_export_and_the_notice(signed):
    html = _render("{% unit_export_menu unit %}", signed.users["staff"], unit=signed.unit)
    for name in ("unit_sheet_xlsx", "unit_sheet_pdf", "unit_sheet_print", "unit_consent_form"):
        assert reverse(name, args=[signed.unit.pk]) in html
    assert "notices/" not in html
    notice = Notice.objects.create(
        unit=signed.unit, draft_signed_on="2026-03-01", starts_on="2026-03-02", days=20, plan_summary="方案",
        started_by=signed.users["staff"], started_at="2026-03-02T09:00+08:00",
    )
    html = _render("{% unit_export_menu unit %}", signed.users["staff"], unit=signed.unit)
    assert reverse("notice_print", args=[notice.pk]) in html
    assert _render("{% unit_export_menu unit %}", signed.users["company"], unit=signed.unit).strip() == ""


@pytest.mark.parametrize(("role", "report"), [("leader", True), ("viewer", True), ("staff", False)])
def test_the_dashboard_menu_keeps_the_filters(world, role, report):
    html = _render(
        "{% dashboard_export_menu 'street' street %}", world.users[role], path="/?stage=survey", street=world.street
    )
    assert reverse("progress_workbook", kwargs={"level": "street", "pk": world.street.pk}) + "?stage=survey" in html
    assert (reverse("district_report_docx", kwargs={"level": "street", "pk": world.street.pk}) in html) is report


def test_the_building_dashboard_offers_its_estate(world):
    html = _render("{% dashboard_export_menu 'building' building %}", world.users["staff"], building=world.unit.building)
    assert reverse("progress_workbook", kwargs={"level": "estate", "pk": world.estate.pk}) in html
