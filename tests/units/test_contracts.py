"""The three-party contract (units/contracts.py, contract_views.py): starting it freezes the plan, every
paying household and party must sign before the unit leaves the signing stage, every change is recorded,
and the scan is checked and served only within scope."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import READS_THE_UNIT as READ
from tests.factories import WRITES_THE_UNIT as WRITE
from tests.factories import plan_for
from units import contracts, lifecycle, plans
from units.models import (
    Contract,
    ContractChange,
    Household,
    Plan,
    PlanShare,
    Signature,
    SignatureStatus,
    Stage,
    Unit,
)

pytestmark = pytest.mark.django_db

ROLES = ["leader", "staff", "sibling_staff", "unit_leader", "viewer", "outsider"]
SCAN = {"leader": 200, "staff": 200, "sibling_staff": 404, "unit_leader": 200, "viewer": 403, "outsider": 404}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def in_signing(unit):
    Unit.objects.filter(pk=unit.pk).update(stage=Stage.SIGNING)
    unit.refresh_from_db()
    return unit


@pytest.fixture
def contract(world):
    plan_for(world.unit)
    in_signing(world.unit)
    return contracts.contract_start(unit=world.unit, by=world.users["staff"])


def sign_everything(contract, by):
    today = timezone.localdate()
    for signature in contract.signatures.all():
        contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=today, by=by)
    contracts.contract_update(
        contract=contract,
        data={
            "elevator_company": "蜀通电梯",
            "construction_company": "锦城建设",
            "community_signed_on": today,
            "elevator_company_signed_on": today,
            "construction_company_signed_on": today,
        },
        by=by,
    )


# --- starting the contract ----------------------------------------------------------------------


def test_start_freezes_the_plan_and_lists_the_paying_households(world, contract):
    plan = contract.plan
    assert plan.is_signed and plan.signed_by == world.users["staff"]
    assert contract.amount == plan.total_cost
    paying = {s.household_id for s in plan.shares.all() if s.amount > 0}
    assert {s.household_id for s in contract.signatures.all()} == paying
    assert len(paying) == 10  # the ground floor pays nothing and does not sign
    assert contract.signatures.filter(status=SignatureStatus.PENDING).count() == 10
    assert ContractChange.objects.get(contract=contract).field == "created"


@pytest.mark.parametrize("stage", [Stage.CONSULTATION, Stage.NOTICE, Stage.APPROVAL])
def test_start_only_in_the_signing_stage(world, stage):
    plan_for(world.unit)
    Unit.objects.filter(pk=world.unit.pk).update(stage=stage)
    world.unit.refresh_from_db()
    with pytest.raises(contracts.ContractRefused):
        contracts.contract_start(unit=world.unit, by=None)
    assert not Contract.objects.exists() and not Plan.objects.filter(signed_at__isnull=False).exists()


def test_start_needs_a_plan_matching_the_roster(world):
    in_signing(world.unit)
    with pytest.raises(contracts.ContractRefused):
        contracts.contract_start(unit=world.unit, by=None)
    plan_for(world.unit)
    Household.objects.filter(unit=world.unit, room="601").update(area=Decimal("90.00"))
    with pytest.raises(contracts.ContractRefused):
        contracts.contract_start(unit=world.unit, by=None)
    assert not Contract.objects.exists()


def test_start_twice_is_refused(world, contract):
    with pytest.raises(contracts.ContractRefused):
        contracts.contract_start(unit=world.unit, by=None)


def test_a_frozen_plan_gets_no_new_version(world, contract):
    with pytest.raises(plans.PlanFrozen):
        plan_for(world.unit, total="650000", base=1)
    assert Plan.objects.filter(unit=world.unit).count() == 1


def test_the_database_refuses_to_change_a_frozen_plan(world, contract):
    plan = contract.plan
    with pytest.raises(DatabaseError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(total_cost=Decimal("1"))
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanShare.objects.filter(plan=plan).update(amount=Decimal("1"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Plan.objects.create(
            unit=world.unit, version=2, stops=6, total_cost=1, subsidy=0, coefficients={}, created_at=timezone.now()
        )
    plan.refresh_from_db()
    assert plan.total_cost == Decimal("600000.00")


# --- signatures, parties and the lifecycle guard ------------------------------------------------------


def test_signature_changes_are_recorded(world, contract):
    signature = contract.signatures.select_related("household").get(household__room="601")
    day = timezone.localdate() - timedelta(days=1)
    change = contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=day, by=world.users["staff"])
    assert (change.household, change.changed_by) == (signature.household, world.users["staff"])
    assert day.isoformat() in change.after and change.before
    assert contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=day, by=None) is None
    contracts.signature_set(signature=signature, status=SignatureStatus.PENDING, signed_on=day, by=world.users["leader"])
    signature.refresh_from_db()
    assert signature.signed_on is None
    assert contract.changes.filter(field="signature").count() == 2


def test_signature_constraints(world, contract):
    with pytest.raises(DatabaseError), transaction.atomic():
        contract.signatures.filter(household__room="601").update(status=SignatureStatus.SIGNED)  # no date


def test_contract_guard_blocks_leaving_the_signing_stage_until_complete(world, contract):
    problems = lifecycle.blockers(world.unit, Stage.APPROVAL)
    assert len(problems) == 4  # ten households, then each of the three parties
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.unit_move(unit=world.unit, after=Stage.APPROVAL, by=world.users["leader"])
    sign_everything(contract, world.users["staff"])
    one = contract.signatures.select_related("household").get(household__room="201")
    contracts.signature_set(signature=one, status=SignatureStatus.REFUSED, signed_on=None, by=world.users["staff"])
    problems = lifecycle.blockers(world.unit, Stage.APPROVAL)
    assert len(problems) == 1 and "201" in problems[0]
    contracts.signature_set(signature=one, status=SignatureStatus.SIGNED, signed_on=timezone.localdate(), by=world.users["staff"])
    assert contracts.progress(contract).complete
    lifecycle.unit_move(unit=world.unit, after=Stage.APPROVAL, by=world.users["leader"])
    assert Unit.objects.get(pk=world.unit.pk).stage == Stage.APPROVAL


def test_no_contract_blocks_too(world):
    in_signing(world.unit)
    assert lifecycle.blockers(world.unit, Stage.APPROVAL)


def test_contract_update_records_each_field(world, contract):
    changes = contracts.contract_update(
        contract=contract, data={"amount": Decimal("610000"), "elevator_company": " 蜀通电梯 "}, by=world.users["leader"]
    )
    assert {(c.field, c.before, c.after) for c in changes} == {
        ("amount", "600000.00", "610000"),
        ("elevator_company", "", "蜀通电梯"),
    }
    assert contracts.contract_update(contract=contract, data={"elevator_company": "蜀通电梯"}, by=None) == []


def test_a_company_signs_under_its_name(world, contract):
    with pytest.raises(DatabaseError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(elevator_company_signed_on=timezone.localdate())


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_contract_pages_by_role(client, world, contract, role):
    client.force_login(world.users[role])
    pk = world.unit.pk
    assert client.get(reverse("unit_contract", args=[pk])).status_code == READ[role]
    flat = contract.signatures.select_related("household").get(household__room="602").household
    response = client.post(reverse("signature_update", args=[pk, flat.pk]), {"status": "signed"})
    assert response.status_code == WRITE[role]
    signature = Signature.objects.get(contract=contract, household=flat)
    if WRITE[role] == 302:
        assert (signature.status, signature.signed_on) == (SignatureStatus.SIGNED, timezone.localdate())
    else:
        assert signature.status == SignatureStatus.PENDING


def test_signature_row_over_htmx_returns_the_list(client, world, contract):
    client.force_login(world.users["staff"])
    flat = contract.signatures.select_related("household").get(household__room="501").household
    response = client.post(
        reverse("signature_update", args=[world.unit.pk, flat.pk]),
        {"status": "signed", "signed_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and 'id="contract-live"' in response.content.decode()
    assert Signature.objects.get(contract=contract, household=flat).status == SignatureStatus.PENDING  # future date
    response = client.post(reverse("signature_update", args=[world.unit.pk, flat.pk]), {"status": "signed"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="households-signed"' in response.content.decode()
    assert "1/10" in response.content.decode()


def test_start_from_the_plan_page(client, world):
    plan_for(world.unit)
    client.force_login(world.users["viewer"])
    assert client.post(reverse("contract_start", args=[world.unit.pk])).status_code == 403
    client.force_login(world.users["staff"])
    page = client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()
    assert 'data-testid="start-contract"' not in page  # not in the signing stage yet
    response = client.post(reverse("contract_start", args=[world.unit.pk]))
    assert response.status_code == 302 and not Contract.objects.exists()
    in_signing(world.unit)
    assert 'data-testid="start-contract"' in client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()
    response = client.post(reverse("contract_start", args=[world.unit.pk]))
    assert response.url == reverse("unit_contract", args=[world.unit.pk])
    page = client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()
    assert 'data-testid="plan-form"' not in page  # frozen: read-only now


def test_contract_form_saves_parties_and_a_scan(client, world, contract):
    client.force_login(world.users["staff"])
    today = timezone.localdate().isoformat()
    data = {
        "amount": "600000.00",
        "signed_on": today,
        "elevator_company": "蜀通电梯",
        "construction_company": "",
        "community_signed_on": today,
        "elevator_company_signed_on": today,
        "construction_company_signed_on": today,  # but no construction company named
        "scan": SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"),
    }
    response = client.post(reverse("unit_contract", args=[world.unit.pk]), data)
    assert response.status_code == 422
    data["construction_company"] = "锦城建设"
    data["scan"] = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("unit_contract", args=[world.unit.pk]), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    scan = contract.scan_version
    assert scan.original_name == "合同.pdf" and scan.file.name.startswith("contracts/") and scan.number == 1
    assert "合同" not in scan.file.name  # stored under a random name
    assert contracts.progress(contract).parties_signed == 3
    fields = set(contract.changes.values_list("field", flat=True))
    assert {"scan", "signed_on", "elevator_company", "construction_company_signed_on"} <= fields


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.pdf", b"MZ\x90\x00 not a pdf"), ("scan.png", b"GIF89a"), ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))],
)
def test_scans_are_checked_by_their_bytes_and_size(client, world, contract, name, content):
    client.force_login(world.users["staff"])
    data = {"amount": "600000.00", "scan": SimpleUploadedFile(name, content, content_type="application/pdf")}
    response = client.post(reverse("unit_contract", args=[world.unit.pk]), data)
    assert response.status_code == 422
    contract.refresh_from_db()
    assert contract.scan_version is None and not contract.scan_versions.exists()


@pytest.mark.parametrize("role", ROLES)
def test_scan_is_served_within_scope_only(client, world, contract, role):
    contracts.contract_update(
        contract=contract, data={"scan": SimpleUploadedFile("签字页.png", PNG, content_type="image/png")}, by=None
    )
    client.force_login(world.users[role])
    response = client.get(reverse("contract_scan", args=[world.unit.pk]))
    assert response.status_code == SCAN[role]
    if response.status_code == 200:
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content) == PNG


def test_contract_page_without_contract_is_404(client, world):
    client.force_login(world.users["staff"])
    assert client.get(reverse("unit_contract", args=[world.unit.pk])).status_code == 404


def test_contract_page_query_count_does_not_grow(client, world, contract, django_assert_num_queries):
    client.force_login(world.users["staff"])
    url = reverse("unit_contract", args=[world.unit.pk])
    # session, user, unit, contract+plan, signatures, plan shares, history, scan versions, user's community (navbar)
    with django_assert_num_queries(10):
        client.get(url)
    sign_everything(contract, world.users["staff"])
    for name in ("a.pdf", "b.pdf"):
        contracts.contract_update(
            contract=contract, data={"scan": SimpleUploadedFile(name, PDF, content_type="application/pdf")},
            by=world.users["staff"],
        )
    with django_assert_num_queries(10):
        client.get(url)


def test_plan_panel_shows_contract_progress(rf, world, contract, django_assert_num_queries):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = world.users["staff"]
    template = Template("{% load unit_tags %}{% unit_plan_panel unit %}")
    with django_assert_num_queries(2):  # the current plan; the contract with its signature counts
        html = template.render(Context({"request": request, "unit": world.unit}))
    assert "0/10" in html and reverse("unit_contract", args=[world.unit.pk]) in html


# --- a contract is not signed before the notice ended, nor tomorrow -------------------------------------


def _completed_notice(world, posted):
    from datetime import datetime, time

    from consultations.models import Notice, NoticeStatus

    return Notice.objects.create(
        unit=world.unit, draft_signed_on=posted, starts_on=posted, days=20, plan_summary="方案",
        status=NoticeStatus.COMPLETED, started_by=world.users["staff"],
        started_at=timezone.make_aware(datetime.combine(posted, time(9))),
    )


def test_a_signature_dated_before_the_notice_ended_or_tomorrow_is_refused(world, contract):
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    _completed_notice(world, today - timedelta(days=30))  # signing opened 10 days ago
    signature = contract.signatures.select_related("household").first()
    staff = world.users["staff"]
    with pytest.raises(ValidationError) as refused:
        contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=today - timedelta(days=15), by=staff)
    message = " ".join(refused.value.messages)
    assert signature.household.room in message and f"{today - timedelta(days=10):%Y-%m-%d}" in message
    with pytest.raises(ValidationError) as refused:
        contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=today + timedelta(days=1), by=staff)
    assert "将来" in " ".join(refused.value.messages)
    contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=today - timedelta(days=5), by=staff)
    with pytest.raises(ValidationError) as refused:
        contracts.contract_update(contract=contract, data={"community_signed_on": today - timedelta(days=20)}, by=staff)
    assert "社区签字日期" in " ".join(refused.value.message_dict["community_signed_on"])


def test_the_contract_page_says_why_an_early_signature_is_refused(client, world, contract):
    from datetime import timedelta

    today = timezone.localdate()
    _completed_notice(world, today - timedelta(days=30))
    signature = contract.signatures.select_related("household").first()
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("signature_update", args=[world.unit.pk, signature.household_id]),
        {"status": "signed", "signed_on": (today - timedelta(days=15)).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "公示结束前" in response.content.decode()
    response = client.post(
        reverse("unit_contract", args=[world.unit.pk]), {"community_signed_on": (today - timedelta(days=20)).isoformat()}
    )
    assert response.status_code == 422


# --- every scan is kept: a replacement is a new version, clearing only empties the pointer ----------

PDF_2 = PDF.replace(b"<<>>", b"<< /Second true >>", 1)


def _upload(client, unit, name, content, content_type="application/pdf", **extra):
    data = {"amount": "600000.00", "scan": SimpleUploadedFile(name, content, content_type=content_type), **extra}
    return client.post(reverse("unit_contract", args=[unit.pk]), data)


def test_replacing_a_scan_twice_keeps_three_versions_all_downloadable(client, world, contract):
    import hashlib

    from units.models import ContractScanVersion

    client.force_login(world.users["staff"])
    for name, content, kind in (("合同.pdf", PDF, "application/pdf"), ("签字页.png", PNG, "image/png"), ("合同-终稿.pdf", PDF_2, "application/pdf")):
        assert _upload(client, world.unit, name, content, kind).status_code == 302
    versions = list(ContractScanVersion.objects.filter(contract=contract).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.original_name for v in versions] == ["合同.pdf", "签字页.png", "合同-终稿.pdf"]
    assert [v.size for v in versions] == [len(PDF), len(PNG), len(PDF_2)]
    assert [v.sha256 for v in versions] == [hashlib.sha256(c).hexdigest() for c in (PDF, PNG, PDF_2)]
    assert {v.uploaded_by for v in versions} == {world.users["staff"]}
    assert len({v.file.name for v in versions}) == 3 and all("合同" not in v.file.name for v in versions)
    contract.refresh_from_db()
    assert contract.scan_version == versions[2]

    # The page lists every version with who uploaded it; each one downloads with its own bytes.
    page = client.get(reverse("unit_contract", args=[world.unit.pk])).content.decode()
    for version, content in zip(versions, (PDF, PNG, PDF_2), strict=True):
        url = reverse("contract_scan_version", args=[world.unit.pk, version.pk])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
    assert page.count('data-testid="scan-version"') == 3 and world.users["staff"].username in page
    # The current scan is the newest.
    assert b"".join(client.get(reverse("contract_scan", args=[world.unit.pk])).streaming_content) == PDF_2

    # The history keeps who, when, before and after, naming the versions.
    scan_changes = list(contract.changes.filter(field="scan").order_by("changed_at", "id"))
    assert [(c.before, c.after) for c in scan_changes] == [
        ("", "合同.pdf (v1)"),
        ("合同.pdf (v1)", "签字页.png (v2)"),
        ("签字页.png (v2)", "合同-终稿.pdf (v3)"),
    ]
    assert {c.changed_by for c in scan_changes} == {world.users["staff"]}


@pytest.mark.parametrize("role", ROLES)
def test_every_scan_version_is_served_within_scope_only(client, world, contract, role):
    first = contracts.contract_update(
        contract=contract, data={"scan": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")}, by=None
    )
    contracts.contract_update(
        contract=contract, data={"scan": SimpleUploadedFile("b.png", PNG, content_type="image/png")}, by=None
    )
    assert first
    version = contract.scan_versions.get(number=1)
    client.force_login(world.users[role])
    response = client.get(reverse("contract_scan_version", args=[world.unit.pk, version.pk]))
    assert response.status_code == SCAN[role]
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF


def test_a_version_of_another_units_contract_is_404(client, world, contract):
    from units.models import ContractScanVersion

    contracts.contract_update(
        contract=contract, data={"scan": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")}, by=None
    )
    version = ContractScanVersion.objects.get()
    client.force_login(world.users["leader"])  # sees both units of the street
    assert client.get(reverse("contract_scan_version", args=[world.sibling_unit.pk, version.pk])).status_code == 404


def test_clearing_the_scan_keeps_the_file_and_its_version(client, world, contract, settings):
    from django.core.files.storage import default_storage

    from units.models import ContractScanVersion

    client.force_login(world.users["staff"])
    assert _upload(client, world.unit, "合同.pdf", PDF).status_code == 302
    version = ContractScanVersion.objects.get()
    response = client.post(reverse("unit_contract", args=[world.unit.pk]), {"amount": "600000.00", "clear_scan": "on"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.scan_version is None
    assert ContractScanVersion.objects.get() == version
    assert default_storage.exists(version.file.name)
    assert client.get(reverse("contract_scan", args=[world.unit.pk])).status_code == 404  # no current scan
    response = client.get(reverse("contract_scan_version", args=[world.unit.pk, version.pk]))
    assert b"".join(response.streaming_content) == PDF
    cleared = contract.changes.filter(field="scan").order_by("-changed_at", "-id").first()
    assert (cleared.before, cleared.after, cleared.changed_by) == ("合同.pdf (v1)", "", world.users["staff"])
    # Uploading again after clearing continues the numbering.
    assert _upload(client, world.unit, "新.pdf", PDF_2).status_code == 302
    assert list(contract.scan_versions.values_list("number", flat=True).order_by("number")) == [1, 2]
