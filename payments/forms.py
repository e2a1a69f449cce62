"""Forms of the payments page. They validate what a person typed; the services decide and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retrofit.ordering import top_floor_first
from retrofit.widgets import DateInput

from .models import Fund, Method


class HouseholdChoice(forms.ModelChoiceField):
    def label_from_instance(self, household):
        return household.room


class _EntryForm(forms.Form):
    household = HouseholdChoice(label=_("Room"), queryset=None, empty_label="—")
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    on = forms.DateField(label=_("Date"), widget=DateInput())
    fund = forms.ChoiceField(label=_("Fund"), choices=Fund.choices, initial=Fund.OWN)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.BANK)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate
        field = self.fields["household"]
        field.queryset = households
        # Rooms as people count them, top floor first (the table's order).
        ordered = sorted(households, key=top_floor_first)
        field.choices = [("", "—"), *((h.pk, h.room) for h in ordered)]


class PaymentForm(_EntryForm):
    receipt_no = forms.CharField(label=_("Receipt number"), max_length=40)

    field_order = ["household", "amount", "on", "fund", "method", "receipt_no", "note"]


class RefundForm(_EntryForm):
    receipt_no = forms.CharField(label=_("Voucher number"), max_length=40, required=False)

    field_order = ["household", "amount", "on", "fund", "method", "receipt_no", "note"]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is it reversed?"), max_length=300)
