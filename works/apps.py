from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    name = "works"
    verbose_name = _("Works and upkeep")

    def ready(self):
        from retrofit import attention as attention_list
        from units import panels
        from units.lifecycle import MACHINE

        from . import attention, guards
        from .templatetags.works_tags import unit_works_panel

        MACHINE.register_guard("approval_done", guards.approval_done, many=guards.approval_done_many)
        MACHINE.register_guard("construction_complete", guards.construction_complete, many=guards.construction_complete_many)
        MACHINE.register_guard("acceptance_passed", guards.acceptance_passed, many=guards.acceptance_passed_many)
        MACHINE.register_guard("registered", guards.registered, many=guards.registered_many)
        if attention.works_attention not in attention_list.SOURCES:
            attention_list.register(attention.works_attention)
        panels.UNIT_PAGE.register(
            panels.Panel("works", 30, "works/includes/_panel.html", panels.from_tag(unit_works_panel))
        )
