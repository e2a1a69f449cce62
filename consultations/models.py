"""The residents' voice: each household's current vote and every change to it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules


class VoteValue(models.TextChoices):
    AGREE = rules.AGREE, _("Agree")
    OPPOSE = rules.OPPOSE, _("Oppose")
    ABSTAIN = rules.ABSTAIN, _("Abstain")
    UNDECIDED = rules.UNDECIDED, _("Undecided")
    UNREACHABLE = rules.UNREACHABLE, _("Unreachable")


class VoteSource(models.TextChoices):
    PAGE = "page", _("Recorded by staff")
    IMPORT = "import", _("Ledger import")
    ADMIN = "admin", _("Admin")
    RESIDENT = "resident", _("Resident page")


class Vote(models.Model):
    """A household's current vote. Missing means undecided (未表态)."""

    household = models.OneToOneField(
        "units.Household", on_delete=models.CASCADE, primary_key=True, related_name="vote", verbose_name=_("household")
    )
    value = models.CharField(_("vote"), max_length=12, choices=VoteValue.choices, default=VoteValue.UNDECIDED)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    # Bumped on every change: a form that carries an old version was stale and is refused.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(condition=Q(value__in=rules.VOTES), name="vote_value_valid"),
        ]

    def __str__(self):
        return self.get_value_display()


class VoteChange(models.Model):
    """The history of a household's vote: who changed it, when, from what to what, and why."""

    household = models.ForeignKey("units.Household", on_delete=models.CASCADE, related_name="vote_changes")
    before = models.CharField(_("before"), max_length=12, choices=VoteValue.choices, blank=True)
    after = models.CharField(_("after"), max_length=12, choices=VoteValue.choices)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=VoteSource.choices, default=VoteSource.PAGE)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("vote change")
        verbose_name_plural = _("vote changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            # The household's history on the unit page.
            models.Index(fields=["household", "-changed_at"], name="votechange_household_time"),
            # Consent trend week by week on the dashboard.
            models.Index(fields=["changed_at"], name="votechange_time"),
        ]

    def __str__(self):
        return f"{self.household} {self.before or '—'} → {self.after}"
