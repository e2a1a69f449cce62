from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from retrofit import attention as attention_list
        from units import panels

        from . import attention
        from .templatetags.payment_tags import unit_money_panel

        if attention.unpaid_attention not in attention_list.SOURCES:
            attention_list.register(attention.unpaid_attention)
        panels.UNIT_PAGE.register(
            panels.Panel("money", 40, "payments/includes/_money_panel.html", panels.from_tag(unit_money_panel))
        )
