"""Writing the estate ledger: households, their votes and both histories, in one transaction; all or nothing.

The rows come checked from parsing.py (and plan_sheet.py for the sheet 单元方案); here they are checked
against what is stored (the user's scope, the building's floors, one owner one vote, signed units) and
written, or nothing is: every error is listed with its row number and the database is left as it was.
A dry run (the preview) is the very same import, rolled back.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import monotonic

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from consultations import rules
from consultations.models import Vote, VoteChange, VoteSource, VoteWeek
from consultations.selectors import SAME_OWNER_REASONS, links_of, same_owner_candidates, same_owner_decisions
from consultations.signals import drop_tallies
from retrofit import owner_ids
from units import lifecycle
from units.models import Building, Community, Estate, Household, HouseholdChange, RosterSource, Street, Unit
from units.roster_words import ROSTER_FIELDS, field_label, stored_text, value_label

from .columns import PLAN_SHEET, REASON, SIGNED_FIELDS, VOTE, VOTE_LABEL
from .parsing import ImportFailed, RosterRow, RowError, one_vote_errors, parse_table, read_workbook
from .plan_sheet import PlanRow, in_plan_sheet, parse_plan_table, write_plans

SAMPLE_SKIPPED = _lazy("Row %(row)d is a sample row; skipped")
PLAN_SAMPLE_SKIPPED = _lazy("Sheet %(sheet)s, row %(row)d is a sample row; skipped")
SIGNED_CHANGE = _lazy(
    "%(unit)s has reached the signing stage; an import cannot change its owners, areas or floors (%(changes)s). "
    "The signed shares and the contract rest on them: ask the street office to correct them."
)
SIGNED_NEW_FLAT = _lazy(
    "%(unit)s has reached the signing stage; an import cannot add flat %(room)s to it. "
    "The signed shares and the contract cover its flats as they are: ask the street office."
)
PREVIEW_OUTDATED = _lazy(
    "These households have changed since the preview (someone saved in the meantime), so nothing was written. "
    "Upload the ledger again and check the new preview."
)


@dataclass(frozen=True)
class FieldChange:
    field: str  # the model field (owner_name …), or "vote" / "reason"
    column: str  # the ledger's word for it
    before: str  # in the ledger's words; "" when empty
    after: str
    stored_before: str = ""  # as HouseholdChange keeps it
    stored_after: str = ""


@dataclass(frozen=True)
class HouseholdDiff:
    """One stored household a ledger row changes, field by field (the preview lists these)."""

    row: int
    unit: str  # estate and unit, as the report names units
    room: str
    fields: tuple[FieldChange, ...]

    def describe(self, fields=None) -> str:
        return "；".join(
            f"{f.column} {f.before or '—'} → {f.after or '—'}" for f in self.fields if fields is None or f.field in fields
        )


@dataclass(frozen=True)
class SameOwnerLine:
    unit: str
    first: str  # rooms
    second: str
    reason: str  # in words


@dataclass
class ImportReport:
    rows: int = 0
    streets_created: int = 0
    communities_created: int = 0
    estates_created: int = 0
    buildings_created: int = 0
    units_created: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    votes_changed: int = 0
    plans_created: int = 0
    plans_unchanged: int = 0
    units: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Each stored household the ledger changes, in row order; the preview asks for them to be checked.
    changes: list[HouseholdDiff] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # the sample rows left out, each said in a sentence
    # Pairs of flats that may hold one owner, left for a person to decide on the unit page after the import.
    same_owner: list[SameOwnerLine] = field(default_factory=list)

    @property
    def changes_digest(self) -> str:
        """A fingerprint of ``changes``: the confirmed import must make exactly the changes previewed."""
        data = [[c.row, c.unit, c.room, [[f.field, f.before, f.after] for f in c.fields]] for c in self.changes]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _units_for(keys: set[tuple], floors_by_building: dict, report: ImportReport) -> dict[tuple, Unit]:
    """Find or create every street … unit the rows name, one level at a time, counting what is created.

    Each level costs one lookup and, when something is new, one bulk insert, however many units the
    ledger holds (the lookups filter by the names in the file and match whole keys here). Parents are
    set on their children, so unit.building.estate.community.street costs no query afterwards. ``keys``
    are the rows' unit keys (RosterRow.unit_key).
    """
    # Each place is known by its key: the street's name, then the names down to its own ((street, community), …).
    street_names = {key[0] for key in keys}
    streets = {(s.name,): s for s in Street.objects.filter(name__in=street_names)}
    new = [Street(name=name) for name in sorted(street_names - {name for (name,) in streets})]
    Street.objects.bulk_create(new)
    streets.update(((s.name,), s) for s in new)
    report.streets_created = len(new)

    communities, report.communities_created = _level(Community, "street", "name", {key[:2] for key in keys}, streets)
    estates, report.estates_created = _level(Estate, "community", "name", {key[:3] for key in keys}, communities)
    buildings, report.buildings_created = _level(
        Building, "estate", "number", {key[:4] for key in keys}, estates, more=lambda key: {"floors": floors_by_building[key]}
    )

    by_estate_pk = {e.pk: key for key, e in estates.items()}
    by_building_pk = {b.pk: key for key, b in buildings.items()}
    units = {}
    # Through the estates (few ids) rather than the buildings (thousands for a whole district's ledger).
    for unit in Unit.objects.filter(building__estate_id__in=by_estate_pk, number__in={key[4] for key in keys}):
        key = by_building_pk.get(unit.building_id)
        if key is not None and (*key, unit.number) in keys:
            unit.building = buildings[key]
            units[(*key, unit.number)] = unit
    new = [Unit(building=buildings[k[:4]], number=k[4]) for k in sorted(keys - units.keys())]
    Unit.objects.bulk_create(new)
    units.update(((*by_building_pk[u.building.pk], u.number), u) for u in new)
    report.units_created = len(new)
    return units


def _level(model, parent: str, name: str, wanted: set[tuple], parents: dict[tuple, object], more=None) -> tuple[dict, int]:
    """The places of one level that ``wanted`` names, each key its parent's key and its own ``name``: found
    under their ``parents`` in one lookup, the missing ones created in one insert. Returns them by key, and
    how many were created; ``more(key)`` gives the other fields of a new one."""
    by_parent_pk = {p.pk: key for key, p in parents.items()}
    found = {}
    lookup = {f"{parent}_id__in": by_parent_pk, f"{name}__in": {key[-1] for key in wanted}}
    for place in model.objects.filter(**lookup):
        key = (*by_parent_pk[getattr(place, f"{parent}_id")], getattr(place, name))
        if key in wanted:
            setattr(place, parent, parents[key[:-1]])
            found[key] = place
    missing = sorted(wanted - found.keys())
    new = [model(**{parent: parents[key[:-1]], name: key[-1]}, **(more(key) if more else {})) for key in missing]
    model.objects.bulk_create(new)
    found.update(zip(missing, new, strict=True))
    return found, len(new)


def _scope_errors(rows: list[RosterRow], user) -> list[RowError]:
    if user is None or user.is_superuser:
        return []
    if not user.can_edit:
        # The pages refuse these roles already; the service refuses them too, whoever calls it.
        return [RowError(None, _("Your role can read this page but not change it."))]
    errors = []
    for row in rows:
        if user.street_id and row.street != user.street.name:
            errors.append(RowError(row.row, _("street “%(street)s” is not yours (%(own)s)") % {"street": row.street, "own": user.street.name}))
        elif user.community_id and (row.community != user.community.name or row.street != user.community.street.name):
            errors.append(
                RowError(row.row, _("community “%(community)s” is not yours (%(own)s)") % {"community": row.community, "own": user.community.name})
            )
    return errors


def import_roster(path: str | Path, *, by=None, dry_run: bool = False, reviewed: str | None = None) -> ImportReport:
    """Read, check and write the ledger (and its plan sheet) in one transaction. Raises ImportFailed, writing nothing.

    Errors of the ledger come first, then those of the plan sheet, each list in row order.
    """
    table, merged, plan_sheet = read_workbook(path)
    errors: list[RowError] = []
    rows: list[RosterRow] = []
    plan_rows: list[PlanRow] = []
    samples: list[int] = []
    plan_samples: list[int] = []
    try:
        rows = parse_table(table, merged, skipped=samples)
    except ImportFailed as failed:
        errors.extend(failed.errors)
    if plan_sheet is not None:
        try:
            plan_rows = parse_plan_table(*plan_sheet, skipped=plan_samples)
        except ImportFailed as failed:
            errors.extend(failed.errors)
    del table, merged, plan_sheet  # the rows hold what is needed of the sheets: their cells can go
    if errors:
        raise ImportFailed(errors)
    skipped = [SAMPLE_SKIPPED % {"row": n} for n in samples]
    skipped += [PLAN_SAMPLE_SKIPPED % {"sheet": PLAN_SHEET, "row": n} for n in plan_samples]
    return import_rows(rows, by=by, dry_run=dry_run, plan_rows=plan_rows, skipped=skipped, reviewed=reviewed)


def import_rows(
    rows: list[RosterRow],
    *,
    by=None,
    dry_run: bool = False,
    plan_rows: list[PlanRow] = (),
    skipped: list[str] = (),
    reviewed: str | None = None,
) -> ImportReport:
    """Write the checked rows in one transaction (rolled back for a dry run).

    ``reviewed`` is the ``changes_digest`` of the preview the user confirmed: when given, the import is
    refused, writing nothing, unless it changes exactly those households, fields and values. ``rows``
    are parse_table's: checked one by one and together (one room a unit, one owner one vote in the file).
    """
    errors = _scope_errors(rows, by)
    if plan_rows and not (errors and errors[0].row is None):
        errors.extend(in_plan_sheet(e) for e in _scope_errors(plan_rows, by))
    if errors:
        raise ImportFailed(errors)
    report = ImportReport(rows=len(rows), dry_run=dry_run, skipped=list(skipped))
    with transaction.atomic():
        _write(rows, by, report)
        if reviewed is not None and report.changes_digest != reviewed:
            raise ImportFailed([RowError(None, str(PREVIEW_OUTDATED))])
        created, unchanged = write_plans(plan_rows, rows, by)
        report.plans_created, report.plans_unchanged = created, unchanged
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(rows: list[RosterRow], by, report: ImportReport) -> None:
    # The units named and each building's top floor: a key a unit, not one kept a row.
    unit_keys: set[tuple] = set()
    floors_by_building: dict[tuple, int] = defaultdict(int)
    for row in rows:
        key = row.unit_key
        unit_keys.add(key)
        building = key[:4]
        if row.floor > floors_by_building[building]:
            floors_by_building[building] = row.floor

    unit_by_key = _units_for(unit_keys, floors_by_building, report)
    unit_of_row = {row.row: unit_by_key[row.unit_key] for row in rows}
    units = {unit.pk: unit for unit in unit_by_key.values()}
    renamed = _institutions_by_name(rows, unit_of_row, units)

    errors: list[RowError] = []
    for row in rows:
        building = unit_of_row[row.row].building
        if row.floor > building.floors:
            errors.append(
                RowError(row.row, _("floor %(floor)d is above the top floor of building %(building)s (%(floors)d)") % {"floor": row.floor, "building": building.number, "floors": building.floors})
            )

    existing: dict[tuple[int, str], Household] = {
        (h.unit_id, h.room): h for h in Household.objects.filter(unit_id__in=units).select_related("vote")
    }
    final, decisions = _final_flats(rows, unit_of_row, existing), same_owner_decisions(units)
    # parse_table has checked one owner one vote among the file's rows. A unit's owners can differ from
    # those only where it holds stored flats, staff's same-owner links, or a row whose owner turned out to
    # be an institution of its street's list (_institutions_by_name): those units are checked again here.
    recheck = {unit_id for unit_id, _room in existing} | {unit_id for unit_id, made in decisions.items() if made} | renamed
    errors.extend(_owner_conflicts(final, existing, decisions, recheck))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row or 0))
    report.same_owner = _possible_same_owner(final, existing, unit_of_row, decisions)

    now = timezone.now()
    fields = ("floor", "area", "owner_name", "phone", "occupancy", "hardship", "note", "co_owners", "id_hash", "id_last4", "institution")
    signed_units = lifecycle.units_from_signing(units.values())
    # Flats not stored yet, and their units' ids (plain rows: see insert_rows); two lists, not a pair a flat.
    to_create: list[RosterRow] = []
    create_in: list[int] = []
    to_update: list[Household] = []
    votes_to_update: list[Vote] = []
    votes_to_create: list[Vote] = []
    changes: list[VoteChange] = []
    roster_history: list[tuple] = []  # (household, field, before, after): HouseholdChange rows
    for row in rows:
        unit = unit_of_row[row.row]
        unit_id = unit.pk
        household = existing.get((unit_id, row.room)) if existing else None
        if household is None:
            if unit_id in signed_units:
                errors.append(RowError(row.row, SIGNED_NEW_FLAT % {"unit": unit, "room": row.room}))
            to_create.append(row)
            create_in.append(unit_id)
            continue
        values = {
            "floor": row.floor,
            "area": row.area,
            "owner_name": row.owner_name,
            "phone": row.phone,
            "occupancy": row.occupancy,
            "hardship": row.hardship,
            "note": row.note,
            "co_owners": row.co_owners,
        }
        if row.has_age_band:
            values["age_band"] = row.age_band
        if row.has_id_number:
            values["id_hash"] = row.id_hash
        if row.has_institution:
            values["institution"] = row.institution
        dirty = [name for name in ROSTER_FIELDS if name in values and getattr(household, name) != values[name]]
        field_changes = [_field_change(name, getattr(household, name), values[name]) for name in dirty]
        if "id_hash" in dirty:
            # Its history shows what may be shown of the number: its last four, never the hash.
            shown = FieldChange("id_hash", field_label("id_hash"), owner_ids.masked(household.id_last4), owner_ids.masked(row.id_last4))
            field_changes[dirty.index("id_hash")] = replace(shown, stored_before=shown.before, stored_after=shown.after)
            household.id_last4 = row.id_last4
        for name in dirty:
            setattr(household, name, values[name])
        vote = getattr(household, "vote", None) if _has_vote(household) else None
        before = vote.value if vote else rules.UNDECIDED
        before_reason = vote.reason if vote else ""
        vote_dirty = before != row.vote or before_reason != row.reason
        if before != row.vote:
            field_changes.append(FieldChange("vote", VOTE, VOTE_LABEL.get(before, before), VOTE_LABEL.get(row.vote, row.vote)))
        if before_reason != row.reason:
            field_changes.append(FieldChange("reason", REASON, before_reason, row.reason))
        if field_changes:
            diff = HouseholdDiff(row.row, _unit_name(unit), row.room, tuple(field_changes))
            report.changes.append(diff)
            if unit_id in signed_units and any(name in SIGNED_FIELDS for name in dirty):
                errors.append(RowError(row.row, SIGNED_CHANGE % {"unit": unit, "changes": diff.describe(SIGNED_FIELDS)}))
        if dirty:
            to_update.append(household)
            roster_history.extend((household.pk, f.field, f.stored_before, f.stored_after) for f in field_changes if f.field in ROSTER_FIELDS)
        if vote_dirty:
            if vote is None:
                votes_to_create.append(Vote(household=household, value=row.vote, reason=row.reason, recorded_by=by, recorded_at=now, version=1))
            else:
                vote.value, vote.reason, vote.recorded_by, vote.recorded_at = row.vote, row.reason, by, now
                vote.version += 1
                votes_to_update.append(vote)
            # A new reason is a history line too, as when staff record it on the vote sheet.
            changes.append(VoteChange(household=household, before=before, after=row.vote, reason=row.reason, source=VoteSource.IMPORT, changed_by=by, changed_at=now))
        if dirty or vote_dirty:
            report.households_updated += 1
        else:
            report.households_unchanged += 1
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row or 0))

    if to_update:
        Household.objects.bulk_update(to_update, [*fields, "age_band"], batch_size=500)
    # New flats, their votes and their first history line go in as plain rows (insert_rows): a ledger of
    # 10,000 new flats would otherwise spend most of its time building and compiling 30,000 ORM inserts.
    insert_rows(
        Household,
        ("unit", "room", "floor", "area", "owner_name", "phone", "occupancy", "hardship", "note", "co_owners", "age_band", *fields[-3:]),
        [
            (unit_id, r.room, r.floor, r.area, r.owner_name, r.phone, r.occupancy, r.hardship, r.note, r.co_owners, r.age_band,
             r.id_hash, r.id_last4, r.institution)
            for unit_id, r in zip(create_in, to_create, strict=True)
        ],
    )
    ids: dict[int, dict[str, int]] = defaultdict(dict)  # by unit, by room: the new flats' ids (and the others')
    if to_create:
        for unit_id, room, pk in Household.objects.filter(unit_id__in=units).values_list("unit_id", "room", "pk"):
            ids[unit_id][room] = pk
    when = VoteChange._meta.get_field("changed_at").get_db_prep_save(now, connection)
    by_id = by.pk if by is not None else None
    # Each list of rows made just before it is written and dropped after: one list of tuples alive at a time.
    created = [ids[unit_id][row.room] for unit_id, row in zip(create_in, to_create, strict=True)]  # the new flats' ids
    insert_rows(
        Vote,
        ("household", "value", "reason", "recorded_by", "recorded_at", "version"),
        [(v.household_id, v.value, v.reason, by_id, when, v.version) for v in votes_to_create]
        + [(pk, row.vote, row.reason, by_id, when, 1) for pk, row in zip(created, to_create, strict=True)],
    )
    if votes_to_update:
        Vote.objects.bulk_update(votes_to_update, ["value", "reason", "recorded_by", "recorded_at", "version"], batch_size=500)
    insert_rows(
        VoteChange,
        ("household", "before", "after", "reason", "source", "changed_by", "changed_at"),
        [(c.household_id, c.before, c.after, c.reason, c.source, by_id, when) for c in changes]
        + [(pk, "", row.vote, row.reason, VoteSource.IMPORT, by_id, when) for pk, row in zip(created, to_create, strict=True)],
    )
    insert_rows(
        HouseholdChange,
        ("household", "field", "before", "after", "source", "changed_by", "changed_at"),
        [(pk, name, before, after, RosterSource.IMPORT, by_id, when) for pk, name, before, after in roster_history],
    )

    report.households_created = len(to_create)
    report.votes_changed = sum(1 for c in changes if c.before and c.before != c.after)
    report.units = sorted({_unit_name(u) for u in units.values()})
    # Bulk writes send no signals: drop the stored consent figures of every unit touched (which locks
    # them) and count the new history in their weeks.
    drop_tallies(units)
    VoteWeek.add(  # VoteWeek's terms: (unit, when, before, after)
        [(c.household.unit_id, now, c.before, c.after) for c in changes]
        + [(unit_id, now, "", row.vote) for unit_id, row in zip(create_in, to_create, strict=True)]
    )


def insert_rows(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Write plain value tuples (already in the database's terms): COPY on PostgreSQL, one executemany
    on SQLite.

    What bulk_create writes, without building a model instance and compiling SQL for every row (most of
    a 10,000-row import's time went there); no signal fires, as with bulk_create, and the database's
    constraints and triggers still check every row. The COPY is entered in the query log like any query.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
            return
        sql = f"COPY {table} ({columns}) FROM STDIN"
        started = monotonic()
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        if connection.queries_logged:
            connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": f"{monotonic() - started:.3f}"})


def _unit_name(unit: Unit) -> str:
    return str(unit.building.estate) + " " + str(unit)


def _field_change(name: str, before, after) -> FieldChange:
    stored_before, stored_after = stored_text(before), stored_text(after)
    return FieldChange(
        name, field_label(name), value_label(name, stored_before), value_label(name, stored_after), stored_before, stored_after
    )


def _has_vote(household: Household) -> bool:
    try:
        return household.vote is not None
    except Vote.DoesNotExist:
        return False


def _institutions_by_name(rows: list[RosterRow], unit_of_row, units) -> set[int]:
    """A row without 产权单位 whose owner name is one of its street's institutions is held by that
    institution (docs/rules.md, "Institutional owners"). The streets come with the units, no query.
    Returns the units of the rows so changed."""
    listed: dict[int, set[str]] = {}  # by unit
    for unit in units.values():
        names = unit.building.estate.community.street.institution_names
        listed[unit.pk] = {" ".join(line.split()) for line in names.splitlines()} - {""}
    if not any(listed.values()):
        return set()  # no street of the ledger lists an institution
    changed = set()
    for row in rows:
        if row.institution:
            continue
        name = " ".join(row.owner_name.split())
        unit_id = unit_of_row[row.row].pk
        if name in listed[unit_id]:
            row.institution, row.has_institution = name, True
            changed.add(unit_id)
    return changed


# A flat of a unit as the import will leave it: its ledger row, or the household stored there that the file
# leaves alone. The household a row replaces is looked up in ``existing`` (by unit and room) when needed:
# no pair is made for every row.
_FinalFlat = RosterRow | Household


def _final_flats(rows, unit_of_row, existing) -> dict[int, list[_FinalFlat]]:
    """Each unit's flats after the import, stored ones the file leaves alone included."""
    by_unit: dict[int, list[_FinalFlat]] = defaultdict(list)
    if not existing:  # new units only (a new street): the rows, in their order
        for row in rows:
            by_unit[unit_of_row[row.row].pk].append(row)
        return by_unit
    final: dict[tuple[int, str], _FinalFlat] = dict(existing)
    for row in rows:
        final[(unit_of_row[row.row].pk, row.room)] = row
    for (unit_id, _room), entry in final.items():
        by_unit[unit_id].append(entry)
    return by_unit


def _consent_flats(unit_id: int, entries: list[_FinalFlat], existing) -> list[tuple[rules.Flat, str, str, int | None]]:
    """A unit's final flats as the consent engine's flats (their votes aside), each with its owner's name,
    its vote and its ledger row. A column the ledger lacks (证件号码, 产权单位) keeps the stored value, as the
    import does."""
    flats = []
    for entry in entries:
        if isinstance(entry, Household):
            h = entry
            vote = h.vote.value if _has_vote(h) else rules.UNDECIDED
            flat = rules.Flat(h.room, h.area, rules.UNDECIDED, h.owner_name, h.phone, h.id_hash, h.institution)
            flats.append((flat, h.owner_name, vote, None))
            continue
        row, h = entry, existing.get((unit_id, entry.room))
        id_hash = row.id_hash if row.has_id_number or h is None else h.id_hash
        institution = row.institution if row.has_institution or h is None else h.institution
        flat = rules.Flat(row.room, row.area, rules.UNDECIDED, row.owner_name, row.phone, id_hash, institution)
        flats.append((flat, row.owner_name, row.vote, row.row))
    return flats


def _owner_conflicts(final: dict[int, list[_FinalFlat]], existing, decisions, unit_ids) -> list[RowError]:
    """One owner, one vote: the flats an owner holds in a unit (in the file or already stored) must agree;
    the units ``unit_ids`` (the others' owners are the file's, checked by parse_table).

    Owners are known as the consent count knows them: the owner key, then staff's same-owner links
    (``decisions``), grouped by rules.owner_groups.
    """
    errors = []
    for unit_id in sorted(unit_ids):
        entries = _consent_flats(unit_id, final[unit_id], existing)
        for group in rules.owner_group_positions([entry[0] for entry in entries], links_of(decisions[unit_id])):
            held = [entries[n] for n in group]
            errors += one_vote_errors(held[0][1], [(row, flat.room, vote) for flat, _owner, vote, row in held])
    return errors


def _possible_same_owner(final: dict[int, list[_FinalFlat]], existing, unit_of_row, decisions) -> list[SameOwnerLine]:
    """The pairs of flats the units will hold after the import that a person must still decide (docs/rules.md,
    "Possible same owner"), ``decisions`` already stored (``same_owner_decisions``) taken into account."""
    units = {unit.pk: unit for unit in unit_of_row.values()}
    lines = []
    for unit_id, entries in final.items():
        # Each flat's phone and name: its row's, or those of the stored household the file leaves alone.
        if not rules.share_a_phone_or_name([flat.phone for flat in entries], [flat.owner_name for flat in entries]):
            continue  # no pair to ask about (most units): no consent flats to make
        flats = [entry[0] for entry in _consent_flats(unit_id, entries, existing)]
        for candidate in same_owner_candidates(flats, decisions[unit_id]):
            lines.append(SameOwnerLine(_unit_name(units[unit_id]), *candidate.rooms, str(SAME_OWNER_REASONS[candidate.reason])))
    return sorted(lines, key=lambda line: line.unit)
