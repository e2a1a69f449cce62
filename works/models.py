"""After signing: approval, construction, acceptance and upkeep records, and the companies doing the work.

Each unit has at most one approval, construction, subsidy and registration record (one-to-one, created
on first save) and any number of log entries, acceptance checks, maintenance visits, inspections and
charges. Who wrote a record and when is kept on every one of them.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retrofit import uploads
from retrofit.documents import DocumentVersion, current_version, owner_key, versions_meta
from retrofit.fields import YuanField, by_user, implies, protected_key, when_set
from retrofit.periods import PERIOD_PATTERN
from units.models import Household, Named, Street, Unit

from . import rules


def of_unit(related_name: str, *, one: bool = False) -> models.ForeignKey:
    """The unit a works record belongs to, deleted with it; ``one``: at most one such record per unit."""
    field = models.OneToOneField if one else models.ForeignKey
    return field(Unit, on_delete=models.CASCADE, related_name=related_name, verbose_name=_("unit"))


class CompanyKind(models.TextChoices):
    ELEVATOR = "elevator", _("Elevator company")
    CONSTRUCTION = "construction", _("Construction company")
    THIRD_PARTY = "third_party", _("Third-party professional team")


class Company(Named):
    kind = models.CharField(_("kind"), max_length=20, choices=CompanyKind.choices)
    # The street that registered the company; companies may still be assigned to units anywhere.
    street = protected_key(Street, _("street"), related_name="companies")
    contact = models.CharField(_("contact person and phone"), max_length=100, blank=True)

    class Meta(Named.Meta):
        verbose_name = _("company")
        verbose_name_plural = _("companies")


class Assignment(models.Model):
    """A company working on a unit. Its users see and edit that unit's works records (Unit.visible_to)."""

    unit = of_unit("assignments")
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("company")
    )
    kind = models.CharField(_("role on this unit"), max_length=20, choices=CompanyKind.choices)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)

    class Meta:
        verbose_name = _("company assignment")
        verbose_name_plural = _("company assignments")
        ordering = ["unit", "kind"]
        constraints = [
            # Also the index that Unit.visible_to() uses for company users (filter on company_id goes
            # through the FK index on company).
            models.UniqueConstraint(fields=["unit", "company"], name="assignment_unique_company_per_unit"),
        ]

    def __str__(self):
        return f"{self.company} · {self.unit}"


DATE_IN_FUTURE = _("%(record)s · %(field)s (%(date)s) is in the future: record it once it has happened.")


def refuse_future_dates(record, names, today=None) -> None:
    """The dates of things that must already have happened (a signature, an acceptance, a payment
    received) are never later than today, Asia/Shanghai; each offender is named with its record and field."""
    today = today or timezone.localdate()
    errors = {}
    for name in names:
        value = getattr(record, name)
        if value is not None and value > today:
            errors[name] = DATE_IN_FUTURE % {
                "record": record._meta.verbose_name,
                "field": record._meta.get_field(name).verbose_name,
                "date": value.isoformat(),
            }
    if errors:
        raise ValidationError(errors)


class PastDates(models.Model):
    """A record with dates of events that must already have happened.

    ``PAST_DATES`` names those date fields; ``full_clean`` (every service calls it) refuses them in the future.
    """

    PAST_DATES: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        refuse_future_dates(self, self.PAST_DATES)


class Recorded(PastDates):
    """Who wrote a record and when."""

    recorded_by = by_user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        abstract = True


def log_meta(singular, plural, index_name: str, *checks: models.BaseConstraint) -> type:
    """The ``Meta`` of a unit's dated log (the construction log, maintenance visits, inspections): newest
    first, with the index that serves one unit's entries in that order (its list and its latest entry).

    ``checks`` adds the model's own constraints.
    """

    class Meta:
        verbose_name = singular
        verbose_name_plural = plural
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"], name=index_name)]
        constraints = list(checks)

    return Meta


class Approval(Recorded):
    PAST_DATES = ("permit_date", "market_notice_date")
    unit = of_unit("approval", one=True)
    permit_number = models.CharField(_("permit / joint review number"), max_length=100, blank=True)
    permit_date = models.DateField(_("permit / joint review date"), null=True, blank=True)
    market_notice_date = models.DateField(
        _("notice to market supervision"),
        null=True,
        blank=True,
        help_text=_(
            "The installer's written notice to the market supervision department, before work starts."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            when_set("permit_date", ~Q(permit_number=""), name="approval_permit_date_has_number"),
        ]

    def __str__(self):
        return str(self.unit_id)

    @property
    def missing(self) -> list[str]:
        return rules.approval_missing(
            permit_number=self.permit_number,
            permit_date=self.permit_date,
            market_notice_date=self.market_notice_date,
        )


class Construction(Recorded):
    PAST_DATES = ("started_on", "completed_on")
    unit = of_unit("construction", one=True)
    started_on = models.DateField(_("construction started"), null=True, blank=True)
    completed_on = models.DateField(_("construction completed"), null=True, blank=True)
    # Stairwell micro-renovation 楼道微更新.
    meter_boxes = models.BooleanField(_("meter boxes moved"), default=False)
    pipes = models.BooleanField(_("pipes moved"), default=False)
    drainage_ditch = models.BooleanField(_("drainage ditch repaired"), default=False)
    others = models.TextField(_("other micro-renovation work"), blank=True)

    class Meta:
        verbose_name = _("construction")
        verbose_name_plural = _("constructions")
        constraints = [
            when_set(
                "completed_on", Q(started_on__isnull=False) & Q(completed_on__gte=F("started_on")),
                name="construction_completed_after_start",
            ),
        ]

    def __str__(self):
        return str(self.unit_id)

    @property
    def checklist(self) -> dict[str, bool]:
        return {item: getattr(self, item) for item in rules.CHECKLIST}

    @property
    def missing(self) -> list[str]:
        return rules.construction_missing(completed_on=self.completed_on, checklist=self.checklist)


class ConstructionLogEntry(PastDates):
    PAST_DATES = ("date",)
    unit = of_unit("log_entries")
    date = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    # The site photo, kept as a version (retrofit/documents.py): never deleted.
    photo_version = current_version("SitePhotoVersion", _("photo"), editable=False)
    by = by_user(pgettext_lazy("recorded by", "by"), required=True)
    created_at = models.DateTimeField(_("created at"))

    # The log on the works page.
    Meta = log_meta(_("construction log entry"), _("construction log entries"), "logentry_unit_date")

    def __str__(self):
        return f"{self.date} {self.text[:30]}"


class SitePhotoVersion(DocumentVersion):
    """One uploaded photo of a construction log entry (JPEG or PNG); never changed or deleted."""

    OWNER_FIELD = "entry"
    KIND = uploads.SITE_PHOTO

    entry = owner_key(ConstructionLogEntry, "photo_versions", _("construction log entry"))
    Meta = versions_meta(
        OWNER_FIELD, _("site photo version"), _("site photo versions"),
        models.CheckConstraint(
            condition=Q(content_type__in=list(uploads.SITE_PHOTO.types)), name="sitephotoversion_is_image"
        ),
    )

    def scope(self) -> str:
        return str(self.entry.unit_id)


class AcceptanceLevel(models.TextChoices):
    SUPERVISORY = rules.SUPERVISORY, _("Supervisory inspection")
    DISTRICT = rules.DISTRICT, _("District acceptance")
    CITY = rules.CITY, _("City acceptance")


class Result(models.TextChoices):
    PASS = rules.PASS, _("Passed")
    FAIL = rules.FAIL, _("Failed")


class AcceptanceCheck(Recorded):
    """One attempt at one level; a failed level is checked again later, so a unit keeps every attempt."""

    PAST_DATES = ("date",)

    unit = of_unit("acceptance_checks")
    level = models.CharField(_("level"), max_length=20, choices=AcceptanceLevel.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    date = models.DateField(_("date"))
    inspector = models.CharField(_("inspector"), max_length=100)
    remarks = models.TextField(_("remarks / defects"), blank=True)

    class Meta:
        verbose_name = _("acceptance check")
        verbose_name_plural = _("acceptance checks")
        ordering = ["date", "id"]
        # The acceptance guard and table: one unit's attempts in date order.
        indexes = [models.Index(fields=["unit", "date"], name="acceptance_unit_date")]
        constraints = [
            # A failed check must say what to fix: the defects go back to construction with the unit.
            implies(Q(result=Result.FAIL), ~Q(remarks=""), name="acceptance_fail_lists_defects"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.date} {self.get_result_display()}"

    @property
    def attempt(self) -> rules.Attempt:
        return rules.Attempt(self.level, self.result, self.date, self.pk or 0)


class Subsidy(Recorded):
    """The unit's elevator subsidy: the application (date, amount asked for, amount approved) and the
    payment, which comes only after acceptance (the service checks that)."""

    PAST_DATES = ("applied_on", "approved_on", "paid_on")

    unit = of_unit("subsidy", one=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    amount_applied = YuanField(_("amount applied for (yuan)"), null=True, blank=True, minimum=Decimal("0.01"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    amount_approved = YuanField(_("amount approved (yuan)"), null=True, blank=True, minimum=Decimal("0.01"))
    # Empty while the subsidy is applied for but not paid yet.
    paid_on = models.DateField(_("subsidy paid on"), null=True, blank=True)
    amount = YuanField(_("amount (yuan)"), null=True, blank=True, minimum=Decimal("0.01"))

    class Meta:
        verbose_name = _("subsidy")
        verbose_name_plural = _("subsidies")
        constraints = [
            when_set("amount", Q(amount__gt=0), name="subsidy_amount_positive"),
            models.CheckConstraint(
                condition=(Q(amount_applied__isnull=True) | Q(amount_applied__gt=0))
                & (Q(amount_approved__isnull=True) | Q(amount_approved__gt=0)),
                name="subsidy_application_amounts_positive",
            ),
            # An application has a date and an amount; an approval follows an application.
            models.CheckConstraint(
                condition=Q(applied_on__isnull=True, amount_applied__isnull=True)
                | Q(applied_on__isnull=False, amount_applied__isnull=False),
                name="subsidy_application_complete",
            ),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True, amount_approved__isnull=True)
                | Q(approved_on__isnull=False, amount_approved__isnull=False, applied_on__isnull=False),
                name="subsidy_approval_after_application",
            ),
            when_set("approved_on", Q(approved_on__gte=F("applied_on")), name="subsidy_approved_not_before_applied"),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=False) | Q(applied_on__isnull=False),
                name="subsidy_applied_or_paid",
            ),
        ]

    def __str__(self):
        return str(self.paid_on or self.applied_on)

    @property
    def status(self) -> str:
        if self.paid_on:
            return SubsidyStatus.PAID
        if self.approved_on:
            return SubsidyStatus.APPROVED
        if self.applied_on:
            return SubsidyStatus.APPLIED
        return SubsidyStatus.NONE

    def get_status_display(self) -> str:
        return SubsidyStatus(self.status).label


class SubsidyStatus(models.TextChoices):
    NONE = "none", _("Not applied for")
    APPLIED = "applied", _("Applied for")
    APPROVED = "approved", _("Approved")
    PAID = "paid", pgettext_lazy("subsidy", "Paid")


class Registration(Recorded):
    """Use registration 使用登记 (before use or within 30 days), naming who runs the elevator day to day."""

    PAST_DATES = ("registered_on",)

    unit = of_unit("registration", one=True)
    number = models.CharField(_("use registration number"), max_length=100)
    registered_on = models.DateField(_("registered on"))
    user_unit = models.CharField(_("user unit"), max_length=100, blank=True)
    leader = by_user(_("building leader"))
    maintenance_company = protected_key(Company, _("maintenance company"), related_name="maintained_registrations")

    class Meta:
        verbose_name = _("use registration")
        verbose_name_plural = _("use registrations")
        constraints = [
            models.CheckConstraint(condition=~Q(number=""), name="registration_has_number"),
            implies(Q(user_unit=""), Q(leader__isnull=False), name="registration_names_user_unit_or_leader"),
        ]

    def __str__(self):
        return self.number


class MaintenanceVisit(Recorded):
    PAST_DATES = ("date",)
    unit = of_unit("maintenance_visits")
    date = models.DateField(_("date"))
    company = protected_key(Company, _("company"), related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    # The visit list and the 15-day check (latest visit per unit).
    Meta = log_meta(_("maintenance visit"), _("maintenance visits"), "visit_unit_date")

    def __str__(self):
        return str(self.date)


class Inspection(Recorded):
    PAST_DATES = ("date",)
    unit = of_unit("inspections")
    date = models.DateField(_("inspection date"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    next_due = models.DateField(_("next inspection due"))
    remarks = models.TextField(_("remarks"), blank=True)

    # Latest inspection per unit (its next due date drives the warning).
    Meta = log_meta(
        _("periodic inspection"), _("periodic inspections"), "inspection_unit_date",
        models.CheckConstraint(condition=Q(next_due__gt=F("date")), name="inspection_next_due_after_date"),
    )

    def __str__(self):
        return str(self.date)


class ChargeKind(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity fee")
    REPAIR_FUND = "repair_fund", _("Repair fund")


class UtilityCharge(Recorded):
    """What one household owes for one period; unpaid charges are the arrears."""

    PAST_DATES = ("paid_on",)

    unit = of_unit("charges")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="charges", verbose_name=_("household")
    )
    period = models.CharField(
        _("period"),
        max_length=7,
        validators=[RegexValidator(PERIOD_PATTERN)],
        help_text=_("Year and month, e.g. 2026-10."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChargeKind.choices)
    amount = YuanField(_("amount (yuan)"), max_digits=10, minimum=Decimal("0.01"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_recorded_by = by_user(_("payment recorded by"))

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-period", "household__floor", "household__room", "kind"]
        # The charges table of a unit by period, and the arrears (unpaid) of a unit.
        indexes = [
            models.Index(fields=["unit", "-period"], name="charge_unit_period"),
            models.Index(fields=["unit"], condition=Q(paid_on__isnull=True), name="charge_unit_unpaid"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["household", "period", "kind"], name="charge_unique_per_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_PATTERN), name="charge_period_format"),
        ]

    def __str__(self):
        return f"{self.period} {self.get_kind_display()} {self.amount}"
