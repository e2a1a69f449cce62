"""Export jobs: an export too long for one request, made by a background worker (reports/jobs.py).

One row per request of a user: what (kind), of what (level and pk of a district, street, community or estate),
how far (units done of units total), and the finished file, kept ``EXPORT_JOBS_KEEP_DAYS`` days.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retrofit.fields import choice_checks


class JobKind(models.TextChoices):
    STATUS_SHEETS = "status_sheets", _("Status sheets of every unit (PDF)")
    STATUS_WORKBOOKS = "status_workbooks", _("Status sheets of every unit (Excel, one a unit, zipped)")
    DISTRICT_REPORT = "district_report", _("Report to the district (Word)")
    DISTRICT_WORKBOOK = "district_workbook", _("Progress workbook of the district (Excel)")


# What the download button on 我的导出 says each kind's file is.
FILE_TYPES = {JobKind.STATUS_SHEETS: "PDF", JobKind.STATUS_WORKBOOKS: "ZIP", JobKind.DISTRICT_REPORT: "Word", JobKind.DISTRICT_WORKBOOK: "Excel"}


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export job", "Waiting")
    RUNNING = "running", pgettext_lazy("export job", "Running")
    DONE = "done", pgettext_lazy("export job", "Done")
    FAILED = "failed", pgettext_lazy("export job", "Failed")


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobError(models.TextChoices):
    """Why a job failed, in words for the person who asked (the traceback goes to the server log)."""

    NONE = "", ""
    FAILED = "failed", _("The export could not be made. Please start it again; if it fails again, tell the administrator.")
    STOPPED = "stopped", _("The export stopped half way (the server was restarted). Please start it again.")
    OUT_OF_SCOPE = "scope", _("These units are no longer in your area: nothing was exported.")


def job_path(instance, filename: str) -> str:
    """exports/<user id>/<job id>-<name>: one folder per user, the job's id keeps names unique."""
    return f"exports/{instance.user_id}/{instance.pk}-{filename}"


class ExportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    level = models.CharField(_("level"), max_length=10)  # district, street, community or estate
    scope_pk = models.PositiveBigIntegerField(_("scope id"))
    scope_label = models.CharField(_("scope"), max_length=300)
    language = models.CharField(_("language"), max_length=10)  # the asker's, for the file's words
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    units_done = models.PositiveIntegerField(_("units done"), default=0)
    units_total = models.PositiveIntegerField(_("units total"), default=0)
    file = models.FileField(_("file"), upload_to=job_path, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200)  # the download's name
    error = models.CharField(_("error"), max_length=10, choices=JobError.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    beat_at = models.DateTimeField(_("last progress"), null=True, blank=True)  # a stale one: the worker died
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The period a report covers, as chosen on its page; none: the report's default period.
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One request, one job: a second click (another tab, a double tap) finds the first one.
            models.UniqueConstraint(
                fields=["user", "kind", "level", "scope_pk"],
                condition=Q(status__in=ACTIVE),
                name="exportjob_one_active_per_request",
            ),
            *choice_checks("exportjob", kind=JobKind, status=JobStatus, error=JobError),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.scope_label} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        return round(100 * self.units_done / self.units_total) if self.units_total else 0

    @property
    def file_type(self) -> str:
        """PDF, Word or Excel: what the download button says."""
        return FILE_TYPES[self.kind]

    @property
    def kept_until(self):
        return self.created_at + timedelta(days=settings.EXPORT_JOBS_KEEP_DAYS)
