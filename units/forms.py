"""Forms of the plan, running-cost and contract pages. They validate; services in plans.py and
contracts.py write."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit import uploads
from retrofit.checks import IN_FUTURE
from retrofit.periods import PERIOD_PATTERN
from retrofit.widgets import DateInput

from .contracts import CONTRACT_FIELDS
from .models import Contract, EntryType, Household, SignatureStatus, SplitMethod, Unit
from .plans import PlanDraft

COMPANY_NAME_NEEDED = _("Enter the company's name before its signing date.")

MONEY = {"max_digits": 12, "decimal_places": 2}




def _money(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **MONEY,
    )


def _coefficient(floor: int):
    return forms.DecimalField(
        label=_("%(floor)sF") % {"floor": floor},
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class CoefficientsMixin:
    """One input per floor, named coef_<floor>."""

    def add_coefficient_fields(self, floors: Sequence[int]) -> None:
        self.floors = list(floors)
        for floor in self.floors:
            self.fields[f"coef_{floor}"] = _coefficient(floor)

    @property
    def coefficient_fields(self):
        return [(floor, self[f"coef_{floor}"]) for floor in reversed(self.floors)]

    def coefficients(self) -> dict[int, Decimal]:
        return {floor: self.cleaned_data[f"coef_{floor}"] for floor in self.floors}


class PlanForm(CoefficientsMixin, forms.Form):
    entry_type = forms.ChoiceField(label=_("Entry type"), choices=EntryType.choices, widget=forms.RadioSelect)
    stops = forms.IntegerField(label=_("Stops"), min_value=1, max_value=60)
    shaft_position = forms.CharField(
        label=_("Shaft position"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. north side, by the stairwell window")}),
    )
    floor_height = forms.DecimalField(
        label=_("Floor height (m)"), required=False, min_value=Decimal("0.01"), max_digits=4, decimal_places=2
    )
    spacing = forms.DecimalField(
        label=_("Spacing to the next building (m)"), required=False, min_value=Decimal("0"), max_digits=6, decimal_places=2
    )
    total_cost = _money(_("Total cost (yuan)"))
    subsidy = _money(_("Subsidy (yuan)"), required=False, help_text=_("Leave empty to apply the street's rule."))
    method = forms.ChoiceField(label=_("Split method"), choices=SplitMethod.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What changed in this version"), required=False, max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. top floor pays 10% more")}),
    )
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit: Unit, households: Sequence[Household], floors: Sequence[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.households = list(households)
        self.add_coefficient_fields(floors)
        for household in self.households:
            self.fields[f"relief_{household.pk}"] = _money(
                _("Relief for %(room)s (yuan)") % {"room": household.room}, required=False
            )

    @classmethod
    def initial_from(cls, draft: PlanDraft, base_version: int | None) -> dict:
        initial = {
            "entry_type": draft.entry_type,
            "stops": draft.stops,
            "shaft_position": draft.shaft_position,
            "floor_height": draft.floor_height,
            "spacing": draft.spacing,
            "total_cost": draft.total_cost or None,
            "subsidy": draft.subsidy,
            "method": draft.method,
            "base_version": base_version,
        }
        initial.update({f"coef_{floor}": value for floor, value in draft.coefficients.items()})
        initial.update({f"relief_{pk}": value for pk, value in draft.reliefs.items() if value})
        return initial

    def clean_total_cost(self):
        total = self.cleaned_data["total_cost"]
        if total is not None and total <= 0:
            raise forms.ValidationError(_("Enter the total cost of the elevator."))
        return total

    @property
    def initial_has_relief(self) -> bool:
        return any(self.initial.get(f"relief_{h.pk}") for h in self.households)

    @property
    def relief_fields(self):
        return [(h, self[f"relief_{h.pk}"]) for h in self.households]

    def draft(self) -> PlanDraft:
        data = self.cleaned_data
        reliefs = {}
        for household in self.households:
            value = data.get(f"relief_{household.pk}")
            if value:
                reliefs[household.pk] = value
        return PlanDraft(
            total_cost=data["total_cost"],
            subsidy=data.get("subsidy"),
            coefficients=self.coefficients(),
            method=data["method"],
            entry_type=data["entry_type"],
            stops=data["stops"],
            shaft_position=data.get("shaft_position") or "",
            floor_height=data.get("floor_height"),
            spacing=data.get("spacing"),
            reliefs=reliefs,
            note=data.get("note") or "",
        )


class RunningCostForm(CoefficientsMixin, forms.Form):
    period = forms.RegexField(
        label=_("Period"), regex=PERIOD_PATTERN, max_length=7,
        help_text=_("Year and month, e.g. 2026-10."),
        error_messages={"invalid": _("Write the period as year and month, e.g. 2026-10.")},
        widget=forms.TextInput(attrs={"placeholder": "2026-10", "inputmode": "numeric"}),
    )
    electricity = _money(_("Electricity (yuan)"))
    maintenance = _money(_("Maintenance (yuan)"))
    method = forms.ChoiceField(label=_("Split method"), choices=SplitMethod.choices, widget=forms.RadioSelect)

    def __init__(self, *args, floors: Sequence[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_coefficient_fields(floors)


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
        widgets = {
            "signed_on": DateInput(),
            "community_signed_on": DateInput(),
            "elevator_company_signed_on": DateInput(),
            "construction_company_signed_on": DateInput(),
        }

    # Not a model field: each upload becomes a new ContractScanVersion (units/contracts.py).
    # Type and size as the upload spec says (retrofit/uploads.py), told by the first bytes.
    scan = uploads.UploadField(
        uploads.CONTRACT_SCAN, label=_("New scanned copy"), required=False, widget=forms.FileInput,
        help_text=_("Earlier scans are kept as versions."),
    )
    clear_scan = forms.BooleanField(
        label=_("No current scan (earlier scans stay on record)"), required=False,
    )

    def clean_scan(self):
        return self.cleaned_data.get("scan") or None  # None: unchanged

    def clean(self):
        data = super().clean()
        if data.get("clear_scan") and not data.get("scan") and "scan" not in self.errors:
            data["scan"] = False  # contract_update empties the pointer and keeps every version
        today = timezone.localdate()
        for name in ("signed_on", *Contract.PARTY_FIELDS):
            value = data.get(name)
            if value and value > today:
                self.add_error(name, IN_FUTURE)
        for company, date in (
            ("elevator_company", "elevator_company_signed_on"),
            ("construction_company", "construction_company_signed_on"),
        ):
            if data.get(date) and not (data.get(company) or "").strip():
                self.add_error(company, COMPANY_NAME_NEEDED)
        return data


class SignatureForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SignatureStatus.choices)
    signed_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    # contracts.signature_token of the signature the form was drawn from: a stale form is refused.
    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        status, signed_on = data.get("status"), data.get("signed_on")
        if signed_on and signed_on > timezone.localdate():
            self.add_error("signed_on", IN_FUTURE)
        if status == SignatureStatus.SIGNED and not signed_on and "signed_on" not in self.errors:
            # Signing on the spot is the common case on a phone: today unless told otherwise.
            data["signed_on"] = timezone.localdate()
        if status == SignatureStatus.PENDING:
            data["signed_on"] = None
        return data
