from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from retrofit import attention as attention_list

        from . import sources

        if sources.consultation_attention not in attention_list.SOURCES:
            attention_list.register(sources.consultation_attention)
