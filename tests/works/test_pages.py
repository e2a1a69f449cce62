"""The works pages: forms through HTMX and without, photos, the panel tag, and pinned query counts."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from demo.files import demo_png
from tests.factories import approve, at_stage, build, fail_check, make_unit
from units.models import Household, Stage, StageChange
from works import services
from works.models import (
    AcceptanceCheck,
    Assignment,
    Construction,
    ConstructionLogEntry,
    Registration,
    UtilityCharge,
)

PNG = demo_png(4, 3, (255, 0, 0), (0, 0, 255))
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def htmx(client, url, data, **extra):
    return client.post(url, data, HTTP_HX_REQUEST="true", **extra)


def post_section(client, name, unit, **fields):
    """A form of the unit's works page (``works_<name>``) posted through HTMX, as the page posts it."""
    return htmx(client, reverse(f"works_{name}", args=[unit.pk]), fields)


def test_saving_a_section_with_htmx_returns_the_section_and_the_next_step(client, works):
    unit = at_stage(works.unit, Stage.APPROVAL)
    client.force_login(works.users["company"])
    response = post_section(
        client, "approval", unit, permit_number="锦规联审〔2026〕017号", permit_date="2026-09-01",
        market_notice_date="2026-09-05",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('id="approval"') == 1
    assert 'id="works-next"' in page and 'hx-swap-oob="true"' in page
    assert 'data-testid="works-ready"' in page  # nothing blocks approval → construction now
    assert "锦规联审〔2026〕017号" in page
    assert unit.approval.recorded_by == works.users["company"]


def test_form_errors_come_back_in_the_section(client, works):
    client.force_login(works.users["staff"])
    approve(works.unit, works.users["staff"])
    # Work may not start before the notice to market supervision; completion not before the start.
    response = post_section(client, "construction", works.unit, started_on="2026-09-04", completed_on="2026-09-03")
    assert response.status_code == 422
    form = response.context["construction_form"]
    assert set(form.errors) == {"started_on", "completed_on"}
    assert '<details class="works-edit mt-2" open>' in response.content.decode()
    assert not Construction.objects.exists()


def test_without_htmx_a_save_redirects_to_the_section(client, works):
    client.force_login(works.users["staff"])
    response = client.post(
        reverse("works_construction", args=[works.unit.pk]),
        {"started_on": "2026-09-06", "meter_boxes": "on", "others": "更换声控灯"},
    )
    assert response.status_code == 302
    assert response.url == reverse("unit_works", args=[works.unit.pk]) + "#construction"
    construction = Construction.objects.get(unit=works.unit)
    assert (construction.started_on, construction.meter_boxes, construction.pipes) == (
        date(2026, 9, 6),
        True,
        False,
    )


def test_a_failed_check_posted_by_the_company_moves_the_unit_back(client, works):
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    client.force_login(works.users["company"])
    response = post_section(
        client, "acceptance_add", unit, level="supervisory", result="fail", date="2026-10-10",
        inspector="市特检院 张工", remarks="底坑积水",
    )
    assert response.status_code == 200
    assert 'data-testid="works-stage"' in response.content.decode()
    unit.refresh_from_db()
    assert unit.stage == Stage.CONSTRUCTION
    assert "底坑积水" in StageChange.objects.get(unit=unit).reason


def test_a_failed_check_without_defects_is_refused(client, works):
    unit = at_stage(works.unit, Stage.ACCEPTANCE)
    client.force_login(works.users["staff"])
    response = post_section(
        client, "acceptance_add", unit, level="city", result="fail", date="2026-10-10", inspector="市住建局"
    )
    assert "remarks" in response.context["acceptance_form"].errors
    assert not AcceptanceCheck.objects.exists()


def test_a_photo_is_stored_under_our_name_and_served_only_within_scope(client, works, media):
    client.force_login(works.users["company"])
    upload = SimpleUploadedFile("../../etc/evil.gif", PNG, content_type="image/gif")
    response = client.post(
        reverse("works_log_add", args=[works.unit.pk]),
        {"date": "2026-10-01", "text": "基坑开挖", "photo": upload},
    )
    assert response.status_code == 302
    entry = ConstructionLogEntry.objects.get()
    photo = entry.photo_version
    assert photo.content_type == "image/png"
    assert photo.file.name.startswith(f"works/log/{works.unit.pk}/") and photo.file.name.endswith(".png")
    assert entry.by == works.users["company"]
    # Kept as version 1 of the entry's photo: who, the name it came with, its size and hash.
    assert (photo.number, photo.uploaded_by, photo.original_name, photo.size) == (1, works.users["company"], "evil.gif", len(PNG))
    assert photo.sha256 == hashlib.sha256(PNG).hexdigest()
    url = reverse("works_log_photo", args=[entry.pk])
    for role in ("leader", "unit_leader", "viewer", "company"):
        client.force_login(works.users[role])
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG
    for role in ("outsider", "sibling_staff", "other_company"):
        client.force_login(works.users[role])
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"GIF89a" + b"\x00" * 32),
        ("photo.png", b"<svg></svg>"),
        ("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024)),
    ],
)
def test_only_jpeg_and_png_up_to_5_mb_are_accepted(client, works, media, name, content):
    client.force_login(works.users["staff"])
    response = client.post(
        reverse("works_log_add", args=[works.unit.pk]),
        {
            "date": "2026-10-01",
            "text": "照片",
            "photo": SimpleUploadedFile(name, content, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 422
    assert "photo" in response.context["log_form"].errors
    assert not ConstructionLogEntry.objects.exists()


def test_a_jpeg_is_accepted(client, works, media):
    client.force_login(works.users["staff"])
    client.post(
        reverse("works_log_add", args=[works.unit.pk]),
        {
            "date": "2026-10-01",
            "text": "照片",
            "photo": SimpleUploadedFile("a.png", JPEG, content_type="image/png"),
        },
    )
    assert ConstructionLogEntry.objects.get().photo_version.content_type == "image/jpeg"


def test_charges_and_payments_through_the_page(client, works):
    client.force_login(works.users["unit_leader"])
    response = post_section(
        client, "charges_add", works.unit, period="2026-10", kind="electricity", amount="9.50", household=""
    )
    assert response.status_code == 200
    assert UtilityCharge.objects.filter(unit=works.unit).count() == len(works.flats)
    assert response.context["summary"].arrears_total == Decimal("9.50") * len(works.flats)
    charge = UtilityCharge.objects.filter(unit=works.unit).first()
    today = timezone.localdate()
    response = htmx(client, reverse("works_charge_paid", args=[charge.pk]), {"paid_on": today.isoformat()})
    assert response.status_code == 200
    charge.refresh_from_db()
    assert charge.paid_on == today
    assert len(response.context["arrears"]) == len(works.flats) - 1
    # Paying again is refused with a message, not a crash.
    response = htmx(client, reverse("works_charge_paid", args=[charge.pk]), {"paid_on": today.isoformat()})
    assert response.status_code == 422 and response.context["section_error"]
    response = post_section(client, "charges_add", works.unit, period="2026-13", kind="electricity", amount="9.50")
    assert "period" in response.context["charge_form"].errors


def test_a_company_user_cannot_mark_a_charge_paid(client, works):
    created, _ = services.charges_add(
        unit=works.unit, by=works.users["staff"], period="2026-10", kind="electricity", amount=Decimal("9")
    )
    client.force_login(works.users["company"])
    assert (
        client.post(reverse("works_charge_paid", args=[created[0].pk]), {"paid_on": "2026-10-02"}).status_code
        == 403
    )
    client.force_login(works.users["outsider"])
    assert (
        client.post(reverse("works_charge_paid", args=[created[0].pk]), {"paid_on": "2026-10-02"}).status_code
        == 404
    )


def in_upkeep(unit, staff, *, households=0, visits=3, months=2):
    """A unit in upkeep with every kind of record; ``households`` more flats to show the count stays."""
    Household.objects.bulk_create(
        Household(unit=unit, room=f"加{n}", floor=n % 6 + 1, area=Decimal("60.00"), owner_name=f"业主{n}")
        for n in range(households)
    )
    at_stage(unit, Stage.UPKEEP)
    today = timezone.localdate()
    approve(unit, staff, permit_date=date(2025, 1, 1), notice=date(2025, 1, 5))
    build(unit, staff, date(2025, 1, 6), date(2025, 6, 1))
    services.log_entry_add(unit=unit, by=staff, date=date(2025, 1, 6), text="进场")
    for level, day in [("supervisory", 10), ("district", 12), ("city", 14)]:
        services.acceptance_record(
            unit=unit, by=staff, level=level, result="pass", date=date(2025, 6, day), inspector="张工"
        )
    services.registration_save(
        unit=unit, by=staff, number="梯11", registered_on=date(2025, 6, 20), user_unit="全体业主"
    )
    for n in range(visits):
        services.visit_add(unit=unit, by=staff, date=today - timedelta(days=16 + 14 * n))
    services.inspection_add(
        unit=unit, by=staff, date=date(2025, 6, 20), result="pass", next_due=today + timedelta(days=20)
    )
    for month in range(1, months + 1):
        services.charges_add(
            unit=unit, by=staff, period=f"2026-{month:02d}", kind="electricity", amount=Decimal("9")
        )
    return unit


# The works page for a street leader, whatever the number of households, visits or charges:
#  1 session, 2 user, 3 unit with its one-to-one records (and who recorded them) and upkeep figures,
#  4 assignments, 5 acceptance checks, 6 log, 7 visits, 8 inspections, 9 charges by period,
#  10 unpaid charges, 11 the user's street (base.html), 12 registration form: the unit's leaders,
#  13 companies (registration form), 14 companies (visit form), 15 households (charge form).
#  No guard runs: a unit in upkeep has no next step.
WORKS_PAGE_QUERIES = 16


@pytest.mark.parametrize(("households", "visits", "months"), [(0, 2, 1), (30, 20, 6)])
def test_the_works_page_query_count_does_not_grow(
    client, works, django_assert_num_queries, households, visits, months
):
    unit = in_upkeep(works.unit, works.users["staff"], households=households, visits=visits, months=months)
    client.force_login(works.users["leader"])
    url = reverse("unit_works", args=[unit.pk])
    with django_assert_num_queries(WORKS_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.maintenance_gap is not None and summary.maintenance_gap.days == 16
    assert summary.inspection_status == "due_soon"
    assert summary.arrears_count == (len(works.flats) + households) * months


# A refused post to the approval section of a unit in upkeep, by a community's staff. Both answers start
# with: 1 session, 2 user, 3 the unit (permission), 4 its approval (the bound form's instance), 5 the unit
# with its records and upkeep figures, 6 assignments, 7 acceptance checks.
#  - with HTMX that is all: only the approval section and the next step are drawn, so the log, visits,
#    inspections and charges of the other sections are not queried (12 before they were left out);
#  - without, the whole page again: 8 log, 9 visits, 10 inspections, 11 charges by period, 12 unpaid
#    charges, 13 overdue action items (the menu), 14 the user's community (the heading), 15 the unit's
#    leaders (registration form), 16-17 companies (registration and visit forms), 18 households (charges).
REFUSED_SECTION_QUERIES = {"htmx": 7, "page": 18}


@pytest.mark.parametrize("through", ["htmx", "page"])
def test_a_refused_section_post_costs_a_fixed_number_of_queries(client, works, django_assert_num_queries, through):
    unit = in_upkeep(works.unit, works.users["staff"], households=10, visits=5, months=3)
    client.force_login(works.users["staff"])
    url = reverse("works_approval", args=[unit.pk])
    bad = {"permit_date": "not a date"}
    extra = {"HTTP_HX_REQUEST": "true"} if through == "htmx" else {}
    with django_assert_num_queries(REFUSED_SECTION_QUERIES[through]):
        response = client.post(url, bad, **extra)
    assert response.status_code == 422
    page = response.content.decode()
    assert page.count('id="approval"') == 1 and "is-invalid" in page  # the error in place
    assert ('id="upkeep"' in page) == (through == "page")


# 1 session, 2 user, 3 units + records + upkeep figures, 4 assignments, 5 acceptance checks,
# 6 the user's street or company (base.html / the heading), 7 overdue action items in the menu
# (not shown to company users).
WORKS_HOME_QUERIES = {"leader": 7, "company": 6}


@pytest.mark.parametrize("extra_units", [0, 6])
def test_the_works_home_query_count_does_not_grow(client, works, django_assert_num_queries, extra_units):
    staff = works.users["staff"]
    in_upkeep(works.unit, staff)
    for index in range(extra_units):
        unit = in_upkeep(make_unit(works.community, estate="绵纺厂宿舍小区", building=str(index + 2)), staff)
        Assignment.objects.create(unit=unit, company=works.elevator, kind="elevator")
    for role in ("leader", "company"):
        client.force_login(works.users[role])
        with django_assert_num_queries(WORKS_HOME_QUERIES[role]):
            response = client.get(reverse("works_home"))
        assert len(response.context["summaries"]) == 1 + extra_units
        assert b'data-testid="maintenance-warning"' in response.content or role == "company"


def render_panel(unit, user):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load works_tags %}{% unit_works_panel unit %}").render(
        Context({"unit": unit, "request": request})
    )


def test_the_panel_costs_nothing_before_signing_and_two_queries_after(works, django_assert_num_queries):
    leader = works.users["leader"]
    with django_assert_num_queries(0):
        html = render_panel(works.unit, leader)
    assert reverse("unit_works", args=[works.unit.pk]) in html
    unit = in_upkeep(works.unit, works.users["staff"])
    with django_assert_num_queries(2):
        html = render_panel(unit, leader)
    assert 'data-testid="maintenance-warning"' in html and 'data-testid="arrears"' in html
    html = render_panel(unit, works.users["company"])
    assert 'data-testid="arrears"' not in html  # company users see no upkeep


def test_registration_form_offers_only_this_units_leaders(client, works):
    client.force_login(works.users["staff"])
    response = client.get(reverse("unit_works", args=[works.unit.pk]))
    assert list(response.context["registration_form"].fields["leader"].queryset) == [
        works.users["unit_leader"]
    ]
    response = client.post(
        reverse("works_registration", args=[works.unit.pk]),
        {"number": "梯11", "registered_on": "2026-10-01", "leader": works.users["viewer"].pk},
    )
    assert response.status_code == 422
    assert not Registration.objects.exists()


def test_the_home_counts_only_the_warnings_its_reader_can_see(client, works):
    in_upkeep(works.unit, works.users["staff"])  # maintenance 16 days late, inspection due, arrears
    client.force_login(works.users["leader"])
    assert client.get(reverse("works_home")).context["warned"] == 1
    client.force_login(works.users["company"])
    response = client.get(reverse("works_home"))
    assert response.context["warned"] == 0
    assert b'data-testid="arrears"' not in response.content
    fail_check(works.unit, works.users["company"], "city", date(2026, 1, 1), "市住建局", "照明不足")
    assert client.get(reverse("works_home")).context["warned"] == 1


def test_a_company_sees_its_site_photos_but_no_contract_scan(client, works, media):
    """Scans carry the roster (names, signatures): the company's role keeps out of every version of them."""
    from units import contracts as contract_services
    from units.models import Contract, Plan

    plan = Plan.objects.create(
        unit=works.unit, version=1, stops=6, total_cost=Decimal("1"), subsidy=Decimal("0"), created_at=timezone.now()
    )
    contract = Contract.objects.create(unit=works.unit, plan=plan, amount=Decimal("1"), created_at=timezone.now())
    contract_services.contract_update(
        contract=contract, data={"scan": SimpleUploadedFile("s.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
        by=works.users["staff"],
    )
    version = contract.scan_versions.get()
    client.force_login(works.users["company"])
    assert client.get(reverse("contract_scan_version", args=[works.unit.pk, version.pk])).status_code == 403
    assert client.get(reverse("contract_scan", args=[works.unit.pk])).status_code == 403
