from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation")

    def ready(self):
        # Imported here, not at the top: models and registries may be read only once the apps are loaded.
        from retrofit import attention as attention_list
        from units.contracts import register_signing_opens
        from units.lifecycle import MACHINE
        from units.models import StageChange

        from . import attention, guards, selectors, signals, unit_page  # noqa: F401  (signals: tally receivers)
        from .services.notices import notice_follows_stage

        MACHINE.register_guard("consent_ready", guards.consent_ready, counted="consent", many=guards.consent_ready_many)
        MACHINE.register_guard("notice_over", guards.notice_over, many=guards.notice_over_many)
        MACHINE.register_guard("objections_settled", guards.objections_settled, many=guards.objections_settled_many)
        if attention.stalled_units not in attention_list.SOURCES:
            attention_list.register(attention.stalled_units)
        unit_page.register()
        register_signing_opens(selectors.signing_opens_on)
        if attention.consultation_attention not in attention_list.SOURCES:
            attention_list.register(attention.consultation_attention)
        # Moves come from the lifecycle (the unit page's stage panel too); the notice follows them.
        post_save.connect(notice_follows_stage, sender=StageChange, dispatch_uid="consultations_notice_follows_stage")

