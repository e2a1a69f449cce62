from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrofitConfig(AppConfig):
    name = "retrofit"
    verbose_name = _("Accounts")
