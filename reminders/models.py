"""Reminders stored per user by ``send_reminders`` (or when the user opens the reminders page), so the
menu badge can count the ones not seen yet. What needs doing is always computed afresh; a row only
remembers that this user has been told about it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Reminder(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    # kind:unit:due, or action:<item>:<state>: the same thing to do keeps its key from one run to the next.
    key = models.CharField(max_length=120)
    kind = models.CharField(_("kind"), max_length=30)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    due = models.DateField(pgettext_lazy("reminder", "due"), null=True, blank=True)
    created_at = models.DateTimeField(_("first reminded at"))
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Also serves "this user's reminders" when a snapshot is compared with the last one.
            models.UniqueConstraint(fields=["user", "key"], name="reminder_unique_key_per_user"),
        ]
        indexes = [
            # The badge: unseen reminders of one user.
            models.Index(fields=["user", "seen_at"], name="reminder_user_seen"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.key}"
