"""Accounts: one user model with a role and the part of the street it covers."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import by_user, choice_checks, implies, protected_key, when_set


class Role(models.TextChoices):
    STREET_LEADER = "street_leader", _("Street leader")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    VIEWER = "viewer", _("Read-only viewer")
    COMPANY = "company", _("Company")
    DISTRICT_OFFICIAL = "district_official", _("District housing bureau")


# The roles that run the work (street leaders and community staff): they edit, and see full phones.
# The district housing bureau, like the viewer, only reads (masked names and phones), but a whole district.
# Which pages each role may open is decided in units/permissions.py from the properties below.
STAFF_ROLES = frozenset({Role.STREET_LEADER, Role.COMMUNITY_STAFF})
PHONE_ROLES = STAFF_ROLES
NAME_ROLES = STAFF_ROLES | {Role.UNIT_LEADER}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    # A district official covers a district (every street of it); a street leader (or a street-wide
    # viewer) a street; community staff a community; a unit leader only the units that name them as leader.
    district = protected_key("units.District", _("district"), related_name="users")
    street = protected_key("units.Street", _("street"), related_name="users")
    community = protected_key("units.Community", _("community"), related_name="users")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # A company user (elevator, construction, third party) sees only the units assigned to its company.
    company = protected_key("works.Company", _("company"), related_name="users")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(street__isnull=False) & Q(community__isnull=False)),
                name="user_one_scope_only",
            ),
            implies(Q(role=Role.STREET_LEADER), Q(street__isnull=False), name="user_street_leader_has_street"),
            implies(
                Q(role=Role.COMMUNITY_STAFF), Q(community__isnull=False), name="user_community_staff_has_community"
            ),
            implies(
                Q(role=Role.DISTRICT_OFFICIAL), Q(district__isnull=False), name="user_district_official_has_district"
            ),
            # A district is the whole scope of a district official, never beside a street or a community.
            when_set(
                "district",
                Q(role=Role.DISTRICT_OFFICIAL, street__isnull=True, community__isnull=True),
                name="user_district_only_for_district_officials",
            ),
            # Both ways: visible_to() scopes by company first, so only company users may carry one.
            models.CheckConstraint(
                condition=(~Q(role=Role.COMPANY) | Q(company__isnull=False))
                & (Q(role=Role.COMPANY) | Q(company__isnull=True)),
                name="user_company_role_has_company",
            ),
        ]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_company(self) -> bool:
        """An elevator, construction or third-party company: works records of its assigned units only."""
        return not self.is_superuser and self.role == Role.COMPANY

    @property
    def is_staff_role(self) -> bool:
        """A street leader or community staff member (or the administrator): the people who run the work."""
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def can_edit(self) -> bool:
        return self.is_staff_role

    @property
    def can_see_roster(self) -> bool:
        """The households, their votes, contacts, rounds, notices and meetings: everyone but companies."""
        return not self.is_company

    @property
    def can_see_money(self) -> bool:
        """Cost shares, payments, arrears and running charges per household: everyone but companies."""
        return not self.is_company

    @property
    def can_see_names(self) -> bool:
        return self.is_superuser or self.role in NAME_ROLES

    @property
    def can_see_phones(self) -> bool:
        return self.is_superuser or self.role in PHONE_ROLES

    @property
    def scope_label(self) -> str:
        if self.district_id:
            return self.district.name
        if self.street_id:
            return self.street.name
        if self.community_id:
            return self.community.name
        return ""


class ExportKind(models.TextChoices):
    UNIT_SHEET = "unit_sheet", _("Unit status sheet")
    CONSENT_FORM = "consent_form", _("Consent form for signing")
    PROGRESS = "progress", _("Progress workbook")
    DISTRICT_REPORT = "district_report", _("Report to the district")
    UNIT_FILE = "unit_file", _("Unit file")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"
    PRINT = "print", _("Print page")


class ExportLog(models.Model):
    """Every export: who took which data out of the product, in which format, and when.

    ``user`` is empty for the command line (``manage.py export_units``), which runs with the server's
    own access. ``object_ids`` names what went out: the level and id of the scope, the units, filters.
    """

    user = by_user(_("user"), related_name="exports")
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    scope = models.CharField(_("scope"), max_length=300)
    object_ids = models.JSONField(_("objects"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    at = models.DateTimeField(_("exported at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-at", "-id"]
        constraints = choice_checks("exportlog", kind=ExportKind, format=ExportFormat)
        indexes = [
            # "What did this user export, newest first" (the audit question).
            models.Index(fields=["user", "-at"], name="exportlog_user_time"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or '—'} {self.kind} {self.format}"
