from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from retrofit import attention as attention_list

        from . import attention

        if attention.unpaid_attention not in attention_list.SOURCES:
            attention_list.register(attention.unpaid_attention)
