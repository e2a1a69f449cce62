"""Forms of the residents' side. They validate; residents.services writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import VoteValue

from .models import CommunityContact


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Household code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "text", "autocapitalize": "characters", "autocorrect": "off", "spellcheck": "false",
                "autocomplete": "one-time-code", "placeholder": "ABCD-EFGH-JK",
            }
        ),
    )


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(label=_("Anything to add? (optional)"), max_length=300, required=False)


class VoteChangeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    value = forms.ChoiceField(
        label=_("Your vote"),
        choices=[(VoteValue.AGREE, VoteValue.AGREE.label), (VoteValue.OPPOSE, VoteValue.OPPOSE.label)],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why? (needed if you oppose)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label=_("Your objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your objection.")},
    )


class CommunityContactForm(forms.ModelForm):
    class Meta:
        model = CommunityContact
        fields = ["name", "phone", "office", "hours"]
