from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from retrofit import attention as attention_list

        from . import attention

        # A new kind for the shared list: labelled and placed before "stalled" in its order.
        attention_list.KINDS.setdefault(attention.UNPAID, attention.UNPAID_LABEL)
        attention_list.ORDER.setdefault(attention.UNPAID, attention_list.ORDER.get("stalled", 99) - 0.5)
        if attention.unpaid_attention not in attention_list.SOURCES:
            attention_list.register(attention.unpaid_attention)
