from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation")

    def ready(self):
        # Imported here: models and registries are ready only once every app is loaded.
        from retrofit import attention as attention_list
        from units.lifecycle import MACHINE
        from units.models import StageChange

        from . import attention, guards, signals  # noqa: F401  (signals registers the tally receivers)

        MACHINE.register_guard("consent_ready", guards.consent_ready)
        MACHINE.register_guard("notice_over", guards.notice_over)
        if attention.consultation_attention not in attention_list.SOURCES:
            attention_list.register(attention.consultation_attention)
        # Moves come from the lifecycle (the unit page's stage panel too); the notice follows them.
        post_save.connect(_notice_follows_stage, sender=StageChange, dispatch_uid="consultations_notice_follows_stage")


def _notice_follows_stage(sender, instance, created, **kwargs):
    if created:
        # Imported when a move is saved: apps.py is loaded before the models the services need.
        from .services import notice_follow_stage

        notice_follow_stage(instance)
