"""The physical side: street → community → estate → building → unit → household.

Scoping lives here too: ``visible_to(user)`` on each queryset is the only way views reach these
objects, so a user of another street or community gets a 404, never someone else's data.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultations import rules


class Street(models.Model):
    class ConsentRule(models.TextChoices):
        CIVIL_CODE = "civil_code", _("Civil Code art. 278: 2/3 take part, 3/4 of participants agree")
        LOCAL_TWO_THIRDS = "local_two_thirds", _("Local rule: 2/3 of all owners agree")
        CUSTOM = "custom", _("Custom fractions")

    name = models.CharField(_("name"), max_length=100, unique=True)
    consent_rule = models.CharField(
        _("consent rule"), max_length=20, choices=ConsentRule.choices, default=ConsentRule.CIVIL_CODE
    )
    # Only used by the custom rule; stored as numerator/denominator so ratios stay exact.
    participation_numerator = models.PositiveSmallIntegerField(_("participation numerator"), default=2)
    participation_denominator = models.PositiveSmallIntegerField(_("participation denominator"), default=3)
    agreement_numerator = models.PositiveSmallIntegerField(_("agreement numerator"), default=3)
    agreement_denominator = models.PositiveSmallIntegerField(_("agreement denominator"), default=4)
    few_holdouts_max = models.PositiveSmallIntegerField(
        _("few holdouts bound"),
        default=2,
        help_text=_("A failing unit that needs at most this many more agreements has 'a few holdouts'."),
    )
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=20)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participation_denominator__gt=0)
                & Q(agreement_denominator__gt=0)
                & Q(participation_numerator__lte=models.F("participation_denominator"))
                & Q(agreement_numerator__lte=models.F("agreement_denominator"))
                & Q(agreement_numerator__gt=0),
                name="street_policy_fractions_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def consent_policy(self) -> rules.Policy:
        if self.consent_rule == self.ConsentRule.CUSTOM:
            participation = Fraction(self.participation_numerator, self.participation_denominator)
            return rules.custom_policy(
                participation or None,
                Fraction(self.agreement_numerator, self.agreement_denominator),
                few_holdouts_max=self.few_holdouts_max,
            )
        preset = rules.PRESETS[self.consent_rule]
        return rules.Policy(preset.participation, preset.agreement, preset.agreement_of, self.few_holdouts_max)


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["street__name", "name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="community_unique_name_in_street")]

    def __str__(self):
        return self.name


class EstateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(pk__in=Unit.objects.visible_to(user).values("building__estate"))


class Estate(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="estates", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    is_pilot = models.BooleanField(_("pilot estate"), default=False)
    pilot_start = models.DateField(_("pilot start date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = EstateQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name_in_community"),
            models.CheckConstraint(
                condition=Q(pilot_start__isnull=True) | Q(is_pilot=True), name="estate_pilot_start_only_for_pilots"
            ),
        ]

    def __str__(self):
        return self.name


class Building(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate"))
    number = models.CharField(_("building number"), max_length=20)
    floors = models.PositiveSmallIntegerField(_("floors"), validators=[MinValueValidator(1)])
    floor_height = models.DecimalField(
        _("floor height (m)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    spacing = models.DecimalField(
        _("spacing to the next building (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate", "number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="building_unique_number_in_estate"),
            models.CheckConstraint(condition=Q(floors__gte=1) & Q(floors__lte=60), name="building_floors_range"),
            models.CheckConstraint(
                condition=Q(floor_height__isnull=True) | Q(floor_height__gt=0), name="building_floor_height_positive"
            ),
        ]

    def __str__(self):
        return _("Building %(number)s") % {"number": self.number}


class Stage(models.TextChoices):
    SURVEY = "survey", _("Survey")
    CONSULTATION = "consultation", _("Consultation")
    NOTICE = "notice", _("Public notice")
    SIGNING = "signing", _("Signing")
    APPROVAL = "approval", _("Approval")
    CONSTRUCTION = "construction", _("Construction")
    ACCEPTANCE = "acceptance", _("Acceptance")
    IN_SERVICE = "in_service", _("In service")
    UPKEEP = "upkeep", _("Upkeep")
    PAUSED = "paused", _("Paused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Units this user may see: the street, community or units of their role."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.street_id:
            return self.filter(building__estate__community__street_id=user.street_id)
        if user.community_id:
            return self.filter(building__estate__community_id=user.community_id)
        return self.filter(leaders=user)

    def for_listing(self):
        return self.select_related("building__estate__community__street")


class Unit(models.Model):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building"))
    number = models.CharField(_("unit number"), max_length=20)
    eligible = models.BooleanField(_("physically eligible"), default=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SURVEY)
    stage_since = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_units", verbose_name=_("unit leaders")
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building__number", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number_in_building")]

    def __str__(self):
        return _("Building %(building)s, unit %(unit)s") % {"building": self.building.number, "unit": self.number}

    @property
    def street(self) -> Street:
        return self.building.estate.community.street


class StageChange(models.Model):
    """Every move of a unit between stages: who, when, before, after and why."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="stage_changes")
    before = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    after = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["unit", "-changed_at"], name="stagechange_unit_time")]

    def __str__(self):
        return f"{self.unit}: {self.before or '—'} → {self.after}"


class Occupancy(models.TextChoices):
    OWNER = "owner", _("Owner-occupied")
    RENTED = "rented", _("Rented out")
    EMPTY = "empty", _("Vacant")


class AgeBand(models.TextChoices):
    UNDER_40 = "under_40", _("Under 40")
    FROM_40 = "40_59", _("40–59")
    FROM_60 = "60_74", _("60–74")
    OVER_75 = "75_plus", _("75 and over")


class Household(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("unit"))
    room = models.CharField(_("room"), max_length=20)
    floor = models.PositiveSmallIntegerField(_("floor"), validators=[MinValueValidator(1)])
    area = models.DecimalField(
        _("registered area (m²)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    owner_name = models.CharField(_("owner"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    occupancy = models.CharField(_("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER)
    hardship = models.BooleanField(_("hardship household"), default=False)
    age_band = models.CharField(_("age of oldest resident"), max_length=10, choices=AgeBand.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["-floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room_in_unit"),
            models.CheckConstraint(condition=Q(area__gt=0), name="household_area_positive"),
            models.CheckConstraint(condition=Q(floor__gte=1), name="household_floor_positive"),
            # "floor within the building" spans two tables: a trigger enforces it (migration 0002).
        ]

    def __str__(self):
        return self.room
