"""Every URL of the product, as every role, on the demo street: who gets in, who is turned away.

The demo (seed_demo, loaded once for the session: ``url_demo`` in tests/conftest.py) has an object of
every kind. Each role visits every route with the objects of its *own* units — the street's staff and viewer the pilot's 2栋1单元, the unit
leader and the elevator company 1栋1单元 (which the company is assigned to and 陈建华 leads), the
other community's staff their 光华 unit — and ``EXPECTED`` says, route by route, whether the role gets
in (200/302, or a form's 422) or is turned away (403/404). The table is the README's Roles table:

- a company sees its works records and the plan's technical content, and nothing of the roster, the
  votes, the consultation, the meetings or the money, not even of its own units;
- a unit leader reads his unit's pages, changes only its upkeep, and reads meetings only about it;
- a read-only viewer reads everything of the street with names and phones masked, and changes nothing;
  the district housing bureau (``district``) likewise, over every street of its district;
- staff of another community get 404 on the objects of this one.

Also: anonymous visitors are sent to the login page; a leader of another street gets 404 on every
object of this street; no role ever gets a server error; a form posted without its CSRF token is refused.
POSTs run inside a transaction that is rolled back, so one role's visit does not change the next one's.
"""

import re

import pytest
from django.db import transaction
from django.test import Client

from consultations.models import Meeting
from retrofit.masking import mask_phone
from retrofit.models import User
from retrofit.phones import display
from tests.urlwalk import pdf_laid_out, routes, urls_for
from units.models import Household, Unit

PUBLIC = {
    "login", "logout", "healthz", "favicon", "apple_touch_icon", "service_worker",
    "resident_unit", "resident_code", "resident_household", "resident_large_type",
}
ROLES = ["admin", "leader", "staff", "staff2", "unitlead", "viewer", "district", "elevator"]
# The roles whose visits lay the PDFs out for real: names in full and names masked (tests/urlwalk.py).
PDF_LAID_OUT = {"staff", "viewer"}
DEMO_STREET_WORDS = ["绵纺厂宿舍小区", "光华小区"]

# --- the expectation table ------------------------------------------------------------------------

Y, N = "in", "out"  # in: 200, 302 (or 422, a form refusing the empty post); out: 403 or 404
IN = {200, 302, 422}
OUT = {403, 404}


def row(admin=Y, leader=Y, staff=Y, staff2=Y, unitlead=Y, viewer=Y, elevator=Y, district=None):
    """Who gets in; the district official, who reads as the viewer does, gets what the viewer gets unless named."""
    return {"admin": admin, "leader": leader, "staff": staff, "staff2": staff2, "unitlead": unitlead,
            "viewer": viewer, "district": viewer if district is None else district, "elevator": elevator}


READ = row(elevator=N)  # the roster, the votes, the consultation and the money: everyone in scope but companies
WRITE = row(unitlead=N, viewer=N, elevator=N)  # staff only
WORKS_READ = row()
WORKS_WRITE = row(unitlead=N, viewer=N)  # staff and the assigned company
SUBSIDY_WRITE = row(unitlead=N, viewer=N, elevator=N)
UPKEEP_WRITE = row(viewer=N, elevator=N)  # staff and the unit's leader
# The pilot's objects that the other community's staff (staff2) cannot reach: their units have none.
PILOT_ONLY_READ = row(staff2=N, elevator=N)
PILOT_ONLY_WRITE = row(staff2=N, unitlead=N, viewer=N, elevator=N)
COVERS_WHOLE = row(staff=N, staff2=N, unitlead=N, elevator=N)  # the street's report: its leader and viewer
DISTRICT_ONLY = row(leader=N, staff=N, staff2=N, unitlead=N, viewer=N, elevator=N, district=Y)  # the whole district

EXPECTED = {
    # dashboard and lists
    "dashboard_home": row(),  # companies are sent on to their works list
    "dashboard": READ,
    "home": row(),  # companies are sent on to their works list
    "estate_detail": row(),  # ditto
    "unit_detail": row(),  # ditto: to the unit's works page
    "unit_move": WRITE,
    "household_vote": WRITE,
    "offline_queue": READ,  # the saves waiting on the phone, drawn by the page from the phone's store
    "import_upload": WRITE,
    "import_confirm": WRITE,
    "import_template": row(),
    # plan, running costs, contract
    "unit_plan": row(),  # companies: the plan's technical content without the shares
    "plan_preview": WRITE,
    "plan_print": READ,
    "running_costs": READ,
    "running_costs_preview": WRITE,
    "unit_contract": PILOT_ONLY_READ,  # staff2's units have no contract yet
    "contract_start": WRITE,
    "signature_update": PILOT_ONLY_WRITE,
    "contract_scan": row(staff2=N, viewer=N, elevator=N),  # the signed scan: roles that see names
    "contract_scan_version": row(staff2=N, viewer=N, elevator=N),  # any earlier scan, likewise
    # consultation
    "visits_home": READ,
    "community_visits": READ,
    "community_visits_print": READ,
    "unit_visits": READ,
    "unit_visits_print": READ,
    "contact_new": WRITE,
    "contact_opinion_form": WRITE,  # the signed form: editors only
    "holdout_edit": WRITE,
    "owner_transfer": WRITE,  # change of owner 过户
    "owner_transfer_told": WRITE,
    "same_owner_decision": WRITE,
    "round_open": WRITE,
    "round_edit": PILOT_ONLY_WRITE,
    "round_close": PILOT_ONLY_WRITE,
    "round_hold": PILOT_ONLY_WRITE,
    "round_resume": PILOT_ONLY_WRITE,
    "notice_start": WRITE,
    "notice_edit": PILOT_ONLY_WRITE,
    "notice_print": PILOT_ONLY_READ,
    "objection_new": PILOT_ONLY_WRITE,
    "objection_settle": PILOT_ONLY_WRITE,
    "community_support": READ,
    "estate_support": READ,
    # meetings: the unit leader's is one about his unit; staff2 sees street-wide and own meetings only
    "meeting_list": READ,
    "meeting_new": WRITE,
    "meeting_detail": READ,
    "meeting_edit": row(staff=N, staff2=N, unitlead=N, viewer=N, elevator=N),  # a street-wide meeting
    "action_item_new": row(staff=N, staff2=N, unitlead=N, viewer=N, elevator=N),
    "action_item_done": row(staff2=N, viewer=N, elevator=N),  # staff and the unit leader own their items
    "my_action_items": READ,
    # money
    "unit_payments": READ,
    "payment_add": WRITE,
    "refund_add": WRITE,
    "ledger_reverse": PILOT_ONLY_WRITE,
    "arrears_list": READ,
    # residents' side
    "public_link_action": WRITE,
    "public_link_qr": READ,
    "household_codes_issue": WRITE,
    "household_code_slips": WRITE,
    "community_contact_edit": WRITE,
    # works and upkeep
    "works_home": WORKS_READ,
    "unit_works": WORKS_READ,
    "works_approval": WORKS_WRITE,
    "works_construction": WORKS_WRITE,
    "works_log_add": WORKS_WRITE,
    "works_acceptance_add": WORKS_WRITE,
    "works_subsidy": SUBSIDY_WRITE,
    "works_subsidy_application": SUBSIDY_WRITE,
    "works_registration": UPKEEP_WRITE,
    "works_visit_add": UPKEEP_WRITE,
    "works_inspection_add": UPKEEP_WRITE,
    "works_charges_add": UPKEEP_WRITE,
    "works_charge_paid": row(staff2=N, viewer=N, elevator=N),
    "works_log_photo": row(staff2=N),
    # exports: none for companies (every one carries votes or consent figures)
    "unit_sheet_xlsx": READ,
    "unit_sheet_pdf": READ,
    "unit_file_pdf": READ,
    "unit_sheet_print": READ,
    "unit_consent_form": READ,
    "progress_workbook": READ,
    "export_status_sheets": READ,  # a background job (reports/jobs.py)
    "export_status_workbooks": READ,
    "my_exports": row(),  # 我的导出: one's own jobs
    "export_job": row(),  # one's own job's row
    "export_job_download": READ,  # one's own job's file, while its scope is still one's
    "district_report_print": COVERS_WHOLE,
    "district_report_docx": COVERS_WHOLE,
    "district_report_figure": COVERS_WHOLE,
    # the district's report and workbook as background jobs: its housing bureau only
    "export_district_report": DISTRICT_ONLY,
    "export_district_workbook": DISTRICT_ONLY,
    # reminders
    "reminders": row(),
    "reminder_badge": row(),
}


# What a POST-only route needs so that a role let in is not refused for an empty form.
POST_DATA = {"public_link_action": {"action": "revoke"}}


def _visit(client, url, name=""):
    """GET; a POST-only route (405) is posted to, and what it wrote is rolled back."""
    response = client.get(url)
    if response.status_code == 405:
        with transaction.atomic():
            response = client.post(url, POST_DATA.get(name, {}))
            transaction.set_rollback(True)
    return response


def test_the_table_names_every_route():
    names = {name for _route, name in routes()} - PUBLIC
    assert names == set(EXPECTED), (sorted(names - set(EXPECTED)), sorted(set(EXPECTED) - names))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_url_as_every_role_on_its_own_units(url_demo, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    unit = url_demo["homes"][username]
    households = list(Household.objects.filter(unit__in=Unit.objects.visible_to(user)))
    names = [h.owner_name for h in households if len(h.owner_name) > 1]
    phones = [h.phone for h in households if h.phone and h.phone != mask_phone(h.phone)]
    phones += [display(p) for p in phones]  # as stored and as shown (retrofit/phones.py)
    wrong = []
    for name, url in urls_for(username, url_demo):
        if name in PUBLIC:
            continue
        assert url is not None, f"the demo has no object for {name}"
        with pdf_laid_out(really=username in PDF_LAID_OUT):
            response = _visit(client, url, name)
        assert response.status_code < 500, (username, name, url, response.status_code)
        expected = EXPECTED[name][username]
        if response.status_code not in (IN if expected == Y else OUT):
            wrong.append((name, url, response.status_code, expected))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        if username in ("viewer", "district"):  # masked names, masked phones
            assert not [n for n in names if n in body], (name, url)
            assert not [p for p in phones if p in body], (name, url)
        if username == "elevator":  # no roster at all
            assert not [n for n in names if n in body], (name, url)
            assert not [p for p in phones if p in body], (name, url)
        if username == "unitlead":  # names yes, phones masked
            assert not [p for p in phones if p in body], (name, url)
    assert not wrong, f"{username} on {unit}: {wrong}"


@pytest.mark.django_db
def test_a_unit_leader_reads_only_meetings_about_his_unit(url_demo):
    client = Client()
    client.force_login(User.objects.get(username="unitlead"))
    own = url_demo["homes"]["unitlead"]
    about_others = Meeting.objects.exclude(units=own).exclude(action_items__units=own).exclude(community__isnull=False)
    assert about_others.exists()
    for meeting in about_others:
        assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    listing = client.get("/meetings/").content.decode()
    assert not [m for m in about_others if f"/meetings/{m.pk}/" in listing]


@pytest.mark.django_db
def test_the_company_plan_page_has_the_plan_without_the_shares(url_demo):
    client = Client()
    client.force_login(User.objects.get(username="elevator"))
    unit = url_demo["homes"]["elevator"]
    body = client.get(f"/units/{unit.pk}/plan/").content.decode()
    assert 'data-testid="plan-facts"' in body
    assert 'id="plan-table"' not in body
    assert f"/units/{unit.pk}/plan/print/" not in body
    assert f"/units/{unit.pk}/contract/" not in body


@pytest.mark.django_db
def test_anonymous_and_other_streets(url_demo):
    urls = urls_for("leader", url_demo)
    anonymous = Client()
    for name, url in urls:
        if name in PUBLIC:
            continue
        for method in (anonymous.get, anonymous.post):
            response = method(url)
            assert response.status_code == 302 and "/login/" in response["Location"], (name, url, response.status_code)

    outsider = Client()
    outsider.force_login(url_demo["outsider"])
    for name, url in urls:
        if name in PUBLIC or name in {"import_template"}:
            continue
        response = _visit(outsider, url)
        if re.search(r"/\d+/", url) or url.endswith(".png"):
            assert response.status_code == 404, (name, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 403, 422), (name, url, response.status_code)
            body = response.content.decode(errors="replace")
            assert not any(word in body for word in DEMO_STREET_WORDS), (name, url)


@pytest.mark.django_db
def test_every_form_refuses_a_post_without_its_csrf_token(url_demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="staff"))
    for name, url in urls_for("staff", url_demo):
        if name in {"login", "healthz"}:
            continue
        response = client.post(url, {})
        assert response.status_code in (403, 404, 405), (name, url, response.status_code)


@pytest.mark.django_db
def test_the_district_level_of_the_dashboard(url_demo):
    """The district's dashboard: its official reads every street of it; the roles below read it holding
    only their own units (as a street's board holds a community's staff's); no company, no other street."""
    district = User.objects.get(username="district").district
    url = f"/dashboard/district/{district.pk}/"
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == (403 if username == "elevator" else 200), username
    outsider = Client()
    outsider.force_login(url_demo["outsider"])
    assert outsider.get(url).status_code == 404
    client = Client()
    client.force_login(User.objects.get(username="district"))
    streets = [row.name for row in client.get(url).context["board"].streets]
    assert "红旗街道" in streets and len(streets) == 2
