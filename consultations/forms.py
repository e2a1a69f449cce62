from django import forms
from django.utils.translation import gettext_lazy as _

from .models import VoteValue


class VoteForm(forms.Form):
    value = forms.ChoiceField(label=_("Vote"), choices=VoteValue.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. worried about noise; wants a lower share")}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
