# Every stored household phone in its one normal form (retrofit/phones.py; docs/rules.md, "Who is one owner").
#
# A phone that changes is recorded in its household's roster history (source: data migration), before and
# after. Where two households of a unit now share an owner key they did not share before (the same name
# and, once normalised, the same number), each of them gets a history entry naming the flats now counted as
# one owner, and saying so when their votes differ (one owner has one vote: staff must settle it). Text that
# is no phone number stays as it was written, without its outer spaces. The units whose phones changed lose
# their stored consent tally, which the next read recomputes.

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

from retrofit import phones

SAME_OWNER = "same_owner"  # units.roster_words.SAME_OWNER, shown as 同一业主
MERGED = "{rooms}：联系电话统一格式后号码相同、业主姓名相同，计为一名业主（一人一票）"
VOTES_DIFFER = "；各户表决意见不同，请核实后统一"


def _key(name: str, phone: str):
    """The consent engine's owner key of a flat with a phone, None without one (each flat its own owner)."""
    return (name.strip(), phone) if phone else None


def forwards(apps, schema_editor):
    Household = apps.get_model("units", "Household")
    HouseholdChange = apps.get_model("units", "HouseholdChange")
    UnitTally = apps.get_model("consultations", "UnitTally")
    Vote = apps.get_model("consultations", "Vote")
    now = timezone.now()

    by_unit = defaultdict(list)
    for household in Household.objects.exclude(phone="").order_by("unit_id", "floor", "room").iterator():
        by_unit[household.unit_id].append(household)

    changed, history, merged = [], [], []
    for flats in by_unit.values():
        owners = defaultdict(list)  # new key → [(household, old key)]
        for household in flats:
            before = household.phone
            old_key = _key(household.owner_name, before.strip())
            household.phone = phones.comparable(before)
            if household.phone != before:
                changed.append(household)
                history.append(
                    HouseholdChange(
                        household=household, field="phone", before=before, after=household.phone,
                        source="migration", changed_at=now,
                    )
                )
            new_key = _key(household.owner_name, household.phone)
            if new_key is not None:
                owners[new_key].append((household, old_key))
        for held in owners.values():
            if len({old_key for _household, old_key in held}) > 1:
                merged.append([household for household, _old_key in held])

    votes = dict(
        Vote.objects.filter(household_id__in=[h.pk for group in merged for h in group]).values_list("household_id", "value")
    )
    for group in merged:
        note = MERGED.format(rooms="、".join(h.room for h in group))
        if len({votes.get(h.pk, "undecided") for h in group}) > 1:
            note += VOTES_DIFFER
        history.extend(
            HouseholdChange(household=h, field=SAME_OWNER, before="", after=note, source="migration", changed_at=now)
            for h in group
        )

    Household.objects.bulk_update(changed, ["phone"], batch_size=500)
    HouseholdChange.objects.bulk_create(history, batch_size=500)
    UnitTally.objects.filter(unit_id__in={h.unit_id for h in changed}).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0007_remove_contact_opinion_form_file"),
        ("units", "0009_roster_source_migration"),
    ]

    operations = [
        # Backwards leaves the phones as they are: the numbers as first written are in the roster history.
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
