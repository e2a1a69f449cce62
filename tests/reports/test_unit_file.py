"""A unit's file (档案) as one PDF: every part in it, a vote's history, images embedded, masking, the log,
the command, and a query count that does not grow with the unit."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader

from consultations import models as consultation
from consultations import services
from consultations.selectors import consent_on
from payments.models import LedgerEntry
from reports.exports import unit_file
from retrofit.documents import version_add
from retrofit.models import ExportFormat, ExportKind, ExportLog
from tests.factories import add_flats, at_stage, make_unit, plan_for
from units import contracts
from units.models import Contract, Stage, StageChange, Unit
from works.models import AcceptanceCheck, ConstructionLogEntry, SitePhotoVersion

from .conftest import FULL_NAMES, FULL_PHONES, body

PARTS = [
    "目录",
    "名册与表决情况",
    "表决意见及变更记录",
    "征询轮次、走访与会议",
    "公示与异议",
    "方案版本与费用分摊",
    "三方协议、签字与扫描件",
    "审批、验收与照片",
    "缴费",
]


COLOURS = iter(range(10_000))


def _png() -> ContentFile:
    """A small PNG, a different one each time (a PDF stores one copy of identical images)."""
    handle = io.BytesIO()
    n = next(COLOURS)
    Image.new("RGB", (240, 160), (n % 256, n // 256 % 256, 90)).save(handle, "PNG")
    return ContentFile(handle.getvalue(), name="意见表.png")


def fill(unit, flats, staff, *, objector="业主8"):
    """Every kind of record the file shows: votes changed, a contact with a signed form, a round, a
    meeting, a notice with an objection, an acceptance check, a log entry with a photo, a payment."""
    now = timezone.now()
    today = timezone.localdate()
    round_ = consultation.ConsultationRound.objects.create(
        unit=unit, number=1, opened_on=today - timedelta(days=30), deadline=today - timedelta(days=5),
        by_notice=True, opened_by=staff,
    )
    for flat in flats:
        consultation.VoteChange.objects.create(
            household=flat, before="undecided", after="oppose", reason="担心采光", changed_by=staff,
            changed_at=now - timedelta(days=20),
        )
        consultation.VoteChange.objects.create(
            household=flat, before="oppose", after="agree", reason="看过方案后同意", changed_by=staff,
            changed_at=now - timedelta(days=10),
        )
        contact = consultation.Contact.objects.create(
            household=flat, round=round_, channel="visit", outcome="form_signed", made_by=staff,
            contacted_at=now - timedelta(days=10),
        )
        version = version_add(model=consultation.OpinionFormVersion, owner=contact, upload=_png(), content_type="image/png", by=staff)
        consultation.Contact.objects.filter(pk=contact.pk).update(opinion_form_version=version)
        version_add(
            model=consultation.OpinionFormVersion, owner=contact, upload=ContentFile(b"%PDF-1.4\n", name="扫描件.pdf"),
            content_type="application/pdf", by=staff,
        )
    meeting = consultation.Meeting.objects.create(
        street=unit.street, kind="yard", held_on=today - timedelta(days=25), place="院坝", minutes="讲解方案",
        created_by=staff, created_at=now,
    )
    meeting.units.add(unit)
    notice = consultation.Notice.objects.create(
        unit=unit, round=round_, draft_signed_on=today - timedelta(days=8), starts_on=today - timedelta(days=7),
        days=10, plan_summary="加装电梯方案", started_by=staff, started_at=now, status="running",
    )
    consultation.Objection.objects.create(
        notice=notice, household=flats[0], objector=objector, received_on=today - timedelta(days=6),
        content="影响一楼采光", resolution="调整井道位置后撤回", settled_on=today - timedelta(days=3), settled_by=staff,
        recorded_by=staff, recorded_at=now,
    )
    AcceptanceCheck.objects.create(unit=unit, level="supervisory", result="pass", date=today, inspector="市特检院")
    entry = ConstructionLogEntry.objects.create(unit=unit, date=today, text="井道基础浇筑", by=staff, created_at=now)
    photo = version_add(model=SitePhotoVersion, owner=entry, upload=_png(), content_type="image/png", by=staff)
    ConstructionLogEntry.objects.filter(pk=entry.pk).update(photo_version=photo)
    LedgerEntry.objects.create(
        unit=unit, household=flats[0], kind="payment", amount=Decimal("1200.00"), on=today, method="cash",
        receipt_no="R-001", recorded_by=staff, recorded_at=now,
    )


def pdf_text(data: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages), reader


@pytest.fixture
def filled(signed):
    fill(signed.unit, signed.flats[:3], signed.users["staff"])
    return signed


def test_staff_file_holds_every_part_a_vote_history_and_the_images(client, filled):
    client.force_login(filled.users["staff"])
    response = client.get(reverse("unit_file_pdf", args=[filled.unit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "%E6%A1%A3%E6%A1%88" in response["Content-Disposition"]  # 档案 in the file name
    text, reader = pdf_text(body(response))
    for part in PARTS:
        assert part in text, part
    assert "担心采光" in text and "看过方案后同意" in text  # a vote's history, both steps
    assert "业主0" in text and "139 0000 0000" in text  # staff see names and phones
    assert "影响一楼采光" in text and "调整井道位置后撤回" in text  # the objection and its resolution
    assert "扫描件.pdf" in text  # a PDF form is listed by name
    assert "井道基础浇筑" in text and "市特检院" in text and "R-001" in text
    assert len(reader.pages) >= 9  # a cover, then each part from a new page
    assert "1 / " in reader.pages[0].extract_text()  # pages numbered
    images = {image.name for page in reader.pages for image in page.images}
    assert len(images) == 4  # three opinion form photos and one site photo, embedded
    log = ExportLog.objects.get()
    assert (log.kind, log.format, log.user) == (ExportKind.UNIT_FILE, ExportFormat.PDF, filled.users["staff"])
    assert log.object_ids["units"] == [filled.unit.pk] and log.object_ids["vote_changes"] == 6


def test_the_viewer_file_has_no_full_name_or_phone(client, filled):
    client.force_login(filled.users["viewer"])
    text, _reader = pdf_text(body(client.get(reverse("unit_file_pdf", args=[filled.unit.pk]))))
    assert "表决意见及变更记录" in text and "担心采光" in text
    assert "业*" in text and "139****0000" in text
    assert not any(name in text for name in FULL_NAMES)
    assert not any(phone in text for phone in FULL_PHONES)


def test_a_unit_with_nothing_recorded_still_makes_a_file(client, world):
    unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="5")
    client.force_login(world.users["staff"])
    text, _reader = pdf_text(body(client.get(reverse("unit_file_pdf", args=[unit.pk]))))
    assert all(part in text for part in PARTS)


def test_the_query_count_does_not_grow_with_the_unit(world, django_assert_num_queries):
    staff = world.users["staff"]
    sizes = []
    for building, n in (("6", 3), ("7", 12)):
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building=building)
        flats = add_flats(unit, ["agree"] * n, per_floor=n // 6 + 1)
        plan_for(unit)
        fill(unit, flats, staff)
        sizes.append(unit)
    for unit in sizes:
        unit = Unit.objects.get(pk=unit.pk)
        # 24 (the same-owner decisions included), the changes of owner (1), and consent_on's four for the
        # one decision day (the notice's first day; its same-owner links included)
        with django_assert_num_queries(29):
            file = unit_file.unit_file(unit, staff)
        assert len(file.households) in (3, 12) and all(len(h.history) == 2 for h in file.households)


def test_the_command_writes_the_file_and_logs_it(filled, tmp_path):
    out = tmp_path / "file.pdf"
    with translation.override("zh-hans"):
        call_command("unit_file", str(filled.unit.pk), "-o", str(out), stdout=io.StringIO())
    text, _reader = pdf_text(out.read_bytes())
    assert "业主0" in text and all(part in text for part in PARTS)
    assert "服务器命令行" in text and "object at 0x" not in text  # who made it, in words
    call_command("unit_file", str(filled.unit.pk), "-o", str(out), "--as-user", "viewer", stdout=io.StringIO())
    text, _reader = pdf_text(out.read_bytes())
    assert not any(name in text for name in FULL_NAMES)
    logs = list(ExportLog.objects.order_by("id"))
    assert [log.user for log in logs] == [None, filled.users["viewer"]]
    assert all(log.kind == ExportKind.UNIT_FILE for log in logs)
    with pytest.raises(CommandError):
        call_command("unit_file", str(filled.far_unit.pk), "-o", str(out), "--as-user", "viewer")
    with pytest.raises(CommandError):
        call_command("unit_file", str(filled.unit.pk), "-o", str(out), "--as-user", "elevator")


def test_the_unit_page_offers_the_file(client, world):
    client.force_login(world.users["staff"])
    html = client.get(reverse("unit_detail", args=[world.unit.pk])).content.decode()
    assert reverse("unit_file_pdf", args=[world.unit.pk]) in html


def test_a_contract_adds_two_queries_whatever_its_size(filled, django_assert_num_queries):
    unit = Unit.objects.get(pk=filled.unit.pk)
    with django_assert_num_queries(31):  # 29 without a contract (its signing day not yet recorded here)
        file = unit_file.unit_file(unit, filled.users["staff"])
    assert len(file.signatures) == len(file.shares) - 2  # the two ground-floor flats pay nothing


def test_the_roster_of_each_decision_day_counts_that_days_owner(client, world):
    """101 is sold between the notice's first day and the contract: the old owner (who agreed) is on the
    first day's roster and in its figures; the new owner (undecided) on the second's."""
    unit, staff, flat = world.unit, world.users["staff"], world.flats[0]
    old_name = flat.owner_name
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    consultation.VoteChange.objects.create(
        household=flat, before="", after="agree", changed_by=staff,
        changed_at=timezone.make_aware(datetime.combine(today - timedelta(days=30), time(10)), tz),
    )
    consultation.Notice.objects.create(
        unit=unit, draft_signed_on=today - timedelta(days=21), starts_on=today - timedelta(days=20), days=10,
        plan_summary="加装电梯方案", started_by=staff, started_at=timezone.now(), status="running",
    )
    StageChange.objects.create(  # consent reached: the move into the notice, the notice's first day
        unit=unit, before=Stage.CONSULTATION, after=Stage.NOTICE,
        changed_at=timezone.make_aware(datetime.combine(today - timedelta(days=20), time(9)), tz),
    )
    services.owner_transfer_record(household=flat, transferred_on=today - timedelta(days=5), new_name="新业主", new_phone="", by=staff)
    plan_for(unit)
    at_stage(unit, Stage.SIGNING)
    Contract.objects.filter(pk=contracts.contract_start(unit=unit, by=staff).pk).update(signed_on=today - timedelta(days=2))

    file = unit_file.unit_file(Unit.objects.get(pk=unit.pk), staff)
    first, second = file.decision_days
    assert (first.day, first.decisions) == (today - timedelta(days=20), [unit_file.CONSENT_REACHED, unit_file.NOTICE_STARTS])
    assert (second.day, second.decisions) == (today - timedelta(days=2), [unit_file.CONTRACT_SIGNED])
    row = {r.room: r for r in first.rows}[flat.room]
    assert (row.owner, row.vote, row.changed_owner) == (old_name, "agree", True)
    row = {r.room: r for r in second.rows}[flat.room]
    assert (row.owner, row.vote, row.changed_owner) == ("新业主", "undecided", False)
    assert first.consent.agree == second.consent.agree + 1  # the figures are consent_on's of each day
    assert first.consent == consent_on(unit, first.day).consent

    client.force_login(staff)
    text, _reader = pdf_text(body(client.get(reverse("unit_file_pdf", args=[unit.pk]))))
    assert "各决定日依法计算的业主名册与表决情况" in text
    assert old_name in text and "新业主" in text and "原业主" in text


def test_more_decision_days_cost_no_more_queries(world):
    """Each decision day's consent comes from the unit's consent history, read once for all the days."""
    unit, staff = Unit.objects.get(pk=world.unit.pk), world.users["staff"]
    today = timezone.localdate()
    consultation.Notice.objects.create(
        unit=unit, draft_signed_on=today - timedelta(days=41), starts_on=today - timedelta(days=40), days=20,
        plan_summary="加装电梯方案", started_by=staff, started_at=timezone.now(), status="running",
    )
    with CaptureQueriesContext(connection) as one_day:
        assert len(unit_file.unit_file(unit, staff).decision_days) == 1
    StageChange.objects.create(  # consent reached on another day than the notice's first
        unit=unit, before=Stage.CONSULTATION, after=Stage.NOTICE,
        changed_at=timezone.make_aware(datetime.combine(today - timedelta(days=45), time(9)), timezone.get_current_timezone()),
    )
    with CaptureQueriesContext(connection) as two_days:
        assert len(unit_file.unit_file(unit, staff).decision_days) == 2
    assert len(two_days.captured_queries) == len(one_day.captured_queries)
