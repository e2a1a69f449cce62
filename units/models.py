"""The physical side: district → street → community → estate → building → unit → household.

Scoping lives here too: ``visible_to(user)`` on each queryset is the only way views reach these
objects, so a user of another street or community gets a 404, never someone else's data.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retrofit import uploads
from retrofit.documents import DocumentVersion, current_version, owner_key, versions_meta
from retrofit.fields import YuanField, by_user, choice_checks, implies, protected_key, unique_in, when_set
from retrofit.periods import PERIOD_PATTERN, period_of

from . import costshare
from .roster_words import AgeBand, Occupancy, field_label, value_label


class SubsidyKind(models.TextChoices):
    FIXED = costshare.FIXED, _("Fixed sum")
    PERCENT = costshare.PERCENT, _("Percentage of the total cost, with a cap")


class Named(models.Model):
    """A row known by its unique name (a district, a street, a company): shown and listed by it."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class District(Named):
    """A district (区) above its streets: its housing bureau follows every street's retrofits."""

    class Meta(Named.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Street(Named):
    class ConsentRule(models.TextChoices):
        CIVIL_CODE = "civil_code", _("Civil Code art. 278: 2/3 take part, 3/4 of participants agree")
        LOCAL_TWO_THIRDS = "local_two_thirds", _("Local rule: 2/3 of all owners agree")
        CUSTOM = "custom", _("Custom fractions")

    # Empty for a street no district follows yet (streets made before districts existed).
    district = protected_key(District, _("district"), related_name="streets")
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
    # The subsidy for one elevator (docs/rules.md, "Cost share"): a fixed sum, or a percentage with a cap.
    subsidy_kind = models.CharField(
        _("subsidy rule"), max_length=10, choices=SubsidyKind.choices, default=SubsidyKind.PERCENT
    )
    subsidy_amount = YuanField(_("fixed subsidy (yuan)"), default=Decimal("200000.00"), minimum=0)
    subsidy_percent = models.DecimalField(
        _("subsidy percentage"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("40.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    subsidy_cap = YuanField(
        _("subsidy cap (yuan)"), null=True, blank=True, default=Decimal("280000.00"), minimum=0,
        help_text=_("Leave empty for no cap."),
    )
    # Written as the ledger writes it ("1:0, 2:1.5, 3:4"); empty means the example table of docs/rules.md, "Cost share".
    default_coefficients = models.CharField(
        _("default floor coefficients"),
        max_length=500,
        blank=True,
        help_text=_("Floor:coefficient pairs, e.g. 1:0, 2:1.5, 3:4. Empty: 1F 0, 2F 1.5, 3F 4, 4F 9, 5F 15, 6F 20.5."),
    )
    # Owner names that are institutions (公房/单位产权, docs/rules.md "Institutional owners"), one a line:
    # the import counts a flat whose 业主姓名 is one of them as held by that institution.
    institution_names = models.TextField(
        _("institution owners"),
        blank=True,
        help_text=_("One name a line (e.g. 某某机械厂, 市房管局). The ledger import counts a flat whose owner is one of them as held by that institution."),
    )

    class Meta(Named.Meta):
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [
            models.CheckConstraint(
                condition=Q(participation_denominator__gt=0)
                & Q(agreement_denominator__gt=0)
                & Q(participation_numerator__lte=models.F("participation_denominator"))
                & Q(agreement_numerator__lte=models.F("agreement_denominator"))
                & Q(agreement_numerator__gt=0),
                name="street_policy_fractions_valid",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_kind__in=SubsidyKind.values)
                & Q(subsidy_amount__gte=0)
                & Q(subsidy_percent__gte=0)
                & Q(subsidy_percent__lte=100)
                & (Q(subsidy_cap__isnull=True) | Q(subsidy_cap__gte=0)),
                name="street_subsidy_valid",
            ),
        ]

    def clean(self):
        super().clean()
        if self.default_coefficients.strip():
            try:
                costshare.parse_coefficients(self.default_coefficients)
            except costshare.CostShareError as error:
                raise ValidationError({"default_coefficients": str(error)}) from None

    @property
    def subsidy_rule(self) -> costshare.SubsidyRule:
        if self.subsidy_kind == SubsidyKind.FIXED:
            return costshare.SubsidyRule(costshare.FIXED, amount=self.subsidy_amount)
        return costshare.SubsidyRule(costshare.PERCENT, percent=self.subsidy_percent, cap=self.subsidy_cap)

    def coefficients_for(self, floors: int) -> dict[int, Decimal]:
        """The street's default table for floors 1..``floors``.

        Floors the street's table does not list continue its last step (as the example in docs/rules.md does
        above 6F), so a 7-floor unit under a 6-floor table still gets a rising 7F value.
        """
        if not self.default_coefficients.strip():
            return costshare.default_coefficients(floors)
        table = costshare.parse_coefficients(self.default_coefficients)
        result: dict[int, Decimal] = {}
        known = sorted(table)
        step = table[known[-1]] - table[known[-2]] if len(known) > 1 else Decimal("0")
        for floor in range(1, floors + 1):
            if floor in table:
                result[floor] = table[floor]
            elif floor > known[-1]:
                result[floor] = result.get(floor - 1, table[known[-1]]) + max(step, Decimal("0"))
            else:
                below = [f for f in known if f < floor]
                result[floor] = table[below[-1]] if below else Decimal("0")
        return result


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["street__name", "name"]
        constraints = [unique_in("community", "name", "street")]

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
            unique_in("estate", "name", "community"),
            when_set("pilot_start", Q(is_pilot=True), name="estate_pilot_start_only_for_pilots"),
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
            unique_in("building", "number", "estate"),
            models.CheckConstraint(condition=Q(floors__gte=1) & Q(floors__lte=60), name="building_floors_range"),
            when_set("floor_height", Q(floor_height__gt=0), name="building_floor_height_positive"),
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

    # The order of the stages and its named subsets (ORDER, SIDE, CONSULTING, …) are set below the class:
    # an enum's body cannot name its own members. Side states and unknown strings have no position.

    @classmethod
    def position(cls, stage: str) -> int:
        """Where ``stage`` lies along the way (0 for survey), or -1 for a side state."""
        return cls.ORDER.index(stage) if stage in cls.ORDER else -1

    @classmethod
    def at_or_after(cls, stage: str) -> tuple[Stage, ...]:
        return cls.ORDER[cls.position(stage):]

    @classmethod
    def before(cls, stage: str) -> tuple[Stage, ...]:
        return cls.ORDER[: cls.position(stage)]

    @classmethod
    def span(cls, first: str, last: str) -> tuple[Stage, ...]:
        """From ``first`` to ``last``, both included."""
        return cls.ORDER[cls.position(first) : cls.position(last) + 1]

    @classmethod
    def following(cls, stage: str) -> Stage | None:
        """The next stage forward, or None from upkeep and the side states."""
        index = cls.position(stage)
        return cls.ORDER[index + 1] if 0 <= index < len(cls.ORDER) - 1 else None


# The way of a unit, survey to upkeep (docs/rules.md, "Stages"); paused and withdrawn lie beside it.
Stage.ORDER = (
    Stage.SURVEY,
    Stage.CONSULTATION,
    Stage.NOTICE,
    Stage.SIGNING,
    Stage.APPROVAL,
    Stage.CONSTRUCTION,
    Stage.ACCEPTANCE,
    Stage.IN_SERVICE,
    Stage.UPKEEP,
)
Stage.SIDE = (Stage.PAUSED, Stage.WITHDRAWN)
Stage.CONSULTING = Stage.before(Stage.NOTICE)  # survey or consultation: votes are still being gathered
Stage.BEFORE_SIGNING = Stage.before(Stage.SIGNING)  # survey, consultation or the public notice
Stage.SIGNED_OR_LATER = Stage.at_or_after(Stage.SIGNING)
Stage.WORKS = Stage.at_or_after(Stage.APPROVAL)  # approval, construction, acceptance and after
Stage.BUILDING = Stage.span(Stage.CONSTRUCTION, Stage.ACCEPTANCE)
Stage.IN_SERVICE_OR_LATER = Stage.at_or_after(Stage.IN_SERVICE)
Stage.ACTIVE = Stage.before(Stage.IN_SERVICE)  # a unit still on its way to an elevator in service


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Units this user may see: the district, street, community or units of their role."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.is_company:
            # A company user (works app) sees only the units assigned to its company.
            return self.filter(assignments__company_id=user.company_id)
        if user.district_id:
            return self.filter(building__estate__community__street__district_id=user.district_id)
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
        constraints = [unique_in("unit", "number", "building")]

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


class StageReached(models.Model):
    """When a unit first moved into a stage: the earliest of its moves into it (StageChange), kept as the
    moves are recorded (signals.py for every saved move, ``stages_reached_store`` after a bulk write), so
    that progress over time sums these rows, not the whole history of moves (reports/dashboard.py).
    The history is only ever added to; a unit's rows go with it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="stages_reached")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    first_at = models.DateTimeField()
    # first_at's month in local time ("2026-11"): what progress groups by, with no date function per row.
    period = models.CharField(max_length=7)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "stage"], name="stagereached_unit_stage")]

    def __str__(self):
        return f"{self.unit_id}: {self.stage} {self.first_at:%Y-%m-%d}"

    @classmethod
    def first(cls, unit_id: int, stage: str, first_at) -> StageReached:
        return cls(unit_id=unit_id, stage=stage, first_at=first_at, period=period_of(timezone.localtime(first_at)))


class Household(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("unit"))
    room = models.CharField(_("room"), max_length=20)
    floor = models.PositiveSmallIntegerField(_("floor"), validators=[MinValueValidator(1)])
    area = models.DecimalField(
        _("registered area (m²)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    owner_name = models.CharField(pgettext_lazy("property", "owner"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    occupancy = models.CharField(_("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER)
    hardship = models.BooleanField(_("hardship household"), default=False)
    age_band = models.CharField(_("age of oldest resident"), max_length=10, choices=AgeBand.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The certificate number (证件号码) is never stored: only its keyed hash and last four characters
    # (retrofit/owner_ids.py, docs/rules.md "Who is one owner"). Not editable: only the import writes them.
    id_hash = models.CharField(_("certificate number hash"), max_length=64, blank=True, editable=False)
    id_last4 = models.CharField(_("certificate number, last four"), max_length=4, blank=True, editable=False)
    institution = models.CharField(_("institution owner"), max_length=100, blank=True)
    # A co-owned flat (共有): the co-owners after the first-named one (owner_name, phone), one a line,
    # name and phone separated by a tab (retrofit/co_owners.py, docs/rules.md "Co-owned flats").
    co_owners = models.TextField(_("co-owners"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["-floor", "room"]
        constraints = [
            unique_in("household", "room", "unit"),
            models.CheckConstraint(condition=Q(area__gt=0), name="household_area_positive"),
            models.CheckConstraint(condition=Q(floor__gte=1), name="household_floor_positive"),
            # "floor within the building" spans two tables: a trigger enforces it (migration 0002).
        ]

    def __str__(self):
        return self.room



class FieldChange(models.Model):
    """A change to one field of a record: which field, before and after (as text), who and when."""

    field = models.CharField(_("field"), max_length=40)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    changed_by = by_user(_("changed by"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.field}: {self.before or '—'} → {self.after or '—'}"


class RosterSource(models.TextChoices):
    """Where a change to a household's roster fields came from (the values match VoteSource's)."""

    IMPORT = "import", _("Ledger import")
    ADMIN = "admin", _("Admin")
    MIGRATION = "migration", _("Data migration")  # e.g. phones put in their normal form (docs/rules.md)
    TRANSFER = "transfer", _("Change of owner")  # 过户 (consultations.OwnerTransfer)
    PAGE = "page", _("Recorded by staff")  # e.g. a same-owner decision on the unit page


class HouseholdChange(FieldChange):
    """A change to one roster field of a household (owner, phone, area, floor …): who, when, before, after.

    Votes and their reasons have their own history (consultations.VoteChange). ``before`` and ``after``
    hold the stored value as text (area "80.50", hardship "true", occupancy "rented"); ``str()`` and the
    pages show them in the ledger's words.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="roster_changes", verbose_name=_("household"))
    source = models.CharField(_("source"), max_length=10, choices=RosterSource.choices, default=RosterSource.IMPORT)

    class Meta(FieldChange.Meta):
        verbose_name = _("roster change")
        verbose_name_plural = _("roster changes")
        indexes = [
            # The household's history on the vote sheet.
            models.Index(fields=["household", "-changed_at"], name="householdchange_time"),
        ]

    def __str__(self):
        before, after = value_label(self.field, self.before) or "—", value_label(self.field, self.after) or "—"
        return f"{field_label(self.field)}：{before} → {after}"


# --- one unit, one plan (一单元一策) ---------------------------------------------------------------


class EntryType(models.TextChoices):
    FLAT = "flat", _("Flat-floor entry")
    HALF = "half", _("Half-floor entry")


class SplitMethod(models.TextChoices):
    FLOOR = costshare.FLOOR, _("By floor coefficient")
    FLOOR_AREA = costshare.FLOOR_AREA, _("By floor coefficient × area")


class PlanQuerySet(models.QuerySet):
    def current(self):
        """The latest version of each unit's plan (a signed plan is always the latest: nothing follows it)."""
        latest = Plan.objects.filter(unit=models.OuterRef("unit")).order_by("-version").values("version")[:1]
        return self.filter(version=models.Subquery(latest))


class CostSplit(models.Model):
    """How a cost is split among a unit's flats (the method and its floor coefficients), who saved it and when.

    A plan version and a running-cost bill each keep their own split, so each is recomputed from its own row.
    """

    method = models.CharField(_("split method"), max_length=12, choices=SplitMethod.choices, default=SplitMethod.FLOOR)
    # {"1": "0", "2": "1.5", …}: floor → coefficient as a decimal string, so nothing is lost to floats.
    coefficients = models.JSONField(_("floor coefficients"), default=dict)
    created_by = by_user(_("saved by"))
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        abstract = True

    @property
    def coefficient_table(self) -> dict[int, Decimal]:
        return {int(floor): Decimal(value) for floor, value in sorted(self.coefficients.items(), key=lambda kv: int(kv[0]))}


class Plan(CostSplit):
    """One version of a unit's installation plan and cost share. Versions are never edited, only added.

    The version a contract is made from gets ``signed_at``: from then on it is frozen and the unit gets
    no newer version (the service refuses, and so does the database: migration 0004).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("unit"))
    version = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1)])
    entry_type = models.CharField(_("entry type"), max_length=10, choices=EntryType.choices, default=EntryType.FLAT)
    stops = models.PositiveSmallIntegerField(_("stops"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    shaft_position = models.CharField(_("shaft position"), max_length=100, blank=True)
    floor_height = models.DecimalField(_("floor height (m)"), max_digits=4, decimal_places=2, null=True, blank=True)
    spacing = models.DecimalField(
        _("spacing to the next building (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    total_cost = YuanField(_("total cost (yuan)"))
    subsidy = YuanField(_("subsidy (yuan)"))
    # False when staff typed the subsidy instead of taking the street's rule.
    subsidy_from_policy = models.BooleanField(_("subsidy from the street's policy"), default=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("signed (frozen) at"), null=True, blank=True)
    signed_by = by_user(_("frozen by"))

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["unit", "-version"]
        constraints = [
            # Also serves "latest version of a unit" (unit, version desc) for current_plans().
            unique_in("plan", "version", "unit"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(signed_at__isnull=False), name="plan_one_signed_per_unit"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="plan_version_positive"),
            models.CheckConstraint(condition=Q(stops__gte=1) & Q(stops__lte=60), name="plan_stops_range"),
            models.CheckConstraint(
                condition=Q(total_cost__gte=0) & Q(subsidy__gte=0) & Q(subsidy__lte=F("total_cost")),
                name="plan_money_valid",
            ),
            *choice_checks("plan", method=SplitMethod, entry_type=EntryType),
        ]

    def __str__(self):
        return _("%(unit)s, plan v%(version)d") % {"unit": self.unit, "version": self.version}

    @property
    def net_cost(self) -> Decimal:
        return self.total_cost - self.subsidy

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

class PlanShare(models.Model):
    """One flat's share in one plan version, as computed when the version was saved.

    Room, floor and area are copied: a signed plan keeps the figures it was signed with even if the
    roster changes later, and exports and the public notice read these rows, never a recomputation.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares", verbose_name=_("plan"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="plan_shares", verbose_name=_("household")
    )
    room = models.CharField(_("room"), max_length=20)
    floor = models.PositiveSmallIntegerField(_("floor"))
    area = models.DecimalField(_("registered area (m²)"), max_digits=8, decimal_places=2)
    coefficient = models.DecimalField(_("coefficient"), max_digits=12, decimal_places=4)
    relief = YuanField(_("hardship relief (yuan)"), default=Decimal("0"))
    amount = YuanField(_("share (yuan)"))

    class Meta:
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")
        ordering = ["plan", "-floor", "room"]
        constraints = [
            # Also serves "the shares of these plans" (plan_id IN …).
            models.UniqueConstraint(fields=["plan", "household"], name="planshare_unique_household"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(relief__gte=0) & Q(coefficient__gte=0), name="planshare_amounts_valid"
            ),
        ]
        indexes = [
            # shares_by_household(): a household's shares across versions.
            models.Index(fields=["household"], name="planshare_household"),
        ]

    def __str__(self):
        return f"{self.room}: {self.amount}"


class RunningCost(CostSplit):
    """A period's electricity and maintenance bill, split among the flats of a plan.

    The split is not stored: it is a pure function of these inputs and of the basis plan's frozen flat
    rows (room, floor, area), so recomputing it always gives the same fen.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="running_costs", verbose_name=_("unit"))
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="running_costs", verbose_name=_("basis plan")
    )
    # The same "2026-10" form as the charges of the works app, so a split can become its charges.
    period = models.CharField(
        _("period"), max_length=7, validators=[RegexValidator(PERIOD_PATTERN)], help_text=_("Year and month, e.g. 2026-10.")
    )
    electricity = YuanField(_("electricity (yuan)"), default=Decimal("0"))
    maintenance = YuanField(_("maintenance (yuan)"), default=Decimal("0"))

    class Meta:
        verbose_name = _("running cost")
        verbose_name_plural = _("running costs")
        ordering = ["unit", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="runningcost_unique_period"),
            models.CheckConstraint(
                condition=Q(electricity__gte=0) & Q(maintenance__gte=0), name="runningcost_amounts_valid"
            ),
            *choice_checks("runningcost", method=SplitMethod),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_PATTERN), name="runningcost_period_format"),
        ]

    def __str__(self):
        return f"{self.unit} {self.period}"

    @property
    def total(self) -> Decimal:
        return self.electricity + self.maintenance


# --- the three-party contract (三方协议) -----------------------------------------------------------


class Contract(models.Model):
    """Residents, the community, the elevator company and the construction company: one per unit.

    Made from the unit's current plan, which it freezes. A party has signed when its date is set.
    """

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="contract", verbose_name=_("unit"))
    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="contract", verbose_name=_("signed plan"))
    amount = YuanField(_("contract amount (yuan)"), minimum=0)
    signed_on = models.DateField(_("contract date"), null=True, blank=True)
    elevator_company = models.CharField(_("elevator company"), max_length=100, blank=True)
    construction_company = models.CharField(_("construction company"), max_length=100, blank=True)
    community_signed_on = models.DateField(_("community signed on"), null=True, blank=True)
    elevator_company_signed_on = models.DateField(_("elevator company signed on"), null=True, blank=True)
    construction_company_signed_on = models.DateField(_("construction company signed on"), null=True, blank=True)
    # The current scan; every earlier one is kept in scan_versions. Clearing empties only this pointer.
    scan_version = current_version("ContractScanVersion", _("scanned copy"))
    created_by = by_user(_("created by"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_valid"),
            # A company signs under its name.
            when_set("elevator_company_signed_on", ~Q(elevator_company=""), name="contract_elevator_company_named"),
            when_set(
                "construction_company_signed_on", ~Q(construction_company=""), name="contract_construction_company_named"
            ),
        ]

    def __str__(self):
        return _("Contract of %(unit)s") % {"unit": self.unit}

    PARTY_FIELDS = ("community_signed_on", "elevator_company_signed_on", "construction_company_signed_on")


class ContractScanVersion(DocumentVersion):
    """One uploaded scan of the signed contract; never changed or deleted (retrofit/documents.py)."""

    OWNER_FIELD = "contract"
    KIND = uploads.CONTRACT_SCAN

    contract = owner_key(Contract, "scan_versions", _("contract"))
    Meta = versions_meta(OWNER_FIELD, _("contract scan version"), _("contract scan versions"))


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Not signed yet")
    SIGNED = "signed", pgettext_lazy("signature", "Signed")
    REFUSED = "refused", _("Refused")


class Signature(models.Model):
    """A paying household's signature on the contract (share > 0 in the signed plan)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("contract")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("household")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SignatureStatus.choices, default=SignatureStatus.PENDING
    )
    signed_on = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["contract", "-household__floor", "household__room"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "household"], name="signature_unique_household"),
            *choice_checks("signature", status=SignatureStatus),
            # Signed means a date; not signed yet means none (a refusal may carry the day it was said).
            implies(Q(status=SignatureStatus.SIGNED), Q(signed_on__isnull=False), name="signature_signed_has_date"),
            implies(Q(status=SignatureStatus.PENDING), Q(signed_on__isnull=True), name="signature_pending_has_no_date"),
        ]

    def __str__(self):
        return f"{self.household}: {self.get_status_display()}"


class ContractChange(FieldChange):
    """Every change to a contract or one of its signatures: who, when, which field, before and after."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    household = protected_key(Household, _("household"), related_name="+")

    class Meta(FieldChange.Meta):
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        indexes = [
            # The history list on the contract page.
            models.Index(fields=["contract", "-changed_at"], name="contractchange_contract_time"),
        ]
