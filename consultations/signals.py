"""Keep stored tallies honest: any change to a household, a vote or a street's policy drops them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from units.models import Household, Street

from .models import UnitTally, Vote


@receiver([post_save, post_delete], sender=Household)
def household_changed(sender, instance, **kwargs):
    UnitTally.objects.filter(unit_id=instance.unit_id).delete()


@receiver([post_save, post_delete], sender=Vote)
def vote_changed(sender, instance, **kwargs):
    UnitTally.objects.filter(unit__households=instance.household_id).delete()


@receiver(post_save, sender=Street)
def street_changed(sender, instance, **kwargs):
    UnitTally.objects.filter(unit__building__estate__community__street=instance).delete()


def drop_tallies(unit_ids) -> None:
    """For bulk writes, which send no signals."""
    UnitTally.objects.filter(unit_id__in=list(unit_ids)).delete()
