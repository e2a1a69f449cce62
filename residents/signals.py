"""A unit entering public notice gets its public link (the notice printout carries its QR code)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from units.models import StageChange

from .services import public_link_on_notice


@receiver(post_save, sender=StageChange, dispatch_uid="residents_public_link_on_notice")
def stage_changed(sender, instance, created, **kwargs):
    if created:
        public_link_on_notice(instance)
