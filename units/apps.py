from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Estates and units")

    def ready(self):
        # Imported here, not at the top: models may be read only once the apps are loaded.
        from . import panels, signals, views  # noqa: F401 (signals: connects its receivers)
        from .contracts import contract_blockers, contract_blockers_many
        from .lifecycle import MACHINE
        from .templatetags.unit_tags import unit_plan_panel

        MACHINE.register_guard("contract_complete", contract_blockers, many=contract_blockers_many)
        page = panels.UNIT_PAGE
        page.register(panels.Panel("plan", 20, "units/includes/_plan_panel.html", panels.from_tag(unit_plan_panel)))
        page.provide("next_step", views.unit_next_step)
        page.register(panels.Panel("next_step", 5, "units/includes/_next_step.html", views.next_step_panel, slot="top"))
        page.register(panels.Panel("stage", 90, "units/includes/_stage_panel.html", views.stage_panel))
        panels.ESTATE_PAGE.provide("unit_queryset", views.estate_unit_queryset)
        panels.ESTATE_PAGE.provide("units", views.estate_units)
