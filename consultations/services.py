"""Writes to the residents' voice: votes (every change lands in the history), rounds, contacts, holdouts,
meetings, the public notice and its objections."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retrofit import documents
from retrofit.models import Role
from retrofit.refusals import Stale
from units.lifecycle import unit_move
from units.models import Household, Stage, Unit

from . import campaign, rules
from .models import (
    ActionItem,
    Channel,
    ConsultationRound,
    Contact,
    Holdout,
    HoldoutReason,
    Meeting,
    MeetingKind,
    Notice,
    NoticeStatus,
    Objection,
    OpinionFormVersion,
    RoundStatus,
    Vote,
    VoteChange,
    VoteSource,
    VoteValue,
)

STALE_VOTE = _(
    "Someone else changed this household's vote while you were editing it. "
    "The form now shows the latest vote; check it and save again."
)
UNKNOWN_VOTE = _("Unknown vote value.")
CONTACT_OF_ANOTHER_OWNER = _("A vote can only cite a contact with the same owner.")


class StaleVote(Stale):
    """The vote (or its owner) changed after the form was drawn: nothing was written."""

    default_message = STALE_VOTE


def owner_key(household: Household) -> tuple:
    """The same de-duplication key the consent engine uses: name and phone, when a phone is given."""
    phone = household.phone.strip()
    if phone:
        return ("phone", household.owner_name.strip(), phone)
    return ("room", household.room)


def owner_flats_lock(household: Household) -> list[Household]:
    """Lock every flat in the unit held by this household's owner (the household itself included) and
    return them, fresh, in id order.

    All of them are locked in ONE statement ordered by id, before any vote is touched: two editors saving
    two flats of the same owner then queue on the first flat instead of each holding one flat and waiting
    for the other's (a deadlock). If the household's owner changed since it was read (so the set locked is
    not their flats any more), the form is stale.
    """
    key = owner_key(household)
    flats = Household.objects.filter(pk=household.pk)
    if key[0] == "phone":
        # Names and phones are stored stripped (forms and the import strip them).
        flats = Household.objects.filter(Q(pk=household.pk) | Q(unit_id=household.unit_id, owner_name=key[1], phone=key[2]))
    locked = list(flats.select_for_update().order_by("pk"))
    this = next((flat for flat in locked if flat.pk == household.pk), None)
    if this is None or owner_key(this) != key:
        raise StaleVote(STALE_VOTE)
    return locked


def current_vote(household: Household) -> Vote:
    try:
        return household.vote
    except Vote.DoesNotExist:
        return Vote(household=household, value=VoteValue.UNDECIDED)


@dataclass(frozen=True)
class VoteResult:
    changed: list[Household]


def vote_record(
    *,
    household: Household,
    value: str,
    reason: str = "",
    by,
    expected_version: int | None = None,
    source: str = VoteSource.PAGE,
    contact=None,
) -> VoteResult:
    """Record a household's vote, and the same vote for every other flat its owner holds in the unit.

    One owner counts once and casts one vote (DESIGN.md, Consent), so their flats never disagree.
    ``expected_version`` is the version the editor saw; if the vote moved on since, nothing is written.
    ``contact``, when given, is the visit, call or meeting in which the vote was given: it must be a
    contact with one of this owner's flats, and every history entry written here cites it.
    """
    if value not in rules.VOTES:
        raise ValueError(UNKNOWN_VOTE)
    now = timezone.now()
    changed: list[Household] = []
    with transaction.atomic():
        flats = owner_flats_lock(household)
        # Their votes too, in one statement in id order, for the same reason.
        votes = {vote.household_id: vote for vote in Vote.objects.select_for_update().filter(household__in=flats).order_by("pk")}
        vote = votes.get(household.pk)
        version = vote.version if vote else 0
        if expected_version is not None and expected_version != version:
            raise StaleVote(STALE_VOTE)
        if contact is not None and contact.household_id not in {flat.pk for flat in flats}:
            raise ValueError(CONTACT_OF_ANOTHER_OWNER)
        for flat in flats:
            flat_vote = votes.get(flat.pk)
            before = flat_vote.value if flat_vote else VoteValue.UNDECIDED
            if flat_vote and before == value and flat_vote.reason == reason:
                continue
            if flat_vote is None:
                flat_vote = Vote(household=flat, version=0)
            flat_vote.value = value
            flat_vote.reason = reason
            flat_vote.recorded_by = by
            flat_vote.recorded_at = now
            flat_vote.version += 1
            flat_vote.save()
            VoteChange.objects.create(
                household=flat,
                before=before,
                after=value,
                reason=reason,
                source=source,
                changed_by=by,
                changed_at=now,
                contact=contact,
            )
            changed.append(flat)
    return VoteResult(changed=changed)


def flats_for_rules(households: Iterable[Household]) -> list[rules.Flat]:
    """Turn households (with their vote selected or prefetched) into the consent engine's flats."""
    return [
        rules.Flat(
            room=h.room,
            area=h.area,
            vote=current_vote(h).value,
            owner_name=h.owner_name.strip(),
            phone=h.phone.strip(),
        )
        for h in households
    ]


# --- consultation rounds --------------------------------------------------------------------------

ROUND_WRONG_STAGE = _("A consultation round can be opened only for a unit in survey or consultation.")
ROUND_NOT_ELIGIBLE = _("This unit is not physically eligible for an elevator; the survey says so.")
ROUND_ALREADY_CURRENT = _("This unit already has a round that is open or on hold.")
ROUND_DEADLINE_BEFORE_OPEN = _("The feedback deadline cannot be before the day the round opens.")
ROUND_NO_CHANNEL = _("Choose at least one channel.")
ROUND_NOT_OPEN = _("Only an open round can be put on hold.")
ROUND_NOT_HELD = _("Only a round on hold can be resumed.")
ROUND_CLOSED = _("This round is closed.")
HOLD_NOTE_REQUIRED = _("Say why the unit is put on hold.")
DECISION_REQUIRED = _("Write down the leadership group's decision.")


def _round_channel_flags(channels) -> dict[str, bool]:
    channels = set(channels or ())
    unknown = channels - set(Channel.values)
    if unknown:
        raise ValidationError(ROUND_NO_CHANNEL)
    if not channels:
        raise ValidationError(ROUND_NO_CHANNEL)
    return {name: channel in channels for channel, name in ConsultationRound.CHANNEL_FIELDS.items()}


def round_open(*, unit: Unit, deadline: date, channels, hotline: str = "", opened_on: date | None = None, by):
    """Open a consultation round; a unit still in survey moves to consultation (recorded by the lifecycle)."""
    opened_on = opened_on or timezone.localdate()
    if unit.stage not in (Stage.SURVEY, Stage.CONSULTATION):
        raise ValidationError(ROUND_WRONG_STAGE)
    if not unit.eligible:
        raise ValidationError(ROUND_NOT_ELIGIBLE)
    if deadline < opened_on:
        raise ValidationError(ROUND_DEADLINE_BEFORE_OPEN)
    flags = _round_channel_flags(channels)
    with transaction.atomic():
        Unit.objects.select_for_update().get(pk=unit.pk)
        if ConsultationRound.objects.current().filter(unit=unit).exists():
            raise ValidationError(ROUND_ALREADY_CURRENT)
        number = (ConsultationRound.objects.filter(unit=unit).aggregate(n=Max("number"))["n"] or 0) + 1
        consultation_round = ConsultationRound(
            unit=unit, number=number, opened_on=opened_on, deadline=deadline, hotline=hotline.strip(),
            opened_by=by, **flags,
        )
        consultation_round.full_clean()
        consultation_round.save()
        if unit.stage == Stage.SURVEY:
            unit_move(
                unit=unit,
                after=Stage.CONSULTATION,
                by=by,
                reason=gettext("Consultation round %(n)d opened, feedback by %(deadline)s")
                % {"n": number, "deadline": f"{deadline:%Y-%m-%d}"},
            )
    return consultation_round


def round_update(*, consultation_round: ConsultationRound, deadline: date, channels, hotline: str = "", by):
    """Change a current round's deadline (usually to extend it) or its channels."""
    if consultation_round.status == RoundStatus.CLOSED:
        raise ValidationError(ROUND_CLOSED)
    if deadline < consultation_round.opened_on:
        raise ValidationError(ROUND_DEADLINE_BEFORE_OPEN)
    for name, value in _round_channel_flags(channels).items():
        setattr(consultation_round, name, value)
    consultation_round.deadline = deadline
    consultation_round.hotline = hotline.strip()
    consultation_round.full_clean()
    consultation_round.save()
    return consultation_round


def round_close(*, consultation_round: ConsultationRound, by, on: date | None = None):
    if consultation_round.status == RoundStatus.CLOSED:
        raise ValidationError(ROUND_CLOSED)
    consultation_round.status = RoundStatus.CLOSED
    consultation_round.closed_on = on or timezone.localdate()
    consultation_round.save(update_fields=["status", "closed_on"])
    return consultation_round


def round_hold(*, consultation_round: ConsultationRound, note: str, by):
    """The "unlikely" action: stop visiting and hand the unit to the street leadership group."""
    if consultation_round.status != RoundStatus.OPEN:
        raise ValidationError(ROUND_NOT_OPEN)
    note = (note or "").strip()
    if not note:
        raise ValidationError(HOLD_NOTE_REQUIRED)
    consultation_round.status = RoundStatus.ON_HOLD
    consultation_round.hold_note = note
    consultation_round.held_at = timezone.now()
    consultation_round.held_by = by
    consultation_round.review_decision, consultation_round.reviewed_at, consultation_round.reviewed_by = "", None, None
    consultation_round.save()
    return consultation_round


def round_resume(*, consultation_round: ConsultationRound, decision: str, deadline: date | None = None, by):
    """The leadership group has reviewed the unit: record its decision and reopen the round."""
    if consultation_round.status != RoundStatus.ON_HOLD:
        raise ValidationError(ROUND_NOT_HELD)
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError(DECISION_REQUIRED)
    if deadline is not None:
        if deadline < consultation_round.opened_on:
            raise ValidationError(ROUND_DEADLINE_BEFORE_OPEN)
        consultation_round.deadline = deadline
    consultation_round.status = RoundStatus.OPEN
    consultation_round.review_decision = decision
    consultation_round.reviewed_at = timezone.now()
    consultation_round.reviewed_by = by
    consultation_round.save()
    return consultation_round


# --- contacts -------------------------------------------------------------------------------------

FORM_TOO_BIG = _("The opinion form file is larger than 5 MB. Take the photo at a lower resolution.")
FORM_BAD_TYPE = _("The opinion form must be a JPEG or PNG photo or a PDF.")
CONTACT_IN_FUTURE = _("A contact cannot be logged in the future.")


def opinion_form_type(upload) -> str:
    """Check an uploaded opinion form by size and by its first bytes; return its real content type."""
    if upload.size > campaign.MAX_FORM_BYTES:
        raise ValidationError(FORM_TOO_BIG)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = campaign.sniff_form_type(head)
    if kind is None:
        raise ValidationError(FORM_BAD_TYPE)
    return kind


def contact_log(
    *,
    household: Household,
    channel: str,
    outcome: str,
    by,
    note: str = "",
    companions: str = "",
    contacted_at=None,
    opinion_form=None,
    vote: str = "",
    vote_reason: str = "",
) -> Contact:
    """Log one contact with a household. A vote given in it is recorded too, citing the contact."""
    now = timezone.now()
    contacted_at = contacted_at or now
    # A minute of slack for a phone whose clock runs ahead of the server's.
    if contacted_at > now + timedelta(minutes=1):
        raise ValidationError(CONTACT_IN_FUTURE)
    form_type = opinion_form_type(opinion_form) if opinion_form else ""
    with transaction.atomic():
        current_round = ConsultationRound.objects.current().filter(unit_id=household.unit_id).first()
        contact = Contact(
            household=household,
            round=current_round,
            channel=channel,
            outcome=outcome,
            made_by=by,
            companions=companions.strip(),
            contacted_at=contacted_at,
            note=note.strip(),
        )
        contact.full_clean(exclude=["opinion_form_version"])
        contact.save()
        if opinion_form:
            contact.opinion_form_version = documents.version_add(
                model=OpinionFormVersion, owner=contact, upload=opinion_form, content_type=form_type, by=by, when=now
            )
            contact.save(update_fields=["opinion_form_version"])
        if vote and vote != current_vote(household).value:
            vote_record(household=household, value=vote, reason=(vote_reason or note).strip(), by=by, contact=contact)
    return contact


# --- holdouts -------------------------------------------------------------------------------------

HOLDOUT_AGREES = _("This household agrees; only owners who do not agree are holdouts.")
RELIEF_POSITIVE = _("The relief must be more than 0 yuan.")
NEIGHBOUR_NOT_NEAR = _("Choose a neighbour from the same floor, unit or building.")
NEIGHBOUR_SELF = _("The neighbour must be another household.")
CADRE_OUT_OF_SCOPE = _("The cadre must be a staff member or leader of this street.")


def cadres_for(unit: Unit):
    """Users who can go on a joint visit as the cadre: editors whose scope covers the unit."""
    from retrofit.models import STAFF_ROLES, User

    community = unit.building.estate.community
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).filter(
        Q(street_id=community.street_id) | Q(community_id=community.pk)
    )


def neighbours_for(household: Household):
    """Households that count as neighbours for a joint visit: same building, or same floor in the estate."""
    unit = household.unit
    return Household.objects.filter(unit__building__estate_id=unit.building.estate_id).filter(
        Q(unit__building_id=unit.building_id) | Q(floor=household.floor)
    ).exclude(pk=household.pk)


def holdout_save(
    *,
    household: Household,
    reason: str,
    degree: str,
    by,
    detail: str = "",
    relief_amount: Decimal | None = None,
    neighbour: Household | None = None,
    cadre=None,
    visit_planned_on: date | None = None,
) -> Holdout:
    """Record why and how strongly a household holds out, with the plan its reason calls for.

    Hardship → relief proposed for the cost-share plan; misunderstanding → a joint visit with a named
    neighbour and a cadre. Plan fields that do not belong to the reason are dropped.
    """
    if current_vote(household).value == VoteValue.AGREE:
        raise ValidationError(HOLDOUT_AGREES)
    if reason != HoldoutReason.HARDSHIP:
        relief_amount = None
    if reason != HoldoutReason.MISUNDERSTANDING:
        neighbour, cadre, visit_planned_on = None, None, None
    if relief_amount is not None and relief_amount <= 0:
        raise ValidationError(RELIEF_POSITIVE)
    if neighbour is not None:
        if neighbour.pk == household.pk:
            raise ValidationError(NEIGHBOUR_SELF)
        if not neighbours_for(household).filter(pk=neighbour.pk).exists():
            raise ValidationError(NEIGHBOUR_NOT_NEAR)
    if cadre is not None and not cadres_for(household.unit).filter(pk=cadre.pk).exists():
        raise ValidationError(CADRE_OUT_OF_SCOPE)
    holdout = Holdout.objects.filter(household=household).first() or Holdout(household=household)
    holdout.reason, holdout.degree, holdout.detail = reason, degree, detail.strip()
    holdout.relief_amount = None if relief_amount is None else relief_amount.quantize(Decimal("0.01"))
    holdout.neighbour, holdout.cadre, holdout.visit_planned_on = neighbour, cadre, visit_planned_on
    holdout.recorded_by, holdout.updated_at = by, timezone.now()
    holdout.full_clean()
    holdout.save()
    return holdout


# --- meetings -------------------------------------------------------------------------------------

MEETING_COMMUNITY_ELSEWHERE = _("The community is not in this street.")
MEETING_UNIT_ELSEWHERE = _("A unit linked to this meeting lies outside its street or community.")
QA_AFTER_DEADLINE = _(
    "An on-site Q&A meeting must be held by the feedback deadline of %(unit)s (%(deadline)s). "
    "Choose an earlier date or extend the round first."
)
OWNER_OUT_OF_SCOPE = _("The owner of an action item must work in this street.")


def action_owners_for(street):
    """Users who can own an action item of a street's meeting: its leaders, community staff, unit leaders."""
    from retrofit.models import User

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(street=street)
            | Q(community__street=street)
            | Q(led_units__building__estate__community__street=street)
        )
        .distinct()
    )


def _check_meeting_units(*, street, community, kind, held_on, units) -> None:
    for unit in units:
        unit_community = unit.building.estate.community
        if unit_community.street_id != street.pk or (community is not None and unit_community.pk != community.pk):
            raise ValidationError(MEETING_UNIT_ELSEWHERE)
    if kind == MeetingKind.QA and units:
        rounds = ConsultationRound.objects.current().filter(unit__in=units, deadline__lt=held_on)
        late = rounds.select_related("unit__building").order_by("deadline").first()
        if late is not None:
            raise ValidationError(QA_AFTER_DEADLINE % {"unit": late.unit, "deadline": f"{late.deadline:%Y-%m-%d}"})


def meeting_save(
    *,
    street,
    kind: str,
    held_on: date,
    by,
    meeting: Meeting | None = None,
    community=None,
    starts_at=None,
    place: str = "",
    attendees: str = "",
    minutes: str = "",
    decisions: str = "",
    units=(),
) -> Meeting:
    """Create or update a meeting of the leadership group or of residents, linked to the units it concerns."""
    if community is not None and community.street_id != street.pk:
        raise ValidationError(MEETING_COMMUNITY_ELSEWHERE)
    units = list(units)
    _check_meeting_units(street=street, community=community, kind=kind, held_on=held_on, units=units)
    with transaction.atomic():
        meeting = meeting or Meeting(created_by=by, created_at=timezone.now())
        meeting.street, meeting.community, meeting.kind = street, community, kind
        meeting.held_on, meeting.starts_at, meeting.place = held_on, starts_at, place.strip()
        meeting.attendees, meeting.minutes, meeting.decisions = attendees.strip(), minutes.strip(), decisions.strip()
        meeting.full_clean()
        meeting.save()
        meeting.units.set(units)
    return meeting


def action_item_add(*, meeting: Meeting, text: str, owner, due_on: date, units=(), by) -> ActionItem:
    if not action_owners_for(meeting.street).filter(pk=owner.pk).exists():
        raise ValidationError(OWNER_OUT_OF_SCOPE)
    units = list(units)
    _check_meeting_units(street=meeting.street, community=meeting.community, kind="", held_on=due_on, units=units)
    with transaction.atomic():
        item = ActionItem(meeting=meeting, text=text.strip(), owner=owner, due_on=due_on)
        item.full_clean()
        item.save()
        item.units.set(units)
    return item


def action_item_set_done(*, item: ActionItem, done: bool, by) -> ActionItem:
    if done and not item.done:
        item.done, item.done_at, item.done_by = True, timezone.now(), by
    elif not done and item.done:
        item.done, item.done_at, item.done_by = False, None, None
    item.save(update_fields=["done", "done_at", "done_by"])
    return item


# --- public notice 公示 ----------------------------------------------------------------------------

NOTICE_WRONG_STAGE = _("The notice can start only for a unit in consultation, or in notice with no notice on record.")
NOTICE_BEFORE_DRAFT = _("The notice cannot start before the agreement is draft-signed.")
NOTICE_DAYS_RANGE = _("The notice period cannot be shorter than %(min)d days (the street's policy) or longer than 366 days.")
NOTICE_IN_THE_PAST = _(
    "The notice cannot start before today (%(today)s). Only the street leader may record a paper notice "
    "posted earlier, with the reason."
)
NOTICE_BACKDATE_REASON = _(
    "The notice start date %(day)s is before today: give the reason the paper notice was posted before it was recorded."
)
NOTICE_SHORTENED = _("A notice already posted can be lengthened but not shortened.")
NOTICE_NOT_RUNNING = _("This notice is no longer running.")
NOTICE_PLAN_REQUIRED = _("Describe the plan that is being posted.")
OBJECTION_SETTLED = _("This objection is already settled.")
RESOLUTION_REQUIRED = _("Write down how the objection was settled.")
OBJECTION_HOUSEHOLD_ELSEWHERE = _("The objector's flat must be in this unit.")


def notice_start(
    *,
    unit: Unit,
    draft_signed_on: date,
    starts_on: date,
    plan_summary: str,
    by,
    days: int | None = None,
    contact_phone: str = "",
    posted_at_entrance: bool = True,
    posted_on_board: bool = True,
    backdate_reason: str = "",
    when=None,
) -> Notice:
    """Draft-sign the agreement and post it: the unit moves to notice (only if consent is reached),
    the current round closes, and the notice period starts.

    The period is at least the street's ``notice_days`` and starts today or later. A street leader may
    record a paper notice posted earlier, with ``backdate_reason`` (kept on the notice and in the move's
    reason). ``when`` is for seeding history only (the demo): the moment the notice counts as recorded,
    default now; no form passes it.

    A unit already moved to notice from the stage panel, with no notice on record, gets its notice here
    without a second move (consent is checked again all the same).
    """
    from .guards import consent_ready

    recorded_at = when or timezone.now()
    today = timezone.localdate(recorded_at)
    days = unit.street.notice_days if days is None else days
    backdate_reason = (backdate_reason or "").strip() if starts_on < today else ""
    already_moved = unit.stage == Stage.NOTICE and not Notice.objects.filter(unit=unit, status=NoticeStatus.RUNNING).exists()
    if unit.stage != Stage.CONSULTATION and not already_moved:
        raise ValidationError(NOTICE_WRONG_STAGE)
    problems = []
    if starts_on < draft_signed_on:
        problems.append(NOTICE_BEFORE_DRAFT)
    problems.extend(_notice_days_problems(unit.street, days))
    if starts_on < today:
        if getattr(by, "role", None) != Role.STREET_LEADER:
            problems.append(NOTICE_IN_THE_PAST % {"today": f"{today:%Y-%m-%d}"})
        elif not backdate_reason:
            problems.append(NOTICE_BACKDATE_REASON % {"day": f"{starts_on:%Y-%m-%d}"})
    if not plan_summary.strip():
        problems.append(NOTICE_PLAN_REQUIRED)
    if problems:
        raise ValidationError(problems)
    reason = gettext("Agreement draft-signed on %(signed)s; public notice of %(days)d days from %(start)s") % {
        "signed": f"{draft_signed_on:%Y-%m-%d}", "days": days, "start": f"{starts_on:%Y-%m-%d}"
    }
    if backdate_reason:
        reason += gettext("; posted before it was recorded: %(reason)s") % {"reason": backdate_reason}
    with transaction.atomic():
        current_round = ConsultationRound.objects.current().filter(unit=unit).first()
        if already_moved:
            problems = consent_ready(unit)
            if problems:
                raise ValidationError(problems)
        else:
            unit_move(unit=unit, after=Stage.NOTICE, by=by, reason=reason, when=when)
        if current_round is not None:
            round_close(consultation_round=current_round, by=by)
        notice = Notice(
            unit=unit,
            round=current_round,
            draft_signed_on=draft_signed_on,
            starts_on=starts_on,
            days=days,
            plan_summary=plan_summary.strip(),
            contact_phone=contact_phone.strip(),
            posted_at_entrance=posted_at_entrance,
            posted_on_board=posted_on_board,
            started_by=by,
            started_at=recorded_at,
            backdate_reason=backdate_reason,
        )
        notice.full_clean()
        notice.save()
    return notice


def _notice_days_problems(street, days: int) -> list[str]:
    minimum = max(street.notice_days, 1)
    if minimum <= days <= 366:
        return []
    return [NOTICE_DAYS_RANGE % {"min": minimum}]


def notice_update(
    *, notice: Notice, days: int, plan_summary: str, contact_phone: str = "", by, today: date | None = None
) -> Notice:
    """Edit a running notice. Once posted, its period may grow but never shrink: residents were told a date."""
    today = today or timezone.localdate()
    if notice.status != NoticeStatus.RUNNING:
        raise ValidationError(NOTICE_NOT_RUNNING)
    problems = _notice_days_problems(notice.unit.street, days)
    if days < notice.days and today >= notice.starts_on:
        problems.append(NOTICE_SHORTENED)
    if problems:
        raise ValidationError(problems)
    if not plan_summary.strip():
        raise ValidationError(NOTICE_PLAN_REQUIRED)
    notice.days, notice.plan_summary, notice.contact_phone = days, plan_summary.strip(), contact_phone.strip()
    notice.full_clean()
    notice.save()
    return notice


OBJECTION_IN_FUTURE = _("An objection cannot be received or settled on a day still to come.")
OBJECTION_SETTLED_BEFORE_RECEIVED = _("An objection cannot be settled before the day it was received (%(day)s).")


def objection_log(
    *, notice: Notice, objector: str, received_on: date, content: str, by, household: Household | None = None
) -> Objection:
    if notice.status != NoticeStatus.RUNNING:
        raise ValidationError(NOTICE_NOT_RUNNING)
    if received_on > timezone.localdate():
        raise ValidationError(OBJECTION_IN_FUTURE)
    if household is not None and household.unit_id != notice.unit_id:
        raise ValidationError(OBJECTION_HOUSEHOLD_ELSEWHERE)
    objection = Objection(
        notice=notice,
        household=household,
        objector=objector.strip(),
        received_on=received_on,
        content=content.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    objection.full_clean()
    objection.save()
    return objection


def objection_settle(*, objection: Objection, resolution: str, by, settled_on: date | None = None) -> Objection:
    if objection.settled_on is not None:
        raise ValidationError(OBJECTION_SETTLED)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(RESOLUTION_REQUIRED)
    settled_on = settled_on or timezone.localdate()
    if settled_on > timezone.localdate():
        raise ValidationError(OBJECTION_IN_FUTURE)
    if settled_on < objection.received_on:
        raise ValidationError(OBJECTION_SETTLED_BEFORE_RECEIVED % {"day": f"{objection.received_on:%Y-%m-%d}"})
    objection.resolution = resolution
    objection.settled_on = settled_on
    objection.settled_by = by
    objection.full_clean()
    objection.save()
    return objection


def notice_follow_stage(change) -> None:
    """Keep the running notice in step with the unit's moves (called for every new StageChange).

    Signing completes it; going back to consultation, or withdrawing the unit, withdraws it. A pause
    leaves it running: a unit resumes where it was.
    """
    if change.after == Stage.SIGNING and change.before == Stage.NOTICE:
        status = NoticeStatus.COMPLETED
    elif change.after == Stage.WITHDRAWN or (change.before == Stage.NOTICE and change.after == Stage.CONSULTATION):
        status = NoticeStatus.WITHDRAWN
    else:
        return
    Notice.objects.filter(unit_id=change.unit_id, status=NoticeStatus.RUNNING).update(status=status)
