"""Consultation: the willingness survey, the rounds, and the contacts that turned the survey's votes into
today's, each on its day; why the last holdouts hold out, and the plan for each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from consultations import rules
from consultations import services as consult
from consultations.models import (
    Channel,
    ConsultationRound,
    ContactChannel,
    ContactOutcome,
    Holdout,
    HoldoutReason,
    RoundStatus,
    Vote,
    VoteSource,
)
from retrofit.models import User
from units.models import Household, Occupancy, Stage, Unit

from .story import HOTLINE, ROUND1, ROUND1_CLOSED, VOTES, Story

VOTE = {"A": rules.AGREE, "O": rules.OPPOSE, "B": rules.ABSTAIN, "U": rules.UNDECIDED, "X": rules.UNREACHABLE}
ALL_CHANNELS = [
    Channel.NOTICE,
    Channel.YARD_MEETING,
    Channel.DOOR_TO_DOOR,
    Channel.GROUP_CHAT,
    Channel.HOTLINE,
]
AGREE_NOTES = [
    "入户讲解补贴政策和分摊办法后，表示同意。",
    "子女在外地，电话沟通后同意，意见表已签。",
    "看了分摊测算表，认为合理，同意加装。",
    "老人腿脚不便，盼早日装上，同意。",
    "参加坝坝会后表示同意。",
    "和同层邻居一起做工作后同意。",
]
TALK_NOTES = [
    "家里人意见不一致，说再商量。",
    "要看最终分摊金额再定。",
    "询问施工期间噪音和出行问题，已解释。",
    "担心后期电费和维修费用，已介绍运维办法。",
]
NO_ANSWER_NOTES = ["敲门无人应答，已在门上留联系卡。", "电话无人接听。"]
# Only where a tenant lives: the owner is reached through them, or not at all.
TENANT_NOTES = ["租户在住，业主在外地，已留电话。", "租户说业主周末回来。"]
OPPOSE_REASONS = {
    HoldoutReason.LOW_FLOOR: "一楼用不上电梯，担心影响采光和通风。",
    HoldoutReason.NOISE_LIGHT: "电梯井挨着卧室窗户，担心噪音和采光。",
    HoldoutReason.COST_SPLIT: "认为二楼系数偏高，不同意现在的分摊比例。",
    HoldoutReason.HARDSHIP: "家庭困难，承担不起分摊费用。",
    HoldoutReason.MISUNDERSTANDING: "以为加装电梯要占用自家阳台，还要一楼出钱。",
}


def _letters(story: Story, unit: Unit, letters: str) -> dict[str, str]:
    rooms = list(story.households(unit))
    assert len(rooms) == len(letters), f"{unit}: {len(letters)} votes for {len(rooms)} flats"
    return {room: VOTE[letter] for room, letter in zip(rooms, letters, strict=True)}


def survey(story: Story, unit: Unit, ago: int) -> None:
    """The willingness survey 意愿摸排, entered from the community's ledger."""
    staff = story.staff_of(unit)
    households = story.households(unit)
    for room, value in _letters(story, unit, VOTES[story.key(unit)].survey).items():
        household = households[room]
        if Vote.objects.filter(household=household).exists():
            continue  # the second flat of an owner got the vote with the first
        reason = (
            OPPOSE_REASONS[HoldoutReason.LOW_FLOOR]
            if value == rules.OPPOSE and household.floor <= 2
            else ""
        )
        consult.vote_record(
            household=household, value=value, reason=reason, by=staff, source=VoteSource.IMPORT
        )
    story.settle(story.at(ago, 16))


def contact(
    story: Story,
    household: Household,
    ago: int,
    *,
    channel: str = ContactChannel.VISIT,
    outcome: str = ContactOutcome.TALKED,
    note: str = "",
    vote: str = "",
    by: User | None = None,
    companions: str = "",
    when: datetime | None = None,
):
    when = when or story.evening(ago)
    contact = consult.contact_log(
        household=household,
        channel=channel,
        outcome=outcome,
        by=by or story.staff_of(household.unit),
        note=note,
        companions=companions,
        contacted_at=when,
        vote=vote,
    )
    story.settle(when)
    return contact


def campaign(
    story: Story,
    unit: Unit,
    *,
    extra_contacts: int = 0,
    extra_since: int | None = None,
    notes: dict[str, str] | None = None,
    dates: dict[str, int] | None = None,
) -> list[tuple[datetime, Household, dict]]:
    """The contacts that turn the survey votes into today's votes, oldest first, not yet logged.

    Each owner whose vote differs is won over (or lost) on a day in the unit's window (``dates``
    fixes the day for a room), by the visit, call or message that did it; ``extra_contacts`` more
    contacts with owners still not agreeing (from ``extra_since`` days ago, default the window's
    start) end in "come back later", "nobody home" or a talk, as most visits do. ``play`` logs them, so that each lands in the round that was open on its day.
    """
    notes, dates = notes or {}, dates or {}
    script = VOTES[story.key(unit)]
    households = story.households(unit)
    before = _letters(story, unit, script.survey)
    after = _letters(story, unit, script.today)
    start, end = script.window
    owners, moves = set(), []
    for room, household in households.items():
        if before[room] != after[room] and consult.owner_key(household) not in owners:
            owners.add(consult.owner_key(household))
            moves.append(room)
    free = [room for room in moves if room not in dates]
    days = sorted((story.rng.randint(end, start) for _ in free), reverse=True)
    if days:
        days[-1] = end  # the window closes with the last change
    days_of = {**dict(zip(free, days, strict=True)), **dates}
    events = []
    for room in moves:
        value, ago = after[room], days_of[room]
        if value == rules.AGREE:
            channel = story.rng.choice(
                [ContactChannel.VISIT, ContactChannel.VISIT, ContactChannel.PHONE, ContactChannel.WECHAT]
            )
            outcome = (
                ContactOutcome.FORM_SIGNED if channel == ContactChannel.VISIT else ContactOutcome.TALKED
            )
            note = notes.get(room) or story.rng.choice(AGREE_NOTES)
        else:
            channel, outcome = ContactChannel.VISIT, ContactOutcome.TALKED
            default = (
                OPPOSE_REASONS[HoldoutReason.LOW_FLOOR]
                if value == rules.OPPOSE
                else story.rng.choice(TALK_NOTES)
            )
            note = notes.get(room) or default
        kwargs = {"channel": channel, "outcome": outcome, "note": note, "vote": value}
        events.append((story.evening(ago), households[room], kwargs))
    holdouts = [households[room] for room in households if after[room] != rules.AGREE]
    for _ in range(extra_contacts if holdouts else 0):
        household = story.rng.choice(holdouts)
        ago = story.rng.randint(end, extra_since or start)
        outcome = story.rng.choice(
            [
                ContactOutcome.CALL_BACK,
                ContactOutcome.NO_ANSWER,
                ContactOutcome.TALKED,
                ContactOutcome.TALKED,
            ]
        )
        phone = outcome == ContactOutcome.NO_ANSWER and story.rng.random() < 0.5
        channel = ContactChannel.PHONE if phone else ContactChannel.VISIT
        notes_for = NO_ANSWER_NOTES if outcome == ContactOutcome.NO_ANSWER else TALK_NOTES
        if household.occupancy == Occupancy.RENTED and outcome != ContactOutcome.TALKED:
            notes_for = notes_for + TENANT_NOTES
        note = story.rng.choice(notes_for)
        events.append(
            (story.evening(ago), household, {"channel": channel, "outcome": outcome, "note": note})
        )
    events.sort(key=lambda event: (event[0], event[1].room))
    return events


def play(story: Story, events: list, through: int | None = None) -> None:
    """Log the campaign's contacts up to ``through`` days ago (all of them without it)."""
    cutoff = None if through is None else story.at(through - 1, 0)
    while events and (cutoff is None or events[0][0] < cutoff):
        when, household, kwargs = events.pop(0)
        contact(story, household, 0, when=when, **kwargs)


def rounds(story: Story, unit: Unit, events: list, second: tuple[int, int] | None = None) -> None:
    """The first round closes without consent; the campaign goes on, in a second round if given."""
    play(story, events, through=ROUND1_CLOSED + 1)
    close_round(story, unit, ROUND1_CLOSED)
    if second:
        play(story, events, through=second[0] + 1)
        open_round(story, unit, *second)
    play(story, events)


def open_round(story: Story, unit: Unit, opened: int, deadline: int) -> ConsultationRound:
    if unit.stage == Stage.SURVEY:
        number = unit.rounds.count() + 1
        story.move(
            unit,
            Stage.CONSULTATION,
            opened,
            f"第{number}轮意愿征询启动，意见反馈截止 {story.day(deadline):%Y-%m-%d}",
            hour=9,
        )
    return consult.round_open(
        unit=unit,
        deadline=story.day(deadline),
        channels=ALL_CHANNELS
        if opened >= ROUND1
        else [Channel.DOOR_TO_DOOR, Channel.GROUP_CHAT, Channel.HOTLINE],
        hotline=HOTLINE,
        opened_on=story.day(opened),
        by=story.staff_of(unit),
    )


def close_round(story: Story, unit: Unit, ago: int) -> None:
    current = unit.rounds.exclude(status=RoundStatus.CLOSED).first()
    consult.round_close(consultation_round=current, by=story.staff_of(unit), on=story.day(ago))


def holdout(
    story: Story,
    household: Household,
    reason: str,
    degree: str,
    ago: int,
    *,
    detail: str = "",
    relief: Decimal | None = None,
    neighbour: Household | None = None,
    cadre: User | None = None,
    visit: int | None = None,
    companions: str = "",
) -> Holdout:
    """Why a household holds out, learned on a visit ``ago`` days ago, with the plan its reason calls for."""
    if reason in (HoldoutReason.HARDSHIP, HoldoutReason.NOISE_LIGHT):
        # Both are about living there: the owner does.
        Household.objects.filter(pk=household.pk).update(occupancy=Occupancy.OWNER)
    contact(story, household, ago, note=f"了解未同意原因：{detail}", companions=companions)
    holdout = consult.holdout_save(
        household=household,
        reason=reason,
        degree=degree,
        by=story.staff_of(household.unit),
        detail=detail,
        relief_amount=relief,
        neighbour=neighbour,
        cadre=cadre,
        visit_planned_on=None if visit is None else story.day(visit),
    )
    Holdout.objects.filter(pk=holdout.pk).update(updated_at=story.evening(ago))
    return holdout
