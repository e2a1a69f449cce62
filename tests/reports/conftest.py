"""Exports on top of the shared ``world``: a company user on world.unit, a plan and a contract, contacts.

world.unit (红旗街道 · 绵纺社区 · 绵纺厂宿舍小区 1栋1单元): 12 flats, owners 业主0…业主11 with phones
13900000000…, 8 agree, 1 oppose, 2 undecided, 1 abstain. world.sibling_unit (光华社区): 6 flats, all agree.
"""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from consultations.models import Contact
from retrofit.models import Role
from tests.factories import at_stage, make_user, plan_for
from units import contracts
from units.models import SignatureStatus, Stage
from works.models import Assignment, Company, CompanyKind

# Everything a role that may not see names or phones must never find in a file.
FULL_NAMES = [f"业主{i}" for i in range(12)]
# Phones as stored (13900000000) and as shown (139 0000 0000, retrofit/phones.py).
FULL_PHONES = [f"139{i:08d}" for i in range(12)] + [f"139 0000 {i:04d}" for i in range(12)]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def workbook(response):
    return load_workbook(io.BytesIO(body(response)))


def xlsx_text(data: bytes) -> str:
    """Every XML part of an .xlsx/.docx as one text: what anyone unzipping the file would find.

    Character references are resolved (openpyxl writes 业 as &#19994;), so a search finds them.
    """
    import html
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(html.unescape(archive.read(name).decode("utf-8", "replace")) for name in archive.namelist())


@pytest.fixture
def company(world):
    elevator = Company.objects.create(name="蜀通电梯", kind=CompanyKind.ELEVATOR, street=world.street)
    Assignment.objects.create(unit=world.unit, company=elevator, kind=CompanyKind.ELEVATOR)
    world.users["company"] = make_user("elevator", Role.COMPANY, company=elevator)
    return world


@pytest.fixture
def signed(company):
    """world.unit with a plan, a contract signed by two households, and three contacts."""
    world = company
    plan_for(world.unit)
    at_stage(world.unit, Stage.SIGNING)
    contract = contracts.contract_start(unit=world.unit, by=world.users["staff"])
    today = timezone.localdate()
    for signature in contract.signatures.order_by("-household__floor", "household__room")[:2]:
        contracts.signature_set(signature=signature, status=SignatureStatus.SIGNED, signed_on=today, by=None)
    now = timezone.now()
    for minutes in (1, 2, 3):
        Contact.objects.create(
            household=world.flats[9], channel="visit", outcome="talked", made_by=world.users["staff"],
            contacted_at=now - timedelta(minutes=minutes),
        )
    world.contract = contract
    return world
