"""The residents' side: a public page per unit behind an unguessable link (printed as a QR code), the
community's public contact, and one-time codes with which a household sees and confirms its own row.

Nothing here is reachable by a database id from outside: the public page is found by its token, and a
household only by a code that is stored hashed and expires. A code opens a short session for its household
(residents.services.HOUSEHOLD_SESSION) as often as it is entered until it expires or a new slip replaces it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from retrofit.fields import by_user, when_set


class UnitPublicLink(models.Model):
    """The link behind a unit's QR code. Only the current one (not revoked) opens the page."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="public_links", verbose_name=_("unit")
    )
    # secrets.token_urlsafe(18): 24 characters, 144 random bits. The unique index serves the page lookup.
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_by = by_user(_("created by"))
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = by_user(_("revoked by"))

    class Meta:
        verbose_name = _("public link")
        verbose_name_plural = _("public links")
        ordering = ["unit", "-created_at", "-id"]
        constraints = [
            # Also serves "the unit's current link" on the unit page and the notice printout.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(revoked_at__isnull=True), name="publiclink_one_current_per_unit"
            ),
            when_set("revoked_at", Q(revoked_at__gte=F("created_at")), name="publiclink_revoked_after_created"),
        ]

    def __str__(self):
        return f"{self.unit_id}: {self.token[:4]}…"

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None


class CommunityContact(models.Model):
    """Who residents call about the elevator: the community worker's public name, phone and office."""

    community = models.OneToOneField(
        "units.Community", on_delete=models.CASCADE, related_name="public_contact", verbose_name=_("community")
    )
    name = models.CharField(_("community worker"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    office = models.CharField(_("office address"), max_length=200, blank=True)
    hours = models.CharField(_("office hours"), max_length=100, blank=True)
    updated_by = by_user()
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("community contact")
        verbose_name_plural = _("community contacts")
        constraints = [
            models.CheckConstraint(condition=~Q(name="") & ~Q(phone=""), name="communitycontact_name_and_phone"),
        ]

    def __str__(self):
        return f"{self.name} {self.phone}"


class HouseholdCodeQuerySet(models.QuerySet):
    def live(self, now):
        """Codes that open their household's page now: not replaced, not expired (used or not)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class HouseholdCode(models.Model):
    """A code a community worker hands to a household (printed slip).

    Only an HMAC of the code is stored (see residents.services.code_hash). Entering it opens a 30-minute
    session for the household; it may be entered again (a new session) until it expires. ``used_at`` is
    the first opening, ``last_used_at`` the latest. Issuing a new code revokes the household's earlier
    ones, so a household has at most one code that can still be used (a database constraint).
    """

    household = models.ForeignKey(
        "units.Household", on_delete=models.CASCADE, related_name="resident_codes", verbose_name=_("household")
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = by_user(_("issued by"), required=True)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = HouseholdCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("household code")
        verbose_name_plural = _("household codes")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("issued_at")), name="householdcode_expires_after_issue"),
            when_set("used_at", Q(used_at__gte=F("issued_at")), name="householdcode_used_after_issue"),
            when_set("last_used_at", Q(last_used_at__gte=F("used_at")), name="householdcode_last_use_after_first"),
            # At most one code per household that has not been replaced (used or not).
            models.UniqueConstraint(
                fields=["household"], condition=Q(revoked_at__isnull=True), name="householdcode_one_live_per_household"
            ),
        ]

    def __str__(self):
        return f"{self.household_id} {self.issued_at:%Y-%m-%d}"


class CodeFailure(models.Model):
    """A wrong household code, kept briefly so that guessing is slowed down for the address that sent it
    (per address, and per address and unit; never per unit alone: see residents.throttle)."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # "wrong codes from this address since …" (the unit is sorted out from those few rows)
            models.Index(fields=["ip", "at"], name="codefailure_ip_time"),
        ]

    def __str__(self):
        return f"{self.ip} {self.unit_id} {self.at:%Y-%m-%d %H:%M}"


class PageHit(models.Model):
    """Requests to a public page from one address in one fixed time window: the rate limit's counter."""

    key = models.CharField(max_length=120)
    window = models.PositiveBigIntegerField()  # epoch seconds // window length
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also serves the counter's update (key, window) and the clean-up of old windows.
            models.UniqueConstraint(fields=["key", "window"], name="pagehit_unique_key_window"),
        ]
        indexes = [models.Index(fields=["window"], name="pagehit_window")]

    def __str__(self):
        return f"{self.key} {self.window}: {self.count}"
