"""Writes of the residents' side: public links, household codes, the community contact, and what a
household does on its own page (confirm or change its vote, object to the notice).

A household's vote goes through ``consultations.services.votes.vote_record`` with the source "resident
page" and no staff user, so it lands in the same history as every other vote.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations.models import Notice, NoticeStatus, Objection, VoteSource, VoteValue
from consultations.selectors import current_vote
from consultations.services.notices import objection_log
from consultations.services.votes import VoteResult, vote_record
from retrofit.checks import required_text
from units.locks import lock_unit
from units.models import Community, Household, Stage, Unit

from . import throttle
from .models import CommunityContact, HouseholdCode, UnitPublicLink

TOKEN_BYTES = 18  # 24 URL-safe characters
# Crockford's base32: digits and capitals without I, L and O (read as 1 and 0 when typed) and U.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 32**10 ≈ 1.1e15 codes; the odds against guessing are in docs/operations.md
LEGACY_CODE_DIGITS = 8  # the codes issued before were eight digits; they keep working until they expire
# What a person may type for a character of the alphabet.
CODE_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_VALID = timedelta(days=14)
# How long a household's page stays open after its code was entered.
HOUSEHOLD_SESSION = timedelta(minutes=30)

# Stages in which a household may still change its vote here; during the notice it may confirm it
# or object in writing (the notice's own channel), afterwards its row is read-only.
VOTE_STAGES = Stage.CONSULTING
CONFIRM_STAGES = Stage.BEFORE_SIGNING
RESIDENT_VOTES = (VoteValue.AGREE, VoteValue.OPPOSE)
# What a household can confirm: a position it took. 未表态 and 联系不上 are staff's notes of no answer yet.
CONFIRMABLE_VOTES = (VoteValue.AGREE, VoteValue.OPPOSE, VoteValue.ABSTAIN)

CODE_WRONG = _("This code is wrong, expired or replaced by a newer slip. Ask your community worker for a new one.")
CODE_THROTTLED = _(
    "Too many wrong codes from your network. Try again after %(time)s, or ask your community worker."
)
HOUSEHOLD_ELSEWHERE = _("A household code can only be issued for a household of this unit.")
VOTE_CLOSED = _("Votes can no longer be changed on this page at this stage.")
CONFIRM_CLOSED = _("There is no vote to confirm at this stage.")
NOTHING_TO_CONFIRM = _("You have not given your vote yet: choose agree or oppose below.")
OPPOSE_NEEDS_REASON = _("Please say why you oppose.")
NOT_A_RESIDENT_VOTE = _("Choose agree or oppose.")
OBJECTION_CLOSED = _("Objections are taken while the public notice is running.")
OBJECTION_EMPTY = _("Write your objection.")
CONTACT_REQUIRED = _("Give the community worker's name and phone.")
CONFIRMED_REASON = _("Confirmed by the household on the resident page.")


# --- public links ---------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def public_link_current(unit: Unit) -> UnitPublicLink | None:
    return UnitPublicLink.objects.filter(unit=unit, revoked_at__isnull=True).first()


def public_link_issue(*, unit: Unit, by, when: datetime | None = None) -> UnitPublicLink:
    """A new link for the unit; the current one (if any) stops working at once."""
    when = when or timezone.now()
    with transaction.atomic():
        lock_unit(unit)
        UnitPublicLink.objects.filter(unit=unit, revoked_at__isnull=True).update(revoked_at=when, revoked_by=by)
        return UnitPublicLink.objects.create(unit=unit, token=new_token(), created_by=by, created_at=when)


def public_link_ensure(*, unit: Unit, by) -> UnitPublicLink:
    """The current link, made on first need (the notice printout carries the QR code)."""
    link = public_link_current(unit)
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return UnitPublicLink.objects.create(unit=unit, token=new_token(), created_by=by, created_at=timezone.now())
    except IntegrityError:  # made by someone else meanwhile
        return public_link_current(unit)


def public_link_on_notice(change) -> None:
    """A unit entering public notice gets its public link, so that the notice printout carries the QR code
    (called for every new StageChange; the printout itself only reads the link)."""
    if change.after == Stage.NOTICE:
        public_link_ensure(unit=change.unit, by=change.changed_by)


def public_link_revoke(*, unit: Unit, by, when: datetime | None = None) -> int:
    """Stop the unit's link; the QR codes already posted lead nowhere until a new one is made."""
    when = when or timezone.now()
    return UnitPublicLink.objects.filter(unit=unit, revoked_at__isnull=True).update(revoked_at=when, revoked_by=by)


# --- community contact ----------------------------------------------------------------------------


def community_contact_save(
    *, community: Community, name: str, phone: str, office: str = "", hours: str = "", by
) -> CommunityContact:
    name, phone = (name or "").strip(), (phone or "").strip()
    if not name or not phone:
        raise ValidationError(CONTACT_REQUIRED)
    contact = CommunityContact.objects.filter(community=community).first() or CommunityContact(community=community)
    contact.name, contact.phone = name, phone
    contact.office, contact.hours = (office or "").strip(), (hours or "").strip()
    contact.updated_by, contact.updated_at = by, timezone.now()
    contact.full_clean()
    contact.save()
    return contact


# --- household codes ------------------------------------------------------------------------------


def code_hash(unit_id: int, code: str) -> str:
    """HMAC of the code, keyed with the server's secret and bound to the unit.

    With the secret key a stolen table of hashes cannot be reversed by trying every code offline;
    guessing online is throttled per address (residents.throttle). A new SECRET_KEY voids the open codes.
    """
    message = f"household-code:{unit_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person types → the code: "k7r2 0m1x-9p", full-width "Ｋ７Ｒ２…", o for 0 → "K7R20M1X9P".

    Spaces, dashes and any other separators are dropped; letters are read case-insensitively.
    """
    text = unicodedata.normalize("NFKC", text or "").upper().translate(CODE_READS)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def code_is_wellformed(code: str) -> bool:
    if len(code) == LEGACY_CODE_DIGITS:
        return code.isdigit()
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def format_code(code: str) -> str:
    """Grouped for the printed slip: ABCD-EFGH-JK (an old eight-digit code: 1234 5678)."""
    if len(code) == LEGACY_CODE_DIGITS:
        return f"{code[:4]} {code[4:]}"
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class IssuedCode:
    household: Household
    code: str  # shown once, on the slip; only its hash is stored
    record: HouseholdCode

    @property
    def display(self) -> str:
        return format_code(self.code)


def household_codes_issue(*, unit: Unit, households, by, now: datetime | None = None) -> list[IssuedCode]:
    """A fresh code for each household; their earlier codes stop working (and their open sessions end)."""
    now = now or timezone.now()
    households = list(households)
    if any(h.unit_id != unit.pk for h in households):
        raise ValidationError(HOUSEHOLD_ELSEWHERE)
    issued = []
    with transaction.atomic():
        # The new slip replaces the old one, used or not: the old code opens nothing any more.
        HouseholdCode.objects.filter(household__in=households, revoked_at__isnull=True).update(revoked_at=now)
        for household in households:
            for _attempt in range(5):
                code = new_code()
                digest = code_hash(unit.pk, code)
                # A clash needs the same unit and code: vanishingly rare, but then draw again.
                if not HouseholdCode.objects.filter(code_hash=digest).exists():
                    break
            record = HouseholdCode.objects.create(
                household=household, code_hash=digest, issued_by=by, issued_at=now, expires_at=now + CODE_VALID
            )
            issued.append(IssuedCode(household, code, record))
    return issued


class CodeRefused(Exception):
    def __init__(self, message, *, retry_at: datetime | None = None):
        super().__init__(str(message))
        self.message = message
        self.retry_at = retry_at

    @property
    def throttled(self) -> bool:
        return self.retry_at is not None


def household_code_redeem(*, unit: Unit, code: str, ip: str | None, now: datetime | None = None) -> HouseholdCode:
    """Exchange a code for its household. Raises CodeRefused (throttled or wrong).

    A code opens its household as often as it is entered until it expires (``CODE_VALID`` after issue) or
    a new slip replaces it; each entry starts a session of ``HOUSEHOLD_SESSION`` (residents.views keeps
    it in the server-side Django session). ``used_at`` keeps the first entry, ``last_used_at`` the latest.
    Only the address that guessed wrong is held back (residents.throttle): a valid code from any other
    address is always accepted, however many wrong ones strangers sent for the same unit.
    """
    now = now or timezone.now()
    retry_at = throttle.code_retry_at(unit_id=unit.pk, ip=ip, now=now)
    if retry_at is not None:
        when = timezone.localtime(retry_at).strftime("%H:%M")
        raise CodeRefused(str(CODE_THROTTLED) % {"time": when}, retry_at=retry_at)
    typed = normalize_code(code)
    record = None
    if code_is_wellformed(typed):
        record = (
            HouseholdCode.objects.live(now)
            .filter(code_hash=code_hash(unit.pk, typed), household__unit=unit)
            .select_related("household")
            .first()
        )
    if record is None:
        throttle.code_failed(unit_id=unit.pk, ip=ip, now=now)
        raise CodeRefused(CODE_WRONG)
    HouseholdCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now)
    HouseholdCode.objects.filter(pk=record.pk).update(last_used_at=now)
    record.refresh_from_db(fields=["used_at", "last_used_at", "revoked_at"])
    return record


@dataclass(frozen=True)
class HouseholdSession:
    """What the server keeps (in the Django session) for a household opened with its code: the code, the
    household and the unit's link it was opened on, and until when. Nothing of it is trusted on its own:
    ``household_session_code`` checks it against the code's row on every request."""

    code: int
    household: int
    link: int
    until: datetime

    def as_data(self) -> dict:
        return {"code": self.code, "household": self.household, "link": self.link, "until": self.until.isoformat()}

    @classmethod
    def from_data(cls, data) -> HouseholdSession | None:
        try:
            return cls(
                code=int(data["code"]), household=int(data["household"]), link=int(data["link"]),
                until=datetime.fromisoformat(data["until"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def household_session_start(record: HouseholdCode, *, link: UnitPublicLink, now: datetime | None = None) -> HouseholdSession:
    now = now or timezone.now()
    return HouseholdSession(code=record.pk, household=record.household_id, link=link.pk, until=now + HOUSEHOLD_SESSION)


def household_session_code(session: HouseholdSession | None, *, link: UnitPublicLink, now: datetime | None = None):
    """The code behind an open session on this link, with its household; None when the session is over:
    30 minutes passed, the code was replaced by a new slip, or the household moved to another unit."""
    now = now or timezone.now()
    if session is None or session.link != link.pk or now >= session.until:
        return None
    record = (
        HouseholdCode.objects.filter(
            pk=session.code, household_id=session.household, household__unit_id=link.unit_id, revoked_at__isnull=True
        )
        .select_related("household", "issued_by")
        .first()
    )
    if record is None:
        return None
    record.household.unit = link.unit
    return record


# --- what a household does on its page ------------------------------------------------------------


def resident_vote(
    *, household: Household, value: str, reason: str = "", expected_version: int | None = None
) -> VoteResult:
    """The household changes its vote (agree or oppose, with a reason when it opposes)."""
    if household.unit.stage not in VOTE_STAGES:
        raise ValidationError(VOTE_CLOSED)
    if value not in RESIDENT_VOTES:
        raise ValidationError(NOT_A_RESIDENT_VOTE)
    reason = (reason or "").strip()
    if value == VoteValue.OPPOSE and not reason:
        raise ValidationError(OPPOSE_NEEDS_REASON)
    return vote_record(
        household=household,
        value=value,
        reason=reason,
        by=None,
        expected_version=expected_version,
        source=VoteSource.RESIDENT,
    )


def resident_confirm(
    *, household: Household, note: str = "", expected_version: int | None = None
) -> VoteResult:
    """The household confirms the vote staff recorded for it; the confirmation is a history entry.

    vote_record writes nothing when neither value nor reason moves, so the confirmation carries its
    own words (the household's note, or a standard sentence), after the vote's reason when it has one:
    an opposing household that confirms keeps its reason. Confirming again in the same words changes
    nothing and writes nothing.
    """
    if household.unit.stage not in CONFIRM_STAGES:
        raise ValidationError(CONFIRM_CLOSED)
    vote = current_vote(household)
    if vote.value not in CONFIRMABLE_VOTES:
        raise ValidationError(NOTHING_TO_CONFIRM)
    words = (note or "").strip() or str(CONFIRMED_REASON)
    kept = (vote.reason or "").strip()
    if not kept or kept == words or kept.endswith(f"（{words}）"):
        reason = kept if kept.endswith(f"（{words}）") else words
    else:
        reason = f"{kept}（{words}）"
    return vote_record(
        household=household,
        value=vote.value,
        reason=reason,
        by=None,
        expected_version=expected_version,
        source=VoteSource.RESIDENT,
    )


def resident_objection(*, household: Household, content: str, code: HouseholdCode) -> Objection:
    """A written, real-name objection to the running notice, in the owner's name on the roster.

    The objection is recorded as received by the worker who issued the household's code: the
    objection list has no "nobody" for who took it in.
    """
    content = required_text(content, OBJECTION_EMPTY)
    notice = Notice.objects.filter(unit_id=household.unit_id, status=NoticeStatus.RUNNING).first()
    if notice is None or household.unit.stage != Stage.NOTICE:
        raise ValidationError(OBJECTION_CLOSED)
    text = gettext("(Sent on the resident page) %(content)s") % {"content": content}
    return objection_log(
        notice=notice,
        objector=household.owner_name,
        received_on=timezone.localdate(),
        content=text,
        by=code.issued_by,
        household=household,
    )
