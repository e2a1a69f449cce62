from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Estates and units")

    def ready(self):
        from .contracts import contract_blockers
        from .lifecycle import MACHINE

        MACHINE.register_guard("contract_complete", contract_blockers)
