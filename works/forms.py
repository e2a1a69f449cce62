"""Forms of the works page. They validate; the services in services.py write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import uploads
from retrofit.checks import not_in_future
from retrofit.periods import PERIOD_PATTERN, this_period
from retrofit.widgets import DateInput

from .models import (
    AcceptanceCheck,
    Approval,
    ChargeKind,
    Company,
    Construction,
    Inspection,
    MaintenanceVisit,
    Registration,
    Result,
    Subsidy,
)
from .services import FAIL_NEEDS_DEFECTS

PERMIT_DATE_NEEDS_NUMBER = _("A permit date needs the permit or joint review number.")
COMPLETED_BEFORE_START = _("Construction cannot be completed before it started.")
COMPLETED_WITHOUT_START = _("Record when construction started first.")
STARTED_BEFORE_NOTICE = _("Work may start only after the notice to market supervision (%(date)s).")
NAME_USER_UNIT_OR_LEADER = _("Name the user unit or a building leader.")
NEXT_DUE_NOT_AFTER = _("The next inspection must be due after this one.")
BAD_PERIOD = _("Write the period as year-month, e.g. 2026-10.")
APPROVAL_INCOMPLETE = _("An approval needs both its date and the amount approved.")


def _formfield(field, **kwargs):
    """A works record's dates with the browser's date picker and its notes two rows high, unless the form's
    Meta gives the field a widget of its own."""
    if isinstance(field, models.DateField):
        kwargs.setdefault("widget", DateInput())
    elif isinstance(field, models.TextField):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
    return field.formfield(**kwargs)


class RecordForm(forms.ModelForm):
    """The form of a works record. It validates what was typed; the service stamps the record with the user and
    runs its full_clean, so the half-built instance is not validated here.

    The date fields of events that must already have happened are the record's own ``PAST_DATES`` (refused
    here as typed, and again by the record's full_clean); ``required`` names the fields the form needs though
    the record may be saved without them; ``starts_today`` names the date fields an empty form fills with
    today's date (the day most things are recorded on). A form's Meta inherits ``RecordForm.Meta``
    for the record's widgets.
    """

    required: tuple[str, ...] = ()
    starts_today: tuple[str, ...] = ()

    class Meta:
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self._meta.model.PAST_DATES:
            if name in self.fields:
                self.fields[name].validators.append(not_in_future)
        for name in self.required:
            self.fields[name].required = True
        for name in self.starts_today:
            self.fields[name].initial = timezone.localdate

    def _post_clean(self):
        pass


class ApprovalForm(RecordForm):

    class Meta(RecordForm.Meta):
        model = Approval
        fields = ["permit_number", "permit_date", "market_notice_date", "notes"]

    def clean(self):
        data = super().clean()
        if data.get("permit_date") and not (data.get("permit_number") or "").strip():
            self.add_error("permit_number", PERMIT_DATE_NEEDS_NUMBER)
        return data


class ConstructionForm(RecordForm):

    class Meta(RecordForm.Meta):
        model = Construction
        fields = ["started_on", "completed_on", "meter_boxes", "pipes", "drainage_ditch", "others"]

    def __init__(self, *args, notice_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice_date = notice_date

    def clean(self):
        data = super().clean()
        started, completed = data.get("started_on"), data.get("completed_on")
        if completed and not started:
            self.add_error("started_on", COMPLETED_WITHOUT_START)
        elif completed and started and completed < started:
            self.add_error("completed_on", COMPLETED_BEFORE_START)
        if started and self.notice_date and started < self.notice_date:
            self.add_error("started_on", STARTED_BEFORE_NOTICE % {"date": self.notice_date.isoformat()})
        return data


class LogEntryForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[not_in_future], initial=timezone.localdate)
    text = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = uploads.UploadField(
        uploads.SITE_PHOTO, label=_("Photo"), required=False, help_text=_("JPEG or PNG, at most 5 MB.")
    )


class AcceptanceForm(RecordForm):
    starts_today = ("date",)

    class Meta(RecordForm.Meta):
        model = AcceptanceCheck
        fields = ["level", "result", "date", "inspector", "remarks"]
        widgets = {"result": forms.RadioSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = Result.choices  # no empty choice in a radio list

    def clean(self):
        data = super().clean()
        if data.get("result") == Result.FAIL and not (data.get("remarks") or "").strip():
            self.add_error("remarks", FAIL_NEEDS_DEFECTS)
        return data


class SubsidyForm(RecordForm):
    required = ("paid_on",)  # the record allows none (an application not paid yet); this form records a payment

    class Meta(RecordForm.Meta):
        model = Subsidy
        fields = ["paid_on", "amount"]


class SubsidyApplicationForm(RecordForm):
    required = ("applied_on", "amount_applied")

    class Meta(RecordForm.Meta):
        model = Subsidy
        fields = ["applied_on", "amount_applied", "approved_on", "amount_approved"]

    def clean(self):
        data = super().clean()
        if (data.get("approved_on") is None) != (data.get("amount_approved") is None):
            raise forms.ValidationError(APPROVAL_INCOMPLETE)
        return data


class RegistrationForm(RecordForm):

    class Meta(RecordForm.Meta):
        model = Registration
        fields = ["number", "registered_on", "user_unit", "leader", "maintenance_company"]

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = unit.leaders.order_by("username")
        self.fields["maintenance_company"].queryset = Company.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if not (data.get("user_unit") or "").strip() and not data.get("leader"):
            raise forms.ValidationError(NAME_USER_UNIT_OR_LEADER)
        return data


class VisitForm(RecordForm):
    starts_today = ("date",)

    class Meta(RecordForm.Meta):
        model = MaintenanceVisit
        fields = ["date", "company", "notes"]

    def __init__(self, *args, default_company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.order_by("name")
        if default_company is not None:
            self.fields["company"].initial = default_company.pk


class InspectionForm(RecordForm):

    class Meta(RecordForm.Meta):
        model = Inspection
        fields = ["date", "result", "next_due", "remarks"]
        widgets = {"result": forms.RadioSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = Result.choices

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("next_due") and data["next_due"] <= data["date"]:
            self.add_error("next_due", NEXT_DUE_NOT_AFTER)
        return data


class ChargeForm(forms.Form):
    period = forms.RegexField(
        label=_("Period"),
        regex=PERIOD_PATTERN,
        max_length=7,
        error_messages={"invalid": BAD_PERIOD},
        widget=forms.TextInput(attrs={"placeholder": "2026-10", "inputmode": "numeric"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ChargeKind.choices)
    amount = forms.DecimalField(
        label=_("Amount per household (yuan)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    household = forms.ModelChoiceField(
        label=_("Household"), queryset=None, required=False, empty_label=_("Every household of the unit")
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = unit.households.order_by("floor", "room")
        self.fields["period"].initial = this_period()


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), validators=[not_in_future])
