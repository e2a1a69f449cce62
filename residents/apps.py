from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents' pages")

    def ready(self):
        # Imported here, not at the top: models may be read only once the apps are loaded.
        from units import panels

        from . import signals  # noqa: F401  (a unit entering notice gets its public link)
        from .templatetags.resident_tags import unit_public_link_panel

        panels.UNIT_PAGE.register(
            panels.Panel(
                "public_link", 50, "residents/includes/_public_link_panel.html", panels.from_tag(unit_public_link_panel)
            )
        )
