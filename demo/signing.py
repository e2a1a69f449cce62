"""Signing: the three-party contract, the parties' and the households' signatures on their days, the
scanned signature page, and the move on to approval."""

from __future__ import annotations

from django.core.files.base import ContentFile

from units import contracts
from units.models import Contract, SignatureStatus, Stage, Unit

from .files import DEMO_SCAN
from .notice import post_notice
from .story import CONSTRUCTION_COMPANY, ELEVATOR_OF_UNIT, SECOND_ELEVATOR_COMPANY, Story


def sign_contract(
    story: Story,
    unit: Unit,
    started: int,
    *,
    parties: dict[str, int],
    signed_by: int,
    refused: dict[str, tuple[int, str]] | None = None,
    pending: int = 0,
    last_signature: int | None = None,
) -> Contract:
    """The three-party contract from the current plan; the parties and the households sign on their days.

    Households sign from the day after ``started`` to ``signed_by`` days ago, top floor first (they
    want the lift most), except the ``refused`` ones and the last ``pending`` ones in that order;
    ``last_signature`` holds the very last signature back to that day.
    """
    staff = story.staff_of(unit)
    contract = contracts.contract_start(unit=unit, by=staff, when=story.at(started, 14))
    elevator = ELEVATOR_OF_UNIT.get((unit.building.number, unit.number), SECOND_ELEVATOR_COMPANY)
    contracts.contract_update(
        contract=contract,
        data={"elevator_company": elevator, "construction_company": CONSTRUCTION_COMPANY},
        by=staff,
        when=story.at(started, 15),
    )
    for ago in sorted(set(parties.values()), reverse=True):
        data = {name: story.day(ago) for name, day in parties.items() if day == ago}
        contracts.contract_update(contract=contract, data=data, by=staff, when=story.at(ago, 16))
    if all(name in parties for name in Contract.PARTY_FIELDS):
        # The signed parties' page, scanned the day the last party signed: version 1 of the scan.
        contracts.contract_update(
            contract=contract, data={"scan": ContentFile(DEMO_SCAN, name="三方协议签字页.pdf")}, by=staff,
            when=story.at(min(parties.values()), 17),
        )
    signatures = list(
        contract.signatures.select_related("household").order_by("-household__floor", "household__room")
    )
    refused = refused or {}
    to_sign = [s for s in signatures if s.household.room not in refused]
    to_sign = to_sign[: len(to_sign) - pending]
    span = started - 1 - signed_by
    for index, signature in enumerate(to_sign):
        ago = started - 1 - (index * span) // max(len(to_sign) - 1, 1)
        if last_signature is not None and index == len(to_sign) - 1:
            ago = last_signature
        contracts.signature_set(
            signature=signature,
            status=SignatureStatus.SIGNED,
            signed_on=story.day(ago),
            by=staff,
            when=story.at(ago, 19),
        )
    for signature in signatures:
        if signature.household.room in refused:
            ago, note = refused[signature.household.room]
            contracts.signature_set(
                signature=signature,
                status=SignatureStatus.REFUSED,
                signed_on=story.day(ago),
                note=note,
                by=staff,
                when=story.at(ago, 20),
            )
    return contract


def through_signing(
    story: Story,
    unit: Unit,
    *,
    notice: int,
    signing: int,
    contract: int,
    signed_by: int,
    approval: int,
    last_signature=None,
) -> None:
    """Notice, signing and a complete contract; then the leader sends the unit on to approval."""
    post_notice(story, unit, notice)
    story.move(unit, Stage.SIGNING, signing, "公示期满，无异议，进入签约")
    sign_contract(
        story,
        unit,
        contract,
        parties={
            "community_signed_on": contract - 1,
            "elevator_company_signed_on": contract - 1,
            "construction_company_signed_on": contract - 2,
            "signed_on": signed_by,
        },
        signed_by=signed_by,
        last_signature=last_signature,
    )
    payers = unit.contract.signatures.count()
    story.move(
        unit,
        Stage.APPROVAL,
        approval,
        f"三方协议签订完成：出资住户{payers}户、社区、电梯公司和施工单位均已签字，报联合审查",
        by=story.users["leader"],
    )
