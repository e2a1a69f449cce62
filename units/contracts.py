"""The three-party contract: residents, the community, and the elevator and construction companies.

When it is made. The notice period shows the plan and the draft signatures (草签, the consultation
app's notice flow). Once the unit has moved on to the signing stage, staff start the contract from the
unit's current plan: that version is frozen there and then (``Plan.signed_at``), no newer version can
follow, and every household with a share above zero in it gets a signature line. A unit sent back from
the notice to the consultation can still change its plan, because no contract exists yet.

When it is complete: every paying household has signed and so have the community and both companies.
The lifecycle guard ``contract_complete`` (registered in apps.py) keeps the unit in the signing stage
until then. Every change is recorded in ``ContractChange``: who, when, which field, before and after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import documents, uploads
from retrofit.refusals import Refused, Stale

from .guards import one_unit
from .locks import lock_unit
from .models import (
    Contract,
    ContractChange,
    ContractScanVersion,
    Plan,
    Signature,
    SignatureStatus,
    Stage,
    Unit,
)
from .plans import roster_changed

NOT_IN_SIGNING = _("A contract is started in the signing stage; this unit is in “%(stage)s”.")
NO_PLAN = _("The unit has no plan yet. Save a plan first.")
CONTRACT_EXISTS = _("This unit already has a contract.")
ROSTER_CHANGED = _("The roster changed since plan version %(version)d was saved. Save a new version first.")
NO_PAYERS = _("Nobody pays in plan version %(version)d, so there is nobody to sign.")

# Guard messages.
GUARD_NO_CONTRACT = _("There is no contract yet: start it from the plan page.")
GUARD_HOUSEHOLDS = _("%(count)d paying households have not signed: %(rooms)s.")
GUARD_PARTY = _("%(party)s has not signed.")

PARTY_LABELS = {
    "community_signed_on": _("The community"),
    "elevator_company_signed_on": _("The elevator company"),
    "construction_company_signed_on": _("The construction company"),
}
# What the history shows for each recorded field.
FIELD_LABELS = {
    "created": _("Contract started"),
    "amount": _("Contract amount"),
    "signed_on": _("Contract date"),
    "elevator_company": _("Elevator company"),
    "construction_company": _("Construction company"),
    "community_signed_on": _("Community signed on"),
    "elevator_company_signed_on": _("Elevator company signed on"),
    "construction_company_signed_on": _("Construction company signed on"),
    "scan": _("Scanned copy"),
    "signature": _("Signature"),
}
CONTRACT_FIELDS = (
    "amount",
    "signed_on",
    "elevator_company",
    "construction_company",
    "community_signed_on",
    "elevator_company_signed_on",
    "construction_company_signed_on",
)


class ContractRefused(Refused):
    """The contract cannot be started now; the message says why."""


@dataclass(frozen=True)
class Progress:
    households_signed: int
    households: int
    refused: int
    parties_signed: int
    parties: int = 3

    @property
    def complete(self) -> bool:
        return self.households_signed == self.households and self.parties_signed == self.parties


def contract_start(*, unit: Unit, by, when=None) -> Contract:
    """Start the unit's contract from its current plan, freezing that version."""
    when = when or timezone.now()
    with transaction.atomic():
        locked = lock_unit(unit)
        if locked.stage != Stage.SIGNING:
            raise ContractRefused(NOT_IN_SIGNING, params={"stage": locked.get_stage_display()})
        if Contract.objects.filter(unit=locked).exists():
            raise ContractRefused(CONTRACT_EXISTS)
        plan = locked.plans.order_by("-version").prefetch_related("shares").first()
        if plan is None:
            raise ContractRefused(NO_PLAN)
        if roster_changed(plan, list(locked.households.all())):
            raise ContractRefused(ROSTER_CHANGED, params={"version": plan.version})
        payers = [share for share in plan.shares.all() if share.amount > 0]
        if not payers:
            raise ContractRefused(NO_PAYERS, params={"version": plan.version})
        Plan.objects.filter(pk=plan.pk).update(signed_at=when, signed_by=by)
        plan.signed_at, plan.signed_by = when, by
        contract = Contract.objects.create(unit=locked, plan=plan, amount=plan.total_cost, created_by=by, created_at=when)
        Signature.objects.bulk_create(Signature(contract=contract, household_id=share.household_id) for share in payers)
        ContractChange.objects.create(
            contract=contract, field="created", before="", after=f"v{plan.version}", changed_by=by, changed_at=when
        )
    return contract


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


SIGNED_IN_FUTURE = _("%(field)s (%(date)s) is in the future: record a signature once it is given.")
SIGNED_BEFORE_NOTICE_ENDED = _(
    "%(field)s (%(date)s) is before the public notice ended: signing could start on %(opens)s."
)
ROOM_SIGNED_ON = _("Room %(room)s signed on")


# The first day of signing is the public notice's to say: the consultation app registers its answer
# (unit id → the day after the completed notice's full period, or None) from its AppConfig.ready().
SIGNING_OPENS: list[Callable[[int], date | None]] = []


def register_signing_opens(source: Callable[[int], date | None]) -> None:
    if source not in SIGNING_OPENS:
        SIGNING_OPENS.append(source)


def _signing_opened_on(unit_id):
    """The first day of signing, if on record (the latest any registered source gives)."""
    days = [day for source in SIGNING_OPENS if (day := source(unit_id)) is not None]
    return max(days, default=None)


def _check_signing_dates(unit_id, dates: dict, labels: dict, when) -> None:
    """A signature has been given (not tomorrow) and after the notice ended; errors name each field."""
    dates = {name: day for name, day in dates.items() if day}
    if not dates:
        return
    today = timezone.localdate(when)
    opens = _signing_opened_on(unit_id)
    errors = {}
    for name, day in dates.items():
        values = {"field": labels[name], "date": day.isoformat()}
        if day > today:
            errors[name] = SIGNED_IN_FUTURE % values
        elif opens is not None and day < opens:
            errors[name] = SIGNED_BEFORE_NOTICE_ENDED % {**values, "opens": opens.isoformat()}
    if errors:
        raise ValidationError(errors)


def contract_update(*, contract: Contract, data: dict, by, when=None) -> list[ContractChange]:
    """Write the parties' fields and the scan; record one change per field that moved.

    ``data["scan"]`` is a new upload (checked again by the upload spec), False to clear the current scan,
    or absent. A new upload becomes the next ContractScanVersion; clearing empties only the pointer.
    No file and no version is ever deleted (retrofit/documents.py).

    Dates are those of signatures: never in the future, never before the public notice ended.
    """
    when = when or timezone.now()
    changes = []
    moved = {
        name: data[name]
        for name in ("signed_on", *Contract.PARTY_FIELDS)
        if name in data and data[name] != getattr(contract, name)
    }
    _check_signing_dates(contract.unit_id, moved, FIELD_LABELS, when)
    for name in CONTRACT_FIELDS:
        if name not in data:
            continue
        before, after = getattr(contract, name), data[name]
        if isinstance(after, str):
            after = after.strip()
        if before != after:
            setattr(contract, name, after)
            changes.append(
                ContractChange(contract=contract, field=name, before=_text(before), after=_text(after), changed_by=by, changed_at=when)
            )
    scan = data.get("scan")
    new_scan = bool(scan) and hasattr(scan, "read")
    if not changes and not new_scan and not (scan is False and contract.scan_version_id):
        return []
    with transaction.atomic():
        # Locked, so two uploads at once become consecutive versions and the "before" is the real one.
        current = Contract.objects.select_for_update(of=("self",)).select_related("scan_version").get(pk=contract.pk).scan_version
        contract.scan_version = current  # never a stale pointer from the caller's copy
        if new_scan:
            content_type = uploads.check(uploads.CONTRACT_SCAN, scan, field="scan")
            version = documents.version_add(
                model=ContractScanVersion, owner=contract, upload=scan, content_type=content_type, by=by, when=when
            )
            changes.append(_scan_change(contract, current, version, by, when))
            contract.scan_version = version
        elif scan is False and current is not None:
            changes.append(_scan_change(contract, current, None, by, when))
            contract.scan_version = None
        contract.full_clean(exclude=["unit", "plan", "created_by", "scan_version"])
        contract.save()
        ContractChange.objects.bulk_create(changes)
    return changes


def _scan_change(contract, before, after, by, when) -> ContractChange:
    """The scan's change: who, when, before and after, each named by file name and version number."""
    return ContractChange(
        contract=contract, field="scan", before=before.label if before else "", after=after.label if after else "",
        changed_by=by, changed_at=when,
    )


STALE_SIGNATURE = _(
    "Someone else changed this signature while you were editing it. "
    "The list now shows the latest; check it and save again."
)


class StaleSignature(Stale):
    """The signature changed after the form was drawn: nothing was written."""

    default_message = STALE_SIGNATURE


def signature_token(signature: Signature) -> str:
    """What the editor saw (status, date and note), as the short token the form sends back as ``seen``."""
    seen = f"{signature.status}|{signature.signed_on.isoformat() if signature.signed_on else ''}|{signature.note}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def signature_set(
    *, signature: Signature, status: str, signed_on=None, note: str = "", by, when=None, expected: str | None = None
) -> ContractChange | None:
    """Record a household's signature (or refusal, or back to pending) with who, when, before, after.

    ``expected`` is the ``signature_token`` of what the editor saw; when the stored signature has moved on
    since (someone else saved first), nothing is written and StaleSignature is raised. The row is locked,
    so of two editors saving from the same form one wins and the other is told.
    """
    when = when or timezone.now()
    if status == SignatureStatus.PENDING:
        signed_on = None
    note = (note or "").strip()
    if signed_on is not None:
        room, unit_id = Signature.objects.filter(pk=signature.pk).values_list("household__room", "contract__unit_id").get()
        _check_signing_dates(unit_id, {"signed_on": signed_on}, {"signed_on": ROOM_SIGNED_ON % {"room": room}}, when)
    with transaction.atomic():
        locked = Signature.objects.select_for_update().get(pk=signature.pk)
        if expected is not None and signature_token(locked) != expected:
            raise StaleSignature(STALE_SIGNATURE)
        before = _signature_text(locked.status, locked.signed_on)
        after = _signature_text(status, signed_on)
        if before == after and note == locked.note:
            return None
        signature.status, signature.signed_on, signature.note = status, signed_on, note
        signature.full_clean(exclude=["contract", "household"])
        signature.save(update_fields=["status", "signed_on", "note"])
        change = ContractChange.objects.create(
            contract_id=signature.contract_id,
            household_id=signature.household_id,
            field="signature",
            before=before,
            after=after + (f" ({note})" if note else ""),
            changed_by=by,
            changed_at=when,
        )
    return change


def _signature_text(status: str, signed_on) -> str:
    label = str(SignatureStatus(status).label)
    return f"{label} {signed_on.isoformat()}" if signed_on else label


def progress(contract: Contract, signatures=None) -> Progress:
    signatures = list(contract.signatures.all()) if signatures is None else signatures
    return Progress(
        households_signed=sum(1 for s in signatures if s.status == SignatureStatus.SIGNED),
        households=len(signatures),
        refused=sum(1 for s in signatures if s.status == SignatureStatus.REFUSED),
        parties_signed=sum(1 for name in Contract.PARTY_FIELDS if getattr(contract, name)),
    )


def contract_blockers_many(units) -> dict[int, list[str]]:
    """What keeps each unit's contract from being complete (empty when it is), by unit id: two queries
    (contracts, unsigned lines) however many units. Registered as "contract_complete"."""
    ids = [unit.pk for unit in units]
    contracts = {contract.unit_id: contract for contract in Contract.objects.filter(unit_id__in=ids)}
    unsigned: dict[int, list[str]] = {}
    rows = (
        Signature.objects.filter(contract__in=list(contracts.values()))
        .exclude(status=SignatureStatus.SIGNED)
        .order_by("household__floor", "household__room")
        .values_list("contract__unit_id", "household__room")
    ) if contracts else []
    for unit_id, room in rows:
        unsigned.setdefault(unit_id, []).append(room)
    answers = {}
    for unit_id in ids:
        contract = contracts.get(unit_id)
        if contract is None:
            answers[unit_id] = [str(GUARD_NO_CONTRACT)]
            continue
        reasons = []
        rooms = unsigned.get(unit_id, [])
        if rooms:
            reasons.append(str(GUARD_HOUSEHOLDS) % {"count": len(rooms), "rooms": "、".join(rooms)})
        for name, label in PARTY_LABELS.items():
            if not getattr(contract, name):
                reasons.append(str(GUARD_PARTY) % {"party": label})
        answers[unit_id] = reasons
    return answers


contract_blockers = one_unit(contract_blockers_many)
