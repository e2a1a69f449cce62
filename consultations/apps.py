from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation")

    def ready(self):
        from units.lifecycle import MACHINE

        from . import guards

        MACHINE.register_guard("consent_ready", guards.consent_ready)
