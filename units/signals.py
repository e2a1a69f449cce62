"""Keep each unit's first arrival in each stage (StageReached) in step with its recorded moves."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .lifecycle import stage_reached_record, stages_reached_store
from .models import StageChange


@receiver(post_save, sender=StageChange, dispatch_uid="units_stage_reached")
def stage_recorded(sender, instance, created, **kwargs):
    if created:
        stage_reached_record(instance)
    else:  # a move re-dated: the first arrivals from the unit's history
        stages_reached_store([instance.unit_id])
