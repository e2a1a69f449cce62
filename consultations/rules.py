"""Consent rules for one unit (单元): does the roster carry the vote, and if not, how far is it?

Legal basis
-----------
* Civil Code art. 278 para. 2: a matter of item 7 (改建、重建建筑物及其附属设施, which covers
  adding an elevator) needs owners holding at least 2/3 of the exclusive-part area *and* at least 2/3
  of the headcount to take part, and the agreement of at least 3/4 of the participating area *and*
  3/4 of the participating headcount. "以上" includes the bound, so every test is ``>=``.
* Supreme People's Court interpretation on building ownership, art. 8-9: area is the registered
  area of each exclusive part; headcount is one per exclusive part, except that one owner holding
  several exclusive parts counts once. In a roster we recognise "the same owner" by the same
  institutional owner (公房/单位产权), else by the same certificate number (its keyed hash), else by
  equal name and equal, non-empty phone, the phones compared in their one normal form
  (retrofit/phones.py), so "139-0000-0001" and "13900000001" are one number (see :func:`owner_key`).
* Some cities still use an older rule (2/3 of all area and 2/3 of all owners agree); a street office
  may also set its own pair of fractions. See :class:`Policy`.

All arithmetic is exact: areas are ``Decimal`` and every comparison is made on ``Fraction`` values
(``Fraction(Decimal)`` is exact). No floats, no rounded percentages.

Agrees needed
-------------
The fewest owners not now agreeing whose switch to agree makes the unit pass. Owners not agreeing
fall into two groups:

* outsiders (undecided, unreachable): converting one raises participation (count and area) and
  agreement (count and area);
* dissenters (oppose, abstain): converting one raises agreement (count and area) only.

Every test is monotone non-decreasing in the area of a converted owner within each group (for the
"of participants" agreement test, converting an outsider of area ``x`` adds ``x`` to the agreeing area
but only ``f*x`` to its bound, with ``f <= 1``). Hence, for fixed numbers ``i`` of outsiders and ``j``
of dissenters, taking the ``i`` largest outsiders and the ``j`` largest dissenters is best. We try
``i + j = 0, 1, 2, ...`` with prefix sums of the sorted areas and stop at the first pair that passes:
O(n^2) exact comparisons, and provably minimal. Converting everyone always passes (all fractions are
at most 1), so a unit with owners always has an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from numbers import Rational
from typing import NamedTuple

from retrofit import phones

# --- votes and situations -------------------------------------------------------------------------

AGREE, OPPOSE, ABSTAIN, UNDECIDED, UNREACHABLE = "agree", "oppose", "abstain", "undecided", "unreachable"
VOTES = (AGREE, OPPOSE, ABSTAIN, UNDECIDED, UNREACHABLE)
PARTICIPATING = frozenset({AGREE, OPPOSE, ABSTAIN})
# Owners a Q&A meeting can plausibly win over, without changing an opponent's mind.
SOFT = frozenset({ABSTAIN, UNDECIDED, UNREACHABLE})

READY, FEW_HOLDOUTS, WAIT_AND_SEE, UNLIKELY = "ready", "few_holdouts", "wait_and_see", "unlikely"
SITUATIONS = (READY, FEW_HOLDOUTS, WAIT_AND_SEE, UNLIKELY)

OF_PARTICIPANTS, OF_ALL = "participants", "all"


# --- roster ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flat:
    """One exclusive part (专有部分) as it stands in the roster."""

    room: str
    area: Decimal  # registered area, 2 decimals, > 0
    vote: str  # one of VOTES
    owner_name: str = ""
    phone: str = ""
    id_hash: str = ""  # keyed hash of the certificate number (retrofit/owner_ids.py); "" when not given
    institution: str = ""  # the institutional owner (公房/单位产权); "" for a private flat

    def __post_init__(self) -> None:
        if self.vote not in VOTES:
            raise ValueError(f"room {self.room}: unknown vote {self.vote!r}")
        # Floats would make the exact arithmetic below a lie, so refuse them outright.
        if not isinstance(self.area, Decimal):
            raise TypeError(f"room {self.room}: area must be a Decimal, not {type(self.area).__name__}")
        if not self.area.is_finite() or self.area <= 0:
            raise ValueError(f"room {self.room}: area must be positive, got {self.area}")

    @cached_property
    def key(self) -> tuple:
        """Its owner key (``owner_key``), worked out once: every count and check asks for it."""
        return owner_key(self.room, self.owner_name, self.phone, self.id_hash, self.institution)


@dataclass(frozen=True)
class Owner:
    """One owner for the headcount: a single flat, or several flats held by the same person."""

    key: tuple  # ("institution", name), ("id", hash), ("phone", name, phone in its normal form) or ("room", room)
    rooms: tuple[str, ...]
    area: Decimal  # sum of the owner's flats
    vote: str


class OwnerConflict(ValueError):
    """One owner's flats carry different votes: an input error the staff must resolve."""

    def __init__(self, owner_name: str, phone: str, rooms: Sequence[str]) -> None:
        super().__init__(owner_name, phone, tuple(rooms))
        self.owner_name = owner_name
        self.phone = phone
        self.rooms = tuple(rooms)

    def __str__(self) -> str:
        return (
            f"owner {self.owner_name} ({self.phone}) holds rooms {', '.join(self.rooms)} "
            "with different votes; one owner has one vote"
        )


class DuplicateRoom(ValueError):
    """The same room number appears twice in one unit's roster."""

    def __init__(self, room: str) -> None:
        super().__init__(room)
        self.room = room

    def __str__(self) -> str:
        return f"room {self.room} appears more than once in the roster"


def _clean(text: str | None) -> str:
    return (text or "").strip()


def owner_key(
    room: str, owner_name: str | None, phone: str | None, id_hash: str | None = "", institution: str | None = ""
) -> tuple:
    """Who holds a flat, for the headcount (docs/rules.md, "Who is one owner"), the first that applies:
    ("institution", name) for a flat an institution owns (公房/单位产权), its name with spaces dropped;
    ("id", hash) when the certificate number is given (its keyed hash, retrofit/owner_ids.py);
    ("phone", name, phone) when a phone is given, the phone in its normal form (phones.comparable);
    else ("room", room), the flat is its own owner."""
    institution = "".join((institution or "").split())
    if institution:
        # A 公房 ledger names the tenant (承租人) and their certificate; the owner is the institution.
        return ("institution", institution)
    if _clean(id_hash):
        return ("id", _clean(id_hash))
    name, phone = _clean(owner_name), phones.comparable(phone)
    # An empty phone proves nothing: two "王芳" without a phone may well be two people.
    if phone:
        return ("phone", name, phone)
    return ("room", room)


def owner_keys_may_repeat(owner_names: Sequence[str], id_hashes: Sequence[str], institutions: Sequence[str]) -> bool:
    """Whether two of a unit's flats (their owners' names, certificate hashes and institutions, in one
    order) may have one ``owner_key``: only when two share an institution, a hash or a name (spaces aside,
    a blank name too), as every key but a room's is made of one of these. Strings only, no key per flat."""
    names = ["".join(name.split()) for name in owner_names]
    if len(set(names)) < len(names):
        return True
    for values in (id_hashes, institutions):
        given = [text for text in ("".join(value.split()) for value in values) if text]
        if len(set(given)) < len(given):
            return True
    return False


def owner_groups(flats: Sequence[Flat], links: Iterable[tuple[str, str]] = ()) -> list[list[Flat]]:
    """Who is one owner: the flats grouped by owner key, then groups joined by each link (a pair of rooms
    staff decided hold one owner; rooms not in the roster are ignored). Groups in order of first appearance,
    each in roster order. The one grouping every count, vote and check uses (selectors.owner_groups)."""
    return [[flats[n] for n in group] for group in owner_group_positions(flats, links)]


def owner_group_positions(flats: Sequence[Flat], links: Iterable[tuple[str, str]] = ()) -> list[list[int]]:
    """``owner_groups`` as positions in ``flats``, for a caller that holds a record beside each flat."""
    parent = list(range(len(flats)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        i, j = root(i), root(j)
        if i != j:
            parent[max(i, j)] = min(i, j)  # the first-appearing flat stays the group's root

    by_key: dict[tuple, int] = {}
    index = {_clean(flat.room): n for n, flat in enumerate(flats)}
    for n, flat in enumerate(flats):
        join(by_key.setdefault(flat.key, n), n)
    for room_a, room_b in links:
        a, b = index.get(_clean(room_a)), index.get(_clean(room_b))
        if a is not None and b is not None:
            join(a, b)
    groups: dict[int, list[int]] = {}
    for n in range(len(flats)):
        groups.setdefault(root(n), []).append(n)
    return list(groups.values())


def owners_of(flats: Iterable[Flat], links: Iterable[tuple[str, str]] = ()) -> list[Owner]:
    """De-duplicate the roster into owners (SPC interpretation art. 9), in order of first appearance.

    ``links`` are pairs of rooms a person decided hold one owner ("Possible same owner" in docs/rules.md):
    their owners become one, keyed by the first-appearing flat's key. Raises :class:`DuplicateRoom` when a
    room number repeats and :class:`OwnerConflict` when one owner's flats carry different votes.
    """
    flats = list(flats)
    seen_rooms: set[str] = set()
    for flat in flats:
        room = _clean(flat.room)
        if room in seen_rooms:
            raise DuplicateRoom(flat.room)
        seen_rooms.add(room)

    owners = []
    for held in owner_groups(flats, links):
        votes = {flat.vote for flat in held}
        if len(votes) > 1:
            raise OwnerConflict(_clean(held[0].owner_name), _clean(held[0].phone), [f.room for f in held])
        owners.append(
            Owner(
                key=held[0].key,
                rooms=tuple(flat.room for flat in held),
                area=sum((flat.area for flat in held), Decimal(0)),
                vote=held[0].vote,
            )
        )
    return owners


# --- possible same owner --------------------------------------------------------------------------

# Why two flats may hold one owner though the ledger does not say so (docs/rules.md, "Possible same owner").
SAME_NAME = "same_name"  # the same name, and at least one of them has no phone
SHARED_PHONE = "shared_phone"  # the same phone under two names (a family member's phone)
SPACING = "spacing"  # names that differ only in spacing
SAME_OWNER_REASONS = (SAME_NAME, SHARED_PHONE, SPACING)


@dataclass(frozen=True)
class SameOwnerCandidate:
    """Two flats a person must decide about: one owner, or two people."""

    rooms: tuple[str, str]  # in roster order
    reason: str  # one of SAME_OWNER_REASONS


class _Holder(NamedTuple):
    """What the same-owner check compares of a flat, worked out once per flat rather than once per pair
    (a tuple: one is made for every flat a unit holds)."""

    settled: bool  # an institution's flat: the owner key has already decided
    id_hash: str
    phone: str  # in the form phones are compared in
    name: str
    bare: str  # the name without any space (str.split() knows the full-width space)

    @classmethod
    def of(cls, flat: Flat) -> _Holder:
        name = _clean(flat.owner_name)
        return cls(bool(flat.institution), flat.id_hash, phones.comparable(flat.phone), name, "".join(name.split()))


def _same_owner_reason(a: _Holder, b: _Holder) -> str | None:
    if (a.id_hash and b.id_hash) or a.settled or b.settled:
        return None  # two certificate numbers, or an institution: the owner key has already decided
    if a.phone and b.phone and a.phone != b.phone:
        return None  # two numbers: two people, as the owner key says
    if a.phone and a.phone == b.phone:
        return SPACING if a.bare == b.bare else SHARED_PHONE
    if a.bare and a.bare == b.bare:
        return SAME_NAME if a.name == b.name else SPACING
    return None


def share_a_phone_or_name(phone_numbers: Sequence[str | None], owner_names: Sequence[str | None]) -> bool:
    """Whether two of a unit's flats (their phones, and their owners' names in the same order) share a
    phone or a name, spaces aside: only such flats can be a pair of ``same_owner_candidates``. Strings
    only, no object per flat."""
    numbers = [number for number in map(phones.comparable, phone_numbers) if number]
    if len(set(numbers)) < len(numbers):
        return True
    names = [bare for bare in ("".join((name or "").split()) for name in owner_names) if bare]
    return len(set(names)) < len(names)


def same_owner_candidates(
    flats: Iterable[Flat], *, links: Iterable[tuple[str, str]] = (), decided: Iterable[tuple[str, str]] = ()
) -> list[SameOwnerCandidate]:
    """The pairs of flats that may hold one owner and are not one owner yet, in roster order.

    ``links`` are the pairs already decided to be one owner, ``decided`` every pair already decided
    either way; neither is asked again, nor a pair that the ledger or the links already make one owner.
    Only flats sharing a phone or a name (spaces aside) can be a pair: those are looked at, not every
    pair of a unit.
    """
    flats = list(flats)
    if not share_a_phone_or_name([flat.phone for flat in flats], [flat.owner_name for flat in flats]):
        return []  # most units, told without grouping their owners
    holders = [_Holder.of(flat) for flat in flats]
    sharing: dict[tuple[str, str], list[int]] = {}
    for n, holder in enumerate(holders):
        for key in (("phone", holder.phone), ("name", holder.bare)):
            if key[1]:
                sharing.setdefault(key, []).append(n)
    pairs = sorted({(i, j) for positions in sharing.values() for k, i in enumerate(positions) for j in positions[k + 1 :]})
    done = {frozenset((_clean(a), _clean(b))) for a, b in decided}
    owner_of = {}
    for number, held in enumerate(owner_groups(flats, links)):
        owner_of.update((_clean(flat.room), number) for flat in held)
    found = []
    for i, j in pairs:
        a, b = flats[i], flats[j]
        room_a, room_b = _clean(a.room), _clean(b.room)
        if owner_of[room_a] == owner_of[room_b] or frozenset((room_a, room_b)) in done:
            continue
        reason = _same_owner_reason(holders[i], holders[j])
        if reason:
            found.append(SameOwnerCandidate((a.room, b.room), reason))
    return found


# --- policy ---------------------------------------------------------------------------------------


def _fraction(value: object, what: str) -> Fraction:
    # Accept exact numbers only; a float such as 0.6667 is exactly what the rules forbid.
    if isinstance(value, bool) or not isinstance(value, Rational | Decimal | str):
        raise TypeError(f"{what} must be a Fraction (or int, Decimal, str), not {type(value).__name__}")
    try:
        result = Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{what}: {value!r} is not a fraction") from exc
    if not 0 < result <= 1:
        raise ValueError(f"{what} must be in (0, 1], got {result}")
    return result


@dataclass(frozen=True)
class Policy:
    """Thresholds a unit must meet. Each fraction is tested on headcount AND on area."""

    participation: Fraction | None  # share of all owners that must take part; None = no such test
    agreement: Fraction  # share that must agree
    agreement_of: str  # "participants" (Civil Code) or "all" (older local rule)
    few_holdouts_max: int = 2  # agrees needed up to this count is "few holdouts"

    def __post_init__(self) -> None:
        # Normalise to Fraction so that equal policies compare equal whatever was passed in.
        if self.participation is not None:
            object.__setattr__(self, "participation", _fraction(self.participation, "participation"))
        object.__setattr__(self, "agreement", _fraction(self.agreement, "agreement"))
        if self.agreement_of not in (OF_PARTICIPANTS, OF_ALL):
            raise ValueError(
                f"agreement_of must be {OF_PARTICIPANTS!r} or {OF_ALL!r}, got {self.agreement_of!r}"
            )
        if isinstance(self.few_holdouts_max, bool) or not isinstance(self.few_holdouts_max, int):
            raise TypeError("few_holdouts_max must be an int")
        if self.few_holdouts_max < 0:
            raise ValueError(f"few_holdouts_max must be >= 0, got {self.few_holdouts_max}")


CIVIL_CODE = Policy(Fraction(2, 3), Fraction(3, 4), OF_PARTICIPANTS)  # Civil Code art. 278 item 7
LOCAL_TWO_THIRDS = Policy(None, Fraction(2, 3), OF_ALL)  # 2/3 of all area and headcount agree
PRESETS = {"civil_code": CIVIL_CODE, "local_two_thirds": LOCAL_TWO_THIRDS}


def custom_policy(
    participation: Fraction | None, agreement: Fraction, *, few_holdouts_max: int = 2
) -> Policy:
    """A street's own pair of fractions, read the Civil Code way (agreement of participants)."""
    return Policy(participation, agreement, OF_PARTICIPANTS, few_holdouts_max)


# --- tallying -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tally:
    """Counts and exact (Fraction) areas: all the tests need."""

    owners: int
    area: Fraction
    participants: int
    participant_area: Fraction
    agree: int
    agree_area: Fraction

    @classmethod
    def of(cls, owners: Sequence[Owner]) -> _Tally:
        taking_part = [o for o in owners if o.vote in PARTICIPATING]
        agreeing = [o for o in owners if o.vote == AGREE]
        return cls(
            owners=len(owners),
            area=_area(owners),
            participants=len(taking_part),
            participant_area=_area(taking_part),
            agree=len(agreeing),
            agree_area=_area(agreeing),
        )

    def converted(
        self, outsiders: int, outsider_area: Fraction, dissenters: int, dissenter_area: Fraction
    ) -> _Tally:
        """The tally after that many outsiders and dissenters (with those total areas) switch to agree."""
        return replace(
            self,
            participants=self.participants + outsiders,
            participant_area=self.participant_area + outsider_area,
            agree=self.agree + outsiders + dissenters,
            agree_area=self.agree_area + outsider_area + dissenter_area,
        )


def _area(owners: Iterable[Owner]) -> Fraction:
    return sum((Fraction(o.area) for o in owners), Fraction(0))


def _meets(tally: _Tally, policy: Policy) -> tuple[bool, bool]:
    """(participation_met, agreement_met); each test is on headcount AND area, bounds inclusive."""
    if policy.participation is None:
        participation_met = True
    else:
        share = policy.participation
        participation_met = (
            tally.owners > 0
            and tally.participants >= share * tally.owners
            and tally.participant_area >= share * tally.area
        )

    if policy.agreement_of == OF_PARTICIPANTS:
        count_base, area_base = tally.participants, tally.participant_area
    else:
        count_base, area_base = tally.owners, tally.area
    share = policy.agreement
    # Nobody voting means nobody agreed: with an empty base the test fails rather than passing 0 >= 0.
    agreement_met = (
        count_base > 0 and tally.agree >= share * count_base and tally.agree_area >= share * area_base
    )
    return participation_met, agreement_met


def passes(owners: Sequence[Owner], policy: Policy = CIVIL_CODE) -> tuple[bool, bool]:
    """(participation_met, agreement_met) for these owners; the unit passes when both are True."""
    return _meets(_Tally.of(owners), policy)


def _passes_all(owners: Sequence[Owner], policy: Policy) -> bool:
    return all(passes(owners, policy))


def _largest_first(owners: Iterable[Owner]) -> list[Owner]:
    # Ties broken by key, not by roster order, so the answer does not depend on how rows were sorted.
    return sorted(owners, key=lambda o: (-o.area, o.key))


def _prefix_areas(owners: Sequence[Owner]) -> list[Fraction]:
    sums = [Fraction(0)]
    for owner in owners:
        sums.append(sums[-1] + Fraction(owner.area))
    return sums


def minimal_conversion(owners: Sequence[Owner], policy: Policy = CIVIL_CODE) -> tuple[Owner, ...] | None:
    """One smallest set of not-agreeing owners whose switch to agree makes the unit pass.

    Empty when it already passes; None when there are no owners. See the module docstring.
    """
    if not owners:
        return None
    outsiders = _largest_first(o for o in owners if o.vote not in PARTICIPATING)
    dissenters = _largest_first(o for o in owners if o.vote in (OPPOSE, ABSTAIN))
    outsider_sums, dissenter_sums = _prefix_areas(outsiders), _prefix_areas(dissenters)
    base = _Tally.of(owners)

    for size in range(len(outsiders) + len(dissenters) + 1):
        for i in range(max(0, size - len(dissenters)), min(size, len(outsiders)) + 1):
            j = size - i
            tally = base.converted(i, outsider_sums[i], j, dissenter_sums[j])
            if all(_meets(tally, policy)):
                return tuple(outsiders[:i] + dissenters[:j])
    # Unreachable: with everyone agreeing every share is 1 >= any policy fraction.
    raise AssertionError("converting every owner must pass")


def _situation(owners: Sequence[Owner], policy: Policy, needed: int) -> str:
    if needed == 0:
        return READY
    if needed <= policy.few_holdouts_max:
        return FEW_HOLDOUTS
    # By monotonicity, converting *all* soft owners is the best any soft-only campaign can do.
    won_over = [replace(o, vote=AGREE) if o.vote in SOFT else o for o in owners]
    if _passes_all(won_over, policy):
        return WAIT_AND_SEE
    return UNLIKELY


# --- result ---------------------------------------------------------------------------------------


def _ratio(part: int | Decimal, whole: int | Decimal) -> Fraction | None:
    return Fraction(part) / Fraction(whole) if whole else None


@dataclass(frozen=True)
class Consent:
    """The state of one unit's vote. All counts are of owners (de-duplicated), not of flats."""

    households: int  # flats
    owners: int  # de-duplicated headcount
    area_total: Decimal
    participants: int
    participant_area: Decimal
    agree: int
    agree_area: Decimal
    oppose: int
    abstain: int
    undecided: int
    unreachable: int
    participation_met: bool
    agreement_met: bool
    threshold_met: bool  # all tests hold
    agrees_needed: int | None  # 0 exactly when threshold_met; None only when there are no owners
    situation: str | None  # one of SITUATIONS; None when there are no owners
    to_convert: tuple[tuple, ...]  # owner keys of one minimal set to win over, largest area first
    policy: Policy = field(default=CIVIL_CODE)  # the policy evaluated against

    # Ratios for display, as exact Fractions; None when the denominator is 0.
    @property
    def participation_by_count(self) -> Fraction | None:
        return _ratio(self.participants, self.owners)

    @property
    def participation_by_area(self) -> Fraction | None:
        return _ratio(self.participant_area, self.area_total)

    @property
    def agreement_by_count(self) -> Fraction | None:
        """Agreeing share on the policy's own base: participants, or all owners."""
        base = self.participants if self.policy.agreement_of == OF_PARTICIPANTS else self.owners
        return _ratio(self.agree, base)

    @property
    def agreement_by_area(self) -> Fraction | None:
        base = self.participant_area if self.policy.agreement_of == OF_PARTICIPANTS else self.area_total
        return _ratio(self.agree_area, base)


def evaluate(flats: Iterable[Flat], policy: Policy = CIVIL_CODE, links: Iterable[tuple[str, str]] = ()) -> Consent:
    """Tally one unit's roster against a policy; ``links`` as for :func:`owners_of`."""
    flats = list(flats)
    owners = owners_of(flats, links)
    participation_met, agreement_met = passes(owners, policy)
    conversion = minimal_conversion(owners, policy)
    needed = None if conversion is None else len(conversion)

    def count(vote: str) -> int:
        return sum(1 for o in owners if o.vote == vote)

    def area(votes: Iterable[str]) -> Decimal:
        votes = frozenset(votes)
        return sum((o.area for o in owners if o.vote in votes), Decimal(0))

    return Consent(
        households=len(flats),
        owners=len(owners),
        area_total=area(VOTES),
        participants=sum(1 for o in owners if o.vote in PARTICIPATING),
        participant_area=area(PARTICIPATING),
        agree=count(AGREE),
        agree_area=area({AGREE}),
        oppose=count(OPPOSE),
        abstain=count(ABSTAIN),
        undecided=count(UNDECIDED),
        unreachable=count(UNREACHABLE),
        participation_met=participation_met,
        agreement_met=agreement_met,
        threshold_met=participation_met and agreement_met,
        agrees_needed=needed,
        situation=None if needed is None else _situation(owners, policy, needed),
        to_convert=() if conversion is None else tuple(o.key for o in conversion),
        policy=policy,
    )
