"""Keep stored tallies honest: any change to a household, a vote or its history, a same-owner decision or
a street's policy drops them.

Writers and the reader that stores a missing tally (selectors.consent_by_unit) both lock the unit rows
first (``lock_units``), so a tally is never computed from households read before a writer commits and
stored after that writer dropped it. On SQLite the write lock taken by BEGIN IMMEDIATE does the same.
"""

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from units.models import Household, Street, Unit

from .models import SameOwnerDecision, UnitTally, Vote, VoteChange, VoteWeek


def lock_units(unit_ids=None, *, household_id=None) -> None:
    """Lock these units' rows (or the unit of ``household_id``) until the transaction ends, in id order so
    that two lockers never deadlock. Outside a transaction there is nothing to hold a lock for."""
    if connection.get_autocommit() or not connection.features.has_select_for_update:
        return  # SQLite: BEGIN IMMEDIATE already holds the database's write lock
    units = Unit.objects.select_for_update(of=("self",))
    units = units.filter(households=household_id) if household_id is not None else units.filter(pk__in=list(unit_ids))
    list(units.order_by("pk").values_list("pk", flat=True))


def drop_tallies(unit_ids) -> None:
    """Lock these units and drop their stored tallies; for bulk writes too, which send no signals."""
    unit_ids = list(unit_ids)
    lock_units(unit_ids)
    UnitTally.objects.filter(unit_id__in=unit_ids).delete()


@receiver([post_save, post_delete], sender=Household)
@receiver([post_save, post_delete], sender=SameOwnerDecision)
def unit_counted_differently(sender, instance, **kwargs):
    """A household, or a decision on two flats as one owner, changes who the unit's count holds."""
    drop_tallies([instance.unit_id])


@receiver(post_delete, sender=Household)
def household_deleted(sender, instance, **kwargs):
    """Its vote history went with it (deleted before it): its unit's weeks from what history is left."""
    VoteWeek.store([instance.unit_id])


@receiver([post_save, post_delete], sender=Vote)
def vote_changed(sender, instance, **kwargs):
    lock_units(household_id=instance.household_id)
    UnitTally.objects.filter(unit__households=instance.household_id).delete()


@receiver(post_save, sender=VoteChange)
def vote_history_changed(sender, instance, created, **kwargs):
    """The tally holds the history's net into agree (UnitTally.agree_net) and VoteWeek its weeks. A vote's
    history is only ever added to (it goes with its household, whose deletion drops the tally), so no
    post_delete: a receiver would make every deletion of households fetch their histories row by row."""
    lock_units(household_id=instance.household_id)
    unit_id = instance.household.unit_id
    UnitTally.objects.filter(unit_id=unit_id).delete()
    if created:
        VoteWeek.add([(unit_id, instance.changed_at, instance.before, instance.after)])
    else:  # re-dated or re-valued: its unit's weeks from the history
        VoteWeek.store([unit_id])


@receiver(post_save, sender=Street)
def street_changed(sender, instance, **kwargs):
    UnitTally.objects.filter(unit__building__estate__community__street=instance).delete()
