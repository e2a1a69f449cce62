"""A unit's file (档案): everything recorded about one unit, as one PDF for the archive or a mediator.

``unit_file(unit, user)`` reads it in a fixed number of queries whatever the number of households,
votes, contacts or payments: the status sheet's reads (status_sheet.unit_sheets, which also masks the
roster for the user's role), then one query each for vote changes, contacts, opinion form versions,
rounds, meetings, notices, objections, plan versions, the shown plan's shares, acceptance checks,
construction log entries, the ledger, the stage history and the changes of owner, and for a contract
its signatures and scan versions; then, for each decision day (consent reached, each notice's first day,
the contract signed), the consent of that day from ``consent_from`` over the unit's consent history, read
once (four queries, whatever the number of decision days).
Stored images (opinion form photos, site photos) are embedded as data URIs read through the file
field's storage, so the PDF fetches nothing; a PDF upload is listed by name. Names and phones are
masked here, with the status sheet's rules, so the template never sees what the role may not.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.db.models import Q
from django.utils import timezone

from consultations import campaign
from consultations import models as consultation
from consultations.selectors import UnitConsent, consent_from, consent_history
from payments.models import LedgerEntry
from retrofit import masking, uploads
from units.models import Contract, ContractScanVersion, Plan, PlanShare, Signature, Stage, StageChange, Unit
from works.models import AcceptanceCheck, ConstructionLogEntry
from works.selectors import one

from .common import render_pdf
from .status_sheet import UnitSheet, unit_sheets


@dataclass
class Attachment:
    """One stored version of a paper: embedded when it is an image, named when it is a PDF."""

    number: int
    name: str
    uploaded_at: datetime
    content_type: str
    data_uri: str = ""  # images only

    @property
    def is_image(self) -> bool:
        return bool(self.data_uri)


@dataclass
class ContactLine:
    contact: consultation.Contact
    forms: list[Attachment] = field(default_factory=list)


@dataclass
class HouseholdFile:
    """One household's vote, its history and the contacts that led to it."""

    room: str
    owner: str  # masked as on the status sheet
    vote: str
    reason: str
    history: list[consultation.VoteChange]
    contacts: list[ContactLine]


@dataclass
class NoticeFile:
    notice: consultation.Notice
    objections: list[tuple[consultation.Objection, str]]  # (objection, objector's name as the role may see it)


CONSENT_REACHED, NOTICE_STARTS, CONTRACT_SIGNED = "consent", "notice", "contract"


@dataclass
class DayRow:
    """One flat on a decision day: its owner of that day (masked for the role) and their vote of that day."""

    room: str
    floor: int
    area: object
    owner: str
    phone: str
    vote: str
    changed_owner: bool  # the flat has changed owner since: today's owner is someone else


@dataclass
class DecisionDay:
    """The roster as the law counted it on the day of a decision (docs/rules.md, "Consent": consent on a given day)."""

    day: date
    decisions: list[str]  # what was decided that day: CONSENT_REACHED, NOTICE_STARTS, CONTRACT_SIGNED (the template names them)
    rows: list[DayRow]
    result: UnitConsent

    @property
    def consent(self):
        return self.result.consent


@dataclass
class UnitFile:
    sheet: UnitSheet
    households: list[HouseholdFile]
    stage_changes: list[StageChange]
    rounds: list[consultation.ConsultationRound]
    meetings: list[consultation.Meeting]
    notices: list[NoticeFile]
    plans: list[Plan]
    shares: list[tuple[PlanShare, str]]  # the shown plan's rows with the owner as the role may see it
    share_plan: Plan | None
    contract: Contract | None
    signatures: list[tuple[Signature, str]]
    scans: list[Attachment]
    approval: object | None
    construction: object | None
    checks: list[AcceptanceCheck]
    log: list[tuple[ConstructionLogEntry, Attachment | None]]
    ledger: list[tuple[LedgerEntry, str]]
    decision_days: list[DecisionDay]
    exported_by: object
    today: date

    @property
    def unit(self) -> Unit:
        return self.sheet.unit

    @property
    def vote_labels(self) -> dict:
        return dict(consultation.VoteValue.choices)


def _attachment(version, *, embed: bool = True) -> Attachment:
    """A version as the PDF shows it. An image whose stored file is missing is listed by name only."""
    data_uri = ""
    if embed and version.content_type in uploads.IMAGES:
        try:
            with version.file.open("rb") as fh:
                data_uri = f"data:{version.content_type};base64,{base64.b64encode(fh.read()).decode('ascii')}"
        except (FileNotFoundError, OSError):
            data_uri = ""
    return Attachment(
        number=version.number,
        name=version.original_name or version.file.name.rsplit("/", 1)[-1],
        uploaded_at=version.uploaded_at,
        content_type=version.content_type,
        data_uri=data_uri,
    )


def _decisions(stage_changes, notices, contract) -> dict[date, list[str]]:
    """The unit's decision days, earliest first, each with what was decided: consent reached (the first move
    into the public notice, which the consent guard allows), each notice's first day, the contract signed."""
    days: dict[date, list[str]] = defaultdict(list)
    reached = next((c for c in stage_changes if c.after == Stage.NOTICE), None)
    if reached is not None:
        days[timezone.localdate(reached.changed_at)].append(CONSENT_REACHED)
    for item in notices:
        days[item.notice.starts_on].append(NOTICE_STARTS)
    if contract is not None and contract.signed_on:
        days[contract.signed_on].append(CONTRACT_SIGNED)
    return dict(sorted(days.items()))


def _decision_days(sheet: UnitSheet, user, history, transfers, decided: dict[date, list[str]]) -> list[DecisionDay]:
    """Each decision day's roster from what is already read, and its consent from ``consent_from`` over the
    unit's consent history (read once: four queries for all the days).

    Names and phones are masked before the day rule picks the owner, so the rule never sees what the role
    may not; the rows and ``consent_from`` apply the same rule (campaign.holder_on and vote_on).
    """
    owner = partial(masking.owner_for, user)

    entries = {
        pk: [campaign.VoteEntry(c.changed_at, timezone.localdate(c.changed_at), c.before, c.after) for c in changes]
        for pk, changes in history.items()
    }
    moves = {
        pk: [
            campaign.TransferEntry(
                t.transferred_on, t.recorded_at, owner(t.old_name), masking.phone_for(user, t.old_phone),
                owner(t.new_name), masking.phone_for(user, t.new_phone),
            )
            for t in items
        ]
        for pk, items in transfers.items()
    }
    result = []
    counted = consent_history(sheet.unit) if decided else None
    for day, decisions in decided.items():
        rows = []
        for row in sheet.households:
            name, phone, since, until = campaign.holder_on(day, moves.get(row.pk, []), row.owner, row.phone)
            vote = campaign.vote_on(day, entries.get(row.pk, []), since, until, current=row.vote)
            rows.append(DayRow(row.room, row.floor, row.area, name, phone, vote, changed_owner=until is not None))
        result.append(DecisionDay(day, decisions, rows, consent_from(counted, day)))
    return result


def unit_file(unit: Unit, user) -> UnitFile:
    """The file of ``unit`` (already scoped to ``user``), masked for ``user``'s role.

    Queries: the status sheet's ten, then fourteen more, and two for a contract's signatures and scans,
    and the consent history's four when the unit has a decision day; none depends on the unit's size or on
    the number of its decision days.
    """
    sheet = unit_sheets(Unit.objects.filter(pk=unit.pk), user)[0]
    unit = sheet.unit
    owner = partial(masking.owner_for, user)

    history = defaultdict(list)
    for change in consultation.VoteChange.objects.filter(household__unit=unit).select_related("changed_by").order_by(
        "changed_at", "id"
    ):
        history[change.household_id].append(change)
    forms = defaultdict(list)
    versions = consultation.OpinionFormVersion.objects.filter(contact__household__unit=unit)
    for version in versions.order_by("contact_id", "number"):
        forms[version.contact_id].append(_attachment(version))
    contacts = defaultdict(list)
    for contact in consultation.Contact.objects.filter(household__unit=unit).select_related("made_by", "round").order_by(
        "contacted_at", "id"
    ):
        contacts[contact.household_id].append(ContactLine(contact, forms.get(contact.pk, [])))
    households = [
        HouseholdFile(
            room=row.room,
            owner=row.owner,
            vote=row.vote,
            reason=row.reason,
            history=history.get(row.pk, []),
            contacts=contacts.get(row.pk, []),
        )
        for row in sheet.households
    ]

    objections = defaultdict(list)
    for objection in consultation.Objection.objects.filter(notice__unit=unit).select_related("household", "settled_by"):
        objections[objection.notice_id].append((objection, owner(objection.objector)))
    notices = [
        NoticeFile(notice, objections.get(notice.pk, []))
        for notice in consultation.Notice.objects.filter(unit=unit).select_related("started_by").order_by("started_at", "id")
    ]

    plans = list(Plan.objects.filter(unit=unit).select_related("created_by", "signed_by").order_by("version"))
    share_plan = next((p for p in plans if p.is_signed), None) or sheet.plan
    shares = []
    if share_plan is not None:
        shares = [
            (share, owner(share.household.owner_name))
            for share in PlanShare.objects.filter(plan=share_plan).select_related("household").order_by("-floor", "room")
        ]

    contract = sheet.contract
    signatures, scans = [], []
    if contract is not None:
        signatures = [
            (signature, owner(signature.household.owner_name))
            for signature in Signature.objects.filter(contract=contract)
            .select_related("household")
            .order_by("-household__floor", "household__room")
        ]
        scans = [_attachment(v, embed=False) for v in ContractScanVersion.objects.filter(contract=contract)]

    log = [
        (entry, _attachment(entry.photo_version) if entry.photo_version else None)
        for entry in ConstructionLogEntry.objects.filter(unit=unit)
        .select_related("by", "photo_version")
        .order_by("date", "id")
    ]
    ledger = [
        (entry, owner(entry.household.owner_name))
        for entry in LedgerEntry.objects.filter(unit=unit).select_related("household").order_by("on", "id")
    ]
    meetings = list(
        consultation.Meeting.objects.filter(Q(units=unit) | Q(action_items__units=unit))
        .distinct()
        .order_by("held_on", "id")
    )
    transfers = defaultdict(list)
    for transfer in consultation.OwnerTransfer.objects.filter(household__unit=unit).order_by("transferred_on", "recorded_at"):
        transfers[transfer.household_id].append(transfer)
    stage_changes = list(StageChange.objects.filter(unit=unit).select_related("changed_by").order_by("changed_at", "id"))
    decided = _decisions(stage_changes, notices, contract)
    return UnitFile(
        sheet=sheet,
        households=households,
        stage_changes=stage_changes,
        rounds=list(consultation.ConsultationRound.objects.filter(unit=unit).order_by("number")),
        meetings=meetings,
        notices=notices,
        plans=plans,
        shares=shares,
        share_plan=share_plan,
        contract=contract,
        signatures=signatures,
        scans=scans,
        approval=one(unit, "approval"),
        construction=one(unit, "construction"),
        checks=list(AcceptanceCheck.objects.filter(unit=unit).order_by("date", "id")),
        log=log,
        ledger=ledger,
        decision_days=_decision_days(sheet, user, history, transfers, decided),
        exported_by=user,
        today=timezone.localdate(),
    )


def write_pdf(file: UnitFile, output) -> None:
    render_pdf("exports/unit_file_pdf.html", {"file": file, "sheet": file.sheet}, output)


def logged_ids(file: UnitFile) -> dict:
    """What the export log records of a unit's file: the unit and how much of each kind went out."""
    return {
        "units": [file.unit.pk],
        "households": len(file.households),
        "vote_changes": sum(len(h.history) for h in file.households),
        "contacts": sum(len(h.contacts) for h in file.households),
        "ledger": len(file.ledger),
    }
