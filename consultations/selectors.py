"""Reads for the consultation screens, each in a fixed number of queries whatever the number of households."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.models import STAFF_ROLES, User
from units import nextstep
from units.models import AgeBand, Household, Occupancy, Stage, Street, Unit

from . import campaign, rules
from .models import (
    ActionItem,
    ConsultationRound,
    Contact,
    ContactChannel,
    ContactOutcome,
    Degree,
    Holdout,
    HoldoutReason,
    Meeting,
    MeetingKind,
    Notice,
    NoticeStatus,
    Objection,
    OwnerTransfer,
    RoundStatus,
    SameOwnerDecision,
    UnitTally,
    VisitFlat,
    Vote,
    VoteChange,
    VoteValue,
)
from .signals import lock_units

# --- votes as the consent engine reads them -------------------------------------------------------


def owner_key(household: Household) -> tuple:
    """The consent engine's de-duplication key (rules.owner_key): the institution, else the certificate
    number's hash, else name and phone (in its normal form), when a phone is given."""
    return rules.owner_key(
        household.room, household.owner_name, household.phone, household.id_hash, household.institution
    )


def current_vote(household: Household) -> Vote:
    try:
        return household.vote
    except Vote.DoesNotExist:
        return Vote(household=household, value=VoteValue.UNDECIDED)


def _flat(household: Household, vote: str) -> rules.Flat:
    h = household
    return rules.Flat(
        room=h.room,
        area=h.area,
        vote=vote,
        owner_name=h.owner_name.strip(),
        phone=h.phone.strip(),
        id_hash=h.id_hash,
        institution=h.institution,
    )


def flats_for_rules(households: Iterable[Household]) -> list[rules.Flat]:
    """Turn households (with their vote selected or prefetched) into the consent engine's flats."""
    return [_flat(h, current_vote(h).value) for h in households]


@dataclass(frozen=True)
class UnitConsent:
    """The consent engine's answer for one unit, or the roster conflict that stops it from answering."""

    consent: rules.Consent | None
    conflict: rules.OwnerConflict | None = None

    @property
    def ok(self) -> bool:
        return self.consent is not None


# The fields of a street its consent policy is made of (``policy_of``), for reads of plain values.
POLICY_FIELDS = (
    "consent_rule", "participation_numerator", "participation_denominator", "agreement_numerator",
    "agreement_denominator", "few_holdouts_max",
)


def street_policy(street: Street) -> rules.Policy:
    """The consent policy a street has chosen in the admin (docs/rules.md, "Consent")."""
    return policy_of(*(getattr(street, name) for name in POLICY_FIELDS))


def policy_of(
    consent_rule, participation_numerator, participation_denominator, agreement_numerator, agreement_denominator,
    few_holdouts_max,
) -> rules.Policy:
    """The policy of a street's ``POLICY_FIELDS`` values, in that order."""
    if consent_rule == Street.ConsentRule.CUSTOM:
        participation = Fraction(participation_numerator, participation_denominator)
        return rules.custom_policy(
            participation or None,
            Fraction(agreement_numerator, agreement_denominator),
            few_holdouts_max=few_holdouts_max,
        )
    preset = rules.PRESETS[consent_rule]
    return rules.Policy(preset.participation, preset.agreement, preset.agreement_of, few_holdouts_max)


def same_owner_decisions(unit_ids: Iterable[int]) -> dict[int, list[SameOwnerDecision]]:
    """Every same-owner decision of these units (docs/rules.md, "Possible same owner"), in one query."""
    grouped: dict[int, list[SameOwnerDecision]] = defaultdict(list)
    decisions = SameOwnerDecision.objects.filter(unit_id__in=list(unit_ids)).select_related("household_a", "household_b")
    for decision in decisions.order_by("decided_at", "pk"):
        grouped[decision.unit_id].append(decision)
    return grouped


def links_of(decisions: Iterable[SameOwnerDecision]) -> list[tuple[str, str]]:
    """The pairs of rooms staff decided hold one owner: the consent engine's ``links``."""
    return [(d.household_a.room, d.household_b.room) for d in decisions if d.same]


def owner_groups(households: Iterable[Household], decisions: Iterable[SameOwnerDecision]) -> list[list[Household]]:
    """One unit's households grouped into owners: the owner key, then staff's same-owner links (``decisions``,
    from ``same_owner_decisions``), as the consent count groups them (rules.owner_groups). The one way to say
    who is one owner: the vote, the import's check, the pages and the count all go through it. No query;
    votes are not read."""
    households = list(households)
    flats = [_flat(h, rules.UNDECIDED) for h in households]
    return [[households[n] for n in group] for group in rules.owner_group_positions(flats, links_of(decisions))]


def evaluate_unit(
    unit: Unit, households: Iterable[Household], decisions: Iterable[SameOwnerDecision] | None = None
) -> UnitConsent:
    """The consent count of one unit; ``decisions`` (``same_owner_decisions``) are read when not given."""
    if decisions is None:
        decisions = same_owner_decisions([unit.pk])[unit.pk]
    try:
        return UnitConsent(rules.evaluate(flats_for_rules(households), street_policy(unit.street), links_of(decisions)))
    except rules.OwnerConflict as conflict:
        return UnitConsent(None, conflict)


SAME_OWNER_REASONS = {
    rules.SAME_NAME: _("Same name, a phone missing"),
    rules.SHARED_PHONE: _("One phone under two names"),
    rules.SPACING: _("Names differ only in spacing"),
}


@dataclass(frozen=True)
class SameOwnerPair:
    """Two households a person must decide about: one owner, or different people."""

    first: Household
    second: Household
    reason: str

    @property
    def reason_label(self) -> str:
        return SAME_OWNER_REASONS[self.reason]


def open_same_owner_pairs(households: Iterable[Household], decisions: Iterable[SameOwnerDecision]) -> list[SameOwnerPair]:
    """The pairs of households (with their votes) still to decide, in roster order; no query."""
    households = list(households)
    by_room = {h.room: h for h in households}
    candidates = same_owner_candidates(flats_for_rules(households), decisions)
    return [SameOwnerPair(by_room[c.rooms[0]], by_room[c.rooms[1]], c.reason) for c in candidates]


def same_owner_candidates(flats: Iterable[rules.Flat], decisions: Iterable[SameOwnerDecision]) -> list[rules.SameOwnerCandidate]:
    """``rules.same_owner_candidates`` with a unit's stored decisions: its links joined, every decided pair
    left out. No query (the decisions come with their households, ``same_owner_decisions``)."""
    decisions = list(decisions)
    decided = [(d.household_a.room, d.household_b.room) for d in decisions]
    return rules.same_owner_candidates(flats, links=links_of(decisions), decided=decided)


def open_same_owner_counts(units: Iterable[Unit]) -> dict[int, int]:
    """How many pairs each unit has still to decide: two queries (households, decisions)."""
    units = list(units)
    grouped, decisions = households_of(units), same_owner_decisions([u.pk for u in units])
    return {unit.pk: len(open_same_owner_pairs(grouped.get(unit.pk, []), decisions[unit.pk])) for unit in units}


def co_owned_counts(units: Iterable[Unit]) -> dict[int, int]:
    """How many flats of each unit have co-owners (共有, docs/rules.md "Co-owned flats"): one query; a unit
    without any is missing."""
    rows = Household.objects.filter(unit_id__in=[u.pk for u in units]).exclude(co_owners="").values("unit_id")
    return dict(rows.annotate(n=Count("pk")).order_by().values_list("unit_id", "n"))


def households_of(units: Iterable[Unit], *, history: bool = False) -> dict[int, list[Household]]:
    """All households of these units with their votes, in one query, grouped by unit. ``history=True``
    gives each its vote history's net into agree too, as ``agree_net``, in the same query."""
    grouped: dict[int, list[Household]] = defaultdict(list)
    ids = [u.pk for u in units]
    households = Household.objects.filter(unit_id__in=ids).select_related("vote").order_by("-floor", "room")
    if history:
        households = households.annotate(agree_net=agree_net_of_household())
    for household in households:
        grouped[household.unit_id].append(household)
    return grouped


# A change of vote into agree, and one out of it (a new reason with the same vote is neither).
INTO_AGREE = Q(after=VoteValue.AGREE) & ~Q(before=VoteValue.AGREE)
OUT_OF_AGREE = Q(before=VoteValue.AGREE) & ~Q(after=VoteValue.AGREE)


def agree_net() -> Sum:
    """Over vote changes: those into agree less those out of it (the consent trend's steps)."""
    return Sum(Case(When(INTO_AGREE, then=1), When(OUT_OF_AGREE, then=-1), default=0))


def agree_net_of_household():
    """A household's whole vote history, net into agree: the sum of its changes' steps (1 when a history
    that holds together ends in agree, else 0); a correlated sum over its own changes, by their index."""
    changes = VoteChange.objects.filter(household=OuterRef("pk")).order_by().values("household")
    return Coalesce(Subquery(changes.annotate(net=agree_net()).values("net")), 0)


def consent_by_unit(units: Iterable[Unit], *, live: bool = False) -> dict[int, UnitConsent]:
    """Consent for each unit; units must come with ``building__estate__community__street`` selected.

    By default from the stored tallies (one query), computing and storing the missing ones from their
    households and same-owner decisions (two more queries and a bulk insert). ``live=True`` always evaluates the households: the
    lifecycle guards use it, so a move is never decided on a stored copy.
    """
    units = list(units)
    if live:
        grouped, decisions = households_of(units), same_owner_decisions([u.pk for u in units])
        return {unit.pk: evaluate_unit(unit, grouped.get(unit.pk, []), decisions[unit.pk]) for unit in units}
    stored = {t.unit_id: t for t in UnitTally.objects.filter(unit_id__in=[u.pk for u in units])}
    missing = [u for u in units if u.pk not in stored]
    if missing:
        with transaction.atomic():
            # Lock the units before reading their households (see signals.lock_units): a vote being
            # written now either committed before this read, or drops the tally after this insert.
            # Without it, a tally read before a writer's commit and stored after its delete stayed stale.
            lock_units([u.pk for u in missing])
            grouped = households_of(missing, history=True)
            decisions = same_owner_decisions([u.pk for u in missing])
            tallies = [_counted(unit, grouped.get(unit.pk, []), decisions[unit.pk])[0] for unit in missing]
            UnitTally.objects.bulk_create(tallies, ignore_conflicts=True)
        stored.update((t.unit_id, t) for t in tallies)
    return {
        unit.pk: UnitConsent(stored[unit.pk], None) if stored[unit.pk].ok else UnitConsent(None, stored[unit.pk].conflict)
        for unit in units
    }


def _counted(unit: Unit, flats: list[Household], decisions) -> tuple[UnitTally, UnitConsent]:
    """A unit's tally counted from its households (``households_of(..., history=True)``) and the engine's
    answer it was made from: the one way a missing tally is stored, by any reader."""
    answer = evaluate_unit(unit, flats, decisions)
    tally = _tally(unit.pk, answer)
    tally.agree_net = sum(flat.agree_net for flat in flats)  # the vote history's, not the engine's
    for flat in flats:  # the support pattern's, every flat whatever the engine found
        for table, key in _support_keys(flat.floor, flat.occupancy, flat.age_band):
            name = UnitTally.support_field(table, key, _bucket(current_vote(flat).value))
            setattr(tally, name, getattr(tally, name) + 1)
    return tally, answer


TALLY_CHUNK = 500  # units whose missing tallies are computed at once before a sum reads them


def next_steps_of(units) -> tuple[dict, dict]:
    """The next step and the consent of each of these (few) units, the consent guard reusing their stored
    tallies: (unit id → next step, unit id → consent). ``units`` as ``units.nextstep.next_steps`` takes them;
    a fixed number of reads, whatever their count."""
    listed = {unit.pk: unit for unit in units}
    consents = consent_by_unit(listed.values()) if listed else {}
    return (nextstep.next_steps(listed.values(), counted={"consent": consents}) if consents else {}), consents


def store_missing_tallies(units_qs) -> None:
    """Compute the consent figures of the units of ``units_qs`` that have none stored yet (after an
    import or a vote), ``TALLY_CHUNK`` at a time, so that sums over many units read only the stored
    figures (GROUP BY in the database). One query when none is missing."""
    missing = units_qs.filter(tally__isnull=True).for_listing().order_by("pk")
    while chunk := list(missing[:TALLY_CHUNK]):
        consent_by_unit(chunk)


def _tally(unit_id: int, result: UnitConsent) -> UnitTally:
    return UnitTally.from_consent(unit_id, result.consent, result.conflict, computed_at=timezone.now())


@dataclass(frozen=True)
class ConsentHistory:
    """What the consent of any past day is counted from: a unit's households (with today's votes), their
    vote changes and changes of owner, its same-owner decisions and its street's policy."""

    households: list[Household]
    changes: dict[int, list[campaign.VoteEntry]]
    transfers: dict[int, list[campaign.TransferEntry]]
    decisions: list[SameOwnerDecision]
    policy: rules.Policy


def consent_history(unit: Unit) -> ConsentHistory:
    """Four queries, read once for as many days as a caller asks about (``consent_from``)."""
    households = list(Household.objects.filter(unit=unit).select_related("vote").order_by("-floor", "room"))
    ids = [h.pk for h in households]
    changes: dict[int, list[campaign.VoteEntry]] = defaultdict(list)
    for change in VoteChange.objects.filter(household_id__in=ids).order_by("changed_at", "id"):
        day_of = timezone.localdate(change.changed_at)
        changes[change.household_id].append(campaign.VoteEntry(change.changed_at, day_of, change.before, change.after))
    transfers: dict[int, list[campaign.TransferEntry]] = defaultdict(list)
    for t in OwnerTransfer.objects.filter(household_id__in=ids).order_by("transferred_on", "recorded_at"):
        transfers[t.household_id].append(
            campaign.TransferEntry(t.transferred_on, t.recorded_at, t.old_name, t.old_phone, t.new_name, t.new_phone)
        )
    decisions = same_owner_decisions([unit.pk])[unit.pk]
    return ConsentHistory(households, changes, transfers, decisions, street_policy(unit.street))


def consent_from(history: ConsentHistory, day: date) -> UnitConsent:
    """The unit's consent as the law counts it on ``day``: each flat's owner of that day with their vote of
    that day (docs/rules.md, "Consent": consent on a given day). Who is one owner is decided as today
    (``owner_groups``) for the owners who still hold their flats; an earlier owner is known by the name and
    phone the change of owner recorded (their certificate, institution and same-owner decisions went with
    them). No query."""
    flats, holding = [], set()
    for h in history.households:
        name, phone, since, until = campaign.holder_on(
            day, history.transfers.get(h.pk, []), h.owner_name.strip(), h.phone.strip()
        )
        vote = campaign.vote_on(day, history.changes.get(h.pk, []), since, until, current=current_vote(h).value)
        if until is None:  # the owner of that day holds the flat still: today's owner, as the roster has them
            holding.add(h.pk)
            flats.append(_flat(h, vote))
        else:
            flats.append(rules.Flat(room=h.room, area=h.area, vote=vote, owner_name=name.strip(), phone=phone.strip()))
    decisions = [d for d in history.decisions if {d.household_a_id, d.household_b_id} <= holding]
    try:
        return UnitConsent(rules.evaluate(flats, history.policy, links_of(decisions)))
    except rules.OwnerConflict as conflict:
        return UnitConsent(None, conflict)


def consent_on(unit: Unit, day: date) -> UnitConsent:
    """The unit's consent on ``day`` (``consent_from``); four queries."""
    return consent_from(consent_history(unit), day)


# --- the visit list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LastContact:
    at: datetime
    channel: str
    outcome: str
    note: str

    def get_channel_display(self) -> str:
        return ContactChannel(self.channel).label if self.channel in ContactChannel.values else self.channel

    def get_outcome_display(self) -> str:
        return ContactOutcome(self.outcome).label if self.outcome in ContactOutcome.values else self.outcome


@dataclass
class VisitRow:
    """One owner to visit: their first flat in the unit stands for all their flats there."""

    rank: int
    unit: Unit
    consent: UnitTally  # the unit's stored consent figures (agrees_needed, situation)
    household: Household
    rooms: list[str]
    vote: str
    in_minimal_set: bool
    holdout: Holdout | None
    last_contact: LastContact | None
    days_since: int | None
    current_round: ConsultationRound | None
    new_owner_since: date | None = None  # the flat changed owner on that day (过户): a new owner to meet


VISIT_STAGES = Stage.CONSULTING


def _holdout_of(household: Household) -> Holdout | None:
    try:
        return household.holdout
    except Holdout.DoesNotExist:
        return None


def _short(tally: UnitTally) -> bool:
    """A unit whose owners are to be visited: counted, with owners, not passing yet."""
    return tally.ok and tally.agrees_needed is not None and not tally.threshold_met


def store_owners_to_visit(units: list[Unit]) -> None:
    """Count these units from their households and store, for each one short of consent, its owners not yet
    agreeing (``VisitFlat``) with the tally's ``owners_to_visit``; a missing tally is stored too. Sets each
    unit's tally on it. Queries: households, same-owner decisions, then the writes, whatever the number of
    units.

    The households are taken in (floor, room) order: an owner's first flat in it stands for the owner. The
    units are locked first, as ``consent_by_unit`` does: a vote written meanwhile either committed before
    this read or drops the tally after this write."""
    ids = [u.pk for u in units]
    flats: list[VisitFlat] = []
    tallies: dict[int, UnitTally] = {}
    with transaction.atomic():
        lock_units(ids)
        grouped = households_of(units, history=True)
        decisions = same_owner_decisions(ids)
        for unit in units:
            households = sorted(grouped.get(unit.pk, []), key=lambda h: (h.floor, h.room))
            tally, answer = _counted(unit, households, decisions[unit.pk])
            tallies[unit.pk] = tally
            tally.owners_to_visit = 0
            if not _short(tally):
                continue
            minimal = set(answer.consent.to_convert)
            # The engine's owners, staff's same-owner links included: one visit per owner, named by the
            # engine's key (its first flat's). One owner's flats carry one vote here (the count found no conflict).
            for held in owner_groups(households, decisions[unit.pk]):
                waiting = [h for h in held if current_vote(h).value != rules.AGREE]
                if not waiting:
                    continue
                tally.owners_to_visit += 1
                key_set = owner_key(held[0]) in minimal
                flats.extend(
                    VisitFlat(household=h, unit=unit, lead=waiting[0], position=n, in_minimal_set=key_set)
                    for n, h in enumerate(waiting)
                )
        stored = set(UnitTally.objects.filter(unit_id__in=ids).values_list("unit_id", flat=True))
        UnitTally.objects.bulk_create([t for pk, t in tallies.items() if pk not in stored], ignore_conflicts=True)
        # A stored tally was counted from the households just read (any change since would have dropped it).
        UnitTally.objects.bulk_update([t for pk, t in tallies.items() if pk in stored], ["owners_to_visit"])
        VisitFlat.objects.filter(unit_id__in=ids).delete()
        VisitFlat.objects.bulk_create(flats)
    for unit in units:
        Unit.tally.related.set_cached_value(unit, tallies[unit.pk])


def _degree_rank():
    """``campaign.degree_rank`` in the database, of the ``degree`` annotation."""
    ranks = [When(degree=d, then=Value(campaign.degree_rank(d))) for d in Degree.values]
    return Case(*ranks, default=Value(campaign.degree_rank(None)))


def _owner_contact(field: str):
    """The owner's last contact, over all their flats to visit (their ``lead``)."""
    latest = Contact.objects.filter(household__visit_flat__lead=OuterRef("lead")).order_by("-contacted_at", "-id")
    return Subquery(latest.values(field)[:1])


def _flat_contact(field: str):
    latest = Contact.objects.filter(household=OuterRef("household")).order_by("-contacted_at", "-id")
    return Subquery(latest.values(field)[:1])


class VisitOwners:
    """The owners to visit of some units, best visit first (``campaign.visit_order_key``, in the database):
    ``len`` from the stored tallies, no query; a slice reads that many owners and their flats, two queries.
    What a ``Paginator`` pages; iterating reads them all (the printout)."""

    def __init__(self, units: list[Unit], rounds: dict[int, ConsultationRound], today: date):
        self.units = {u.pk: u for u in units}
        self.rounds = rounds
        self.today = today
        self.total = sum(Unit.tally.related.get_cached_value(u).owners_to_visit for u in units)

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self[0 : self.total])

    def ordered(self):
        """The owners' standing flats, in visit order: ``campaign.visit_order_key`` field for field."""
        return (
            VisitFlat.objects.filter(unit_id__in=list(self.units), household_id=F("lead_id"))
            .annotate(
                needed=F("unit__tally__agrees_needed"),
                degree=Subquery(
                    Holdout.objects.filter(household__visit_flat__lead=OuterRef("lead"))
                    .order_by("household__visit_flat__position")
                    .values("degree")[:1]
                ),
                last_at=_owner_contact("contacted_at"),
                unit_label=Concat(
                    "unit__building__estate__name", Value("/"), "unit__building__number", Value("/"), "unit__number",
                    output_field=CharField(),
                ),
            )
            .order_by(
                "needed", "-in_minimal_set", _degree_rank(), F("last_at").asc(nulls_first=True), "unit_label",
                "household__room", "pk",
            )
        )

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("the owners to visit are read a slice at a time")
        start, stop, _step = index.indices(self.total)
        if stop <= start:
            return []
        leads = list(self.ordered().values_list("household_id", flat=True)[start:stop])
        flats: dict[int, list[VisitFlat]] = defaultdict(list)
        queryset = (
            VisitFlat.objects.filter(lead_id__in=leads)
            .select_related("household__vote", "household__holdout")
            .annotate(
                last_contact_at=_flat_contact("contacted_at"),
                last_contact_channel=_flat_contact("channel"),
                last_contact_outcome=_flat_contact("outcome"),
                last_contact_note=_flat_contact("note"),
                new_owner_since=Subquery(
                    OwnerTransfer.objects.filter(household=OuterRef("household"))
                    .order_by("-transferred_on", "-recorded_at")
                    .values("transferred_on")[:1]
                ),
            )
            .order_by("lead_id", "position")
        )
        for flat in queryset:
            flats[flat.lead_id].append(flat)
        return [self._row(start + n, flats[lead]) for n, lead in enumerate(leads, start=1)]

    def _row(self, rank: int, flats: list[VisitFlat]) -> VisitRow:
        lead = flats[0]  # position 0: the owner's first flat, which stands for them
        unit = self.units[lead.unit_id]
        latest = max((f for f in flats if f.last_contact_at is not None), key=lambda f: f.last_contact_at, default=None)
        last = None
        if latest is not None:
            last = LastContact(
                latest.last_contact_at, latest.last_contact_channel, latest.last_contact_outcome,
                latest.last_contact_note or "",
            )
        first = lead.household
        return VisitRow(
            rank=rank,
            unit=unit,
            consent=Unit.tally.related.get_cached_value(unit),
            household=first,
            rooms=[f.household.room for f in flats],
            vote=current_vote(first).value,
            in_minimal_set=lead.in_minimal_set,
            holdout=next((h for h in (_holdout_of(f.household) for f in flats) if h is not None), None),
            last_contact=last,
            days_since=None if last is None else (self.today - timezone.localtime(last.at).date()).days,
            current_round=self.rounds.get(unit.pk),
            new_owner_since=max((f.new_owner_since for f in flats if f.new_owner_since), default=None),
        )


@dataclass
class VisitList:
    owners: VisitOwners  # best visit first; page it (a Paginator) or read it whole (the printout)
    units: list[tuple[Unit, UnitTally, ConsultationRound | None]]  # failing units, fewest needed first
    # units that pass and still sit in survey or consultation, each with its next step (units/nextstep.py):
    # in consultation, start the notice; in survey, open a round first
    ready: list[tuple[Unit, nextstep.NextStep]]
    on_hold: list[tuple[Unit, ConsultationRound]]
    conflicts: list[tuple[Unit, str]]
    overdue: list[ConsultationRound]

    @property
    def rows(self) -> list[VisitRow]:
        """Every owner to visit, best visit first."""
        return list(self.owners)


def visit_list(units: Iterable[Unit], today: date | None = None) -> VisitList:
    """Owners to visit, best visit first (see ``campaign.visit_order_key``), in a fixed number of queries.

    ``units`` must come with ``building__estate__community__street`` selected, best with their tally
    (``select_related("tally")``; else it is read, one query). Only units in survey or consultation that
    are physically eligible take part; a unit whose round is on hold waits for the leadership group and is
    listed apart. Everything but the owners is told from the stored tallies; the owners of the units short
    of consent are stored once (``store_owners_to_visit``, only for units whose tally has none yet) and read
    a page at a time (``VisitList.owners``), so the list costs the page it shows, not the community.
    """
    today = today or timezone.localdate()
    units = [u for u in units if u.stage in VISIT_STAGES and u.eligible]
    unread = [u for u in units if not Unit.tally.related.is_cached(u)]
    if unread:
        found = UnitTally.objects.in_bulk([u.pk for u in unread])
        for unit in unread:
            Unit.tally.related.set_cached_value(unit, found.get(unit.pk))
    rounds = {
        r.unit_id: r
        for r in ConsultationRound.objects.current().filter(unit_id__in=[u.pk for u in units])
    }
    waiting = {pk for pk, r in rounds.items() if r.status == RoundStatus.ON_HOLD}

    def stale(unit):
        tally = Unit.tally.related.get_cached_value(unit)
        return tally is None or (_short(tally) and tally.owners_to_visit is None)

    if missing := [u for u in units if u.pk not in waiting and stale(u)]:
        store_owners_to_visit(missing)
    result = VisitList(owners=None, units=[], ready=[], on_hold=[], conflicts=[], overdue=[])
    passing: list[tuple[Unit, UnitConsent]] = []
    short: list[Unit] = []
    for unit in units:
        current_round = rounds.get(unit.pk)
        if current_round is not None and current_round.is_overdue(today):
            current_round.unit = unit  # the list names it: the unit at hand, not one query per round
            result.overdue.append(current_round)
        if unit.pk in waiting:
            result.on_hold.append((unit, current_round))
            continue
        tally = Unit.tally.related.get_cached_value(unit)
        if not tally.ok:
            result.conflicts.append((unit, tally.conflict))
        elif tally.agrees_needed is None:
            continue
        elif tally.threshold_met:
            passing.append((unit, UnitConsent(tally)))
        else:
            short.append(unit)
            result.units.append((unit, tally, current_round))
    # What a passing unit does next is the next step's to say, from the counts just read: no household read.
    steps = nextstep.next_steps([u for u, _a in passing], counted={"consent": {u.pk: a for u, a in passing}})
    result.ready = [(unit, steps[unit.pk]) for unit, _answer in passing]
    result.units.sort(key=lambda item: (item[1].agrees_needed, str(item[0])))
    result.owners = VisitOwners(short, rounds, today)
    return result


# --- support pattern ------------------------------------------------------------------------------

AGREE_BUCKET, OPPOSE_BUCKET, OTHER_BUCKET = "agree", "oppose", "other"


@dataclass
class SupportRow:
    key: str
    label: str
    agree: int = 0
    oppose: int = 0
    other: int = 0  # abstain, undecided, unreachable: not yet for or against

    @property
    def total(self) -> int:
        return self.agree + self.oppose + self.other

    def share(self, part: int) -> Fraction | None:
        return Fraction(part, self.total) if self.total else None

    @property
    def agree_share(self) -> Fraction | None:
        return self.share(self.agree)

    @property
    def oppose_share(self) -> Fraction | None:
        return self.share(self.oppose)

    @property
    def other_share(self) -> Fraction | None:
        return self.share(self.other)


@dataclass
class SupportPattern:
    by_floor: list[SupportRow]
    by_occupancy: list[SupportRow]
    by_age: list[SupportRow]
    households: int


def _bucket(vote: str | None) -> str:
    if vote == rules.AGREE:
        return AGREE_BUCKET
    if vote == rules.OPPOSE:
        return OPPOSE_BUCKET
    return OTHER_BUCKET  # abstain, undecided, unreachable, or no vote row yet


def _support_keys(floor: int, occupancy: str, age_band: str) -> list[tuple[str, str]]:
    """The support pattern's rows a flat counts in (``UnitTally.SUPPORT``): its floor band, its occupancy and
    its age group, each while it is one the pattern lists."""
    keys = (("floor", campaign.floor_band(floor)), ("occupancy", occupancy), ("age", age_band or ""))
    return [(table, key) for table, key in keys if key in UnitTally.SUPPORT[table]]


def _pattern(counted: dict[tuple[str, str, str], int]) -> SupportPattern:
    """The pattern's tables from the flats counted per (table, key, bucket)."""
    labels = {
        "floor": {campaign.LOW: _("Floors 1–2"), campaign.MIDDLE: _("Floors 3–4"), campaign.HIGH: _("Floor 5 and up")},
        "occupancy": dict(Occupancy.choices),
        "age": {**dict(AgeBand.choices), "": _("Age not recorded")},
    }
    tables = {
        table: [
            SupportRow(key, labels[table][key], *(counted.get((table, key, b), 0) for b in UnitTally.SUPPORT_BUCKETS))
            for key in keys
        ]
        for table, keys in UnitTally.SUPPORT.items()
    }
    return SupportPattern(
        by_floor=tables["floor"],
        by_occupancy=tables["occupancy"],
        by_age=[row for row in tables["age"] if row.key or row.total],
        households=sum(row.total for row in tables["floor"]),  # every flat is on a floor
    )


def support_pattern(units) -> SupportPattern:
    """Agree / oppose / not yet by floor band, occupancy and age group, counted in flats, in one query:
    a GROUP BY over the households of ``units``, a queryset of units (already scoped to the user). For the
    few units of an estate or a community; a dashboard sums the stored figures (``stored_support_pattern``).
    """
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    groups = (
        Household.objects.filter(unit__in=units)
        .values("floor", "occupancy", "age_band", "vote__value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group in groups:
        bucket = _bucket(group["vote__value"])
        for table, key in _support_keys(group["floor"], group["occupancy"], group["age_band"]):
            counted[table, key, bucket] += group["n"]
    return _pattern(counted)


def stored_support_pattern(units) -> SupportPattern:
    """``support_pattern`` summed over the units' stored tallies (UnitTally's support figures), one row a
    unit, not a household: the units' tallies are to be stored first (``store_missing_tallies``). One query."""
    names = UnitTally.support_fields()
    # None where no tally is summed: 0 here, not Coalesce in SQL (33 expressions fewer to build a request)
    sums = UnitTally.objects.filter(unit__in=units).aggregate(**{name: Sum(name) for name in names})
    return _pattern(
        {
            (table, key, bucket): sums[UnitTally.support_field(table, key, bucket)] or 0
            for table, keys in UnitTally.SUPPORT.items()
            for key in keys
            for bucket in UnitTally.SUPPORT_BUCKETS
        }
    )


# --- the consultation panel of a unit page ----------------------------------------------------------


@dataclass
class HoldoutLine:
    household: Household
    vote: str
    holdout: Holdout | None
    in_minimal_set: bool


@dataclass
class UnitPanel:
    unit: Unit
    result: UnitConsent
    latest_round: ConsultationRound | None
    holdouts: list[HoldoutLine]
    contacts: list[Contact]
    notice: Notice | None
    objections: list[Objection]
    meetings: list[Meeting]
    action_items: list[ActionItem]
    today: date

    @property
    def situation(self) -> str | None:
        return self.result.consent.situation if self.result.ok else None

    @property
    def current_round(self) -> ConsultationRound | None:
        r = self.latest_round
        return r if r is not None and r.status != RoundStatus.CLOSED else None

    @property
    def round_overdue(self) -> bool:
        return self.current_round is not None and self.current_round.is_overdue(self.today)

    @property
    def running_notice(self) -> Notice | None:
        return self.notice if self.notice is not None and self.notice.status == NoticeStatus.RUNNING else None

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.is_open)

    @property
    def notice_days_left(self) -> int | None:
        n = self.running_notice
        return None if n is None else campaign.notice_days_left(self.today, n.starts_on, n.days)

    @property
    def upcoming_qa(self) -> list[Meeting]:
        return [m for m in self.meetings if m.kind == MeetingKind.QA]


def households_for_unit_page(unit: Unit) -> list[Household]:
    """A unit's households with their votes and holdout records: the one read the unit page needs."""
    return list(
        Household.objects.filter(unit=unit)
        .select_related("vote", "holdout__neighbour", "holdout__cadre")
        .order_by("floor", "room")
    )


def unit_panel(
    unit: Unit,
    today: date | None = None,
    *,
    households: list[Household] | None = None,
    result=None,
    decisions: list[SameOwnerDecision] | None = None,
) -> UnitPanel:
    """Everything the consultation panel of a unit page shows, in a fixed number of queries.

    The unit page passes the households it has read (``households_for_unit_page``), the same-owner decisions
    and the consent it has counted from them, so none is done twice.
    """
    today = today or timezone.localdate()
    if households is None:
        households = households_for_unit_page(unit)
    if decisions is None:
        decisions = same_owner_decisions([unit.pk])[unit.pk]
    if result is None:
        result = evaluate_unit(unit, households, decisions)
    minimal = set(result.consent.to_convert) if result.ok else set()
    # An owner is in the minimal set with every flat they hold, linked ones included (the engine names an
    # owner by their first flat's key).
    in_minimal = {h.pk for held in owner_groups(households, decisions) if owner_key(held[0]) in minimal for h in held}
    holdouts = [
        HoldoutLine(h, current_vote(h).value, _holdout_of(h), h.pk in in_minimal)
        for h in households
        if current_vote(h).value != rules.AGREE
    ]
    holdouts.sort(key=lambda line: (not line.in_minimal_set, campaign.degree_rank(line.holdout and line.holdout.degree)))
    latest_round = ConsultationRound.objects.filter(unit=unit).order_by("-number").first()
    contacts = list(
        Contact.objects.filter(household__unit=unit).select_related("household", "made_by").order_by(
            "-contacted_at", "-id"
        )[:8]
    )
    notice = Notice.objects.filter(unit=unit).order_by("-started_at", "-id").first()
    objections = list(notice.objections.select_related("household")) if notice else []
    meetings = list(Meeting.objects.filter(units=unit, held_on__gte=today).order_by("held_on", "starts_at")[:5])
    action_items = list(
        ActionItem.objects.filter(units=unit, done=False).select_related("owner").order_by("due_on")[:5]
    )
    return UnitPanel(unit, result, latest_round, holdouts, contacts, notice, objections, meetings, action_items, today)


def owners_to_tell(unit: Unit) -> list[OwnerTransfer]:
    """Changes of owner recorded after the unit reached signing whose new owner is not yet told (新业主待告知)."""
    return list(
        OwnerTransfer.objects.filter(household__unit=unit, after_signing=True, told_at__isnull=True)
        .select_related("household")
        .order_by("transferred_on", "pk")
    )


# --- for the cost-share plan ------------------------------------------------------------------------


def proposed_reliefs(unit: Unit) -> dict[int, Decimal]:
    """Hardship relief proposed on holdout records: household id → yuan (two decimals), in one query.

    Kept after the household agrees: the relief is often why it did.
    """
    rows = Holdout.objects.filter(household__unit=unit, reason=HoldoutReason.HARDSHIP, relief_amount__isnull=False)
    return dict(rows.values_list("household_id", "relief_amount"))


def signing_opens_on(unit_id: int) -> date | None:
    """The first day of signing: the day after the completed public notice's full period, if on record.
    Registered with units.contracts, which checks contract dates against it."""
    notice = (
        Notice.objects.filter(unit_id=unit_id, status=NoticeStatus.COMPLETED)
        .select_related("unit__building__estate__community__street")
        .order_by("-started_at", "-id")
        .first()
    )
    return notice.signing_opens_on(min_days=notice.unit.street.notice_days) if notice else None


# --- who may be named on a holdout plan or an action item -----------------------------------------


def cadres_for(unit: Unit):
    """Users who can go on a joint visit as the cadre: editors whose scope covers the unit."""
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


# The neighbour picker's groups, nearest first (a neighbour across the landing knows the stairs best).
SAME_FLOOR, SAME_UNIT, SAME_BUILDING = 0, 1, 2
NEIGHBOUR_GROUPS = {
    SAME_FLOOR: _("Same floor"),
    SAME_UNIT: _("Same unit"),
    SAME_BUILDING: _("Same building"),
}


def neighbours_to_offer(household: Household, keep: int | None = None) -> list[tuple[int, Household]]:
    """The households offered for a joint visit with ``household``, as (group, household): the same floor
    of its unit, then the rest of its unit, then its building; in each group those who agree first (they
    can tell why they said yes). Strongly opposed households are left out: they are no help at the door.
    ``keep``: a neighbour already chosen, kept in the list (its group by where it lives) even if it would
    not be offered now. One query."""
    unit = household.unit
    near = Q(unit__building_id=unit.building_id) & ~Q(holdout__degree=Degree.STRONG)
    if keep is not None:
        near |= Q(pk=keep)
    rows = (
        neighbours_for(household)
        .filter(near)
        .select_related("unit__building", "vote")
        .order_by("unit__building__number", "unit__number", "floor", "room", "pk")
    )

    def group(other: Household) -> int:
        if other.unit_id == unit.pk:
            return SAME_FLOOR if other.floor == household.floor else SAME_UNIT
        return SAME_BUILDING

    def agrees(other: Household) -> bool:
        vote = getattr(other, "vote", None)
        return vote is not None and vote.value == rules.AGREE

    offered = [(group(other), other) for other in rows]
    return sorted(offered, key=lambda pair: (pair[0], not agrees(pair[1])))


def action_owners_for(street):
    """Users who can own an action item of a street's meeting: its leaders, community staff, unit leaders."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(street=street)
            | Q(community__street=street)
            | Q(led_units__building__estate__community__street=street)
        )
        .distinct()
    )
