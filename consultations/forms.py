from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retrofit import uploads
from retrofit.masking import owner_for
from retrofit.params import int_param
from retrofit.widgets import DateInput
from units.models import Household

from .models import (
    Channel,
    Contact,
    ContactChannel,
    ContactOutcome,
    Degree,
    HoldoutReason,
    MeetingKind,
    VoteValue,
)
from .selectors import NEIGHBOUR_GROUPS, cadres_for, neighbours_to_offer
from .services import notices


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def contact_label(contact: Contact) -> str:
    local = timezone.localtime(contact.contacted_at)
    return f"{local:%Y-%m-%d %H:%M} · {contact.get_channel_display()} · {contact.get_outcome_display()}"


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return contact_label(obj)


class ClientSaveForm(forms.Form):
    """The key the phone gave this save and the time it took it (services/client_saves.py), both filled
    by static/js/offline.js: the key when the form is shown, the time when a save kept on the phone is sent."""

    client_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-client-key": ""}))
    saved_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class VoteForm(ClientSaveForm):
    value = forms.ChoiceField(label=_("Vote"), choices=VoteValue.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. worried about noise; wants a lower share")}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    contact = ContactChoiceField(
        label=_("Given in contact"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("— not tied to a contact —"),
    )

    RECENT_CONTACTS = 5
    RECENT_DAYS = 30

    def __init__(self, *args, household=None, **kwargs):
        """``household``: offer its recent contacts (last 30 days, at most 5) for the vote to cite."""
        super().__init__(*args, **kwargs)
        if household is not None:
            since = timezone.now() - timedelta(days=self.RECENT_DAYS)
            recent = Contact.objects.filter(household=household, contacted_at__gte=since).order_by(
                "-contacted_at", "-id"
            )
            ids = list(recent.values_list("pk", flat=True)[: self.RECENT_CONTACTS])
            self.fields["contact"].queryset = Contact.objects.filter(pk__in=ids).order_by("-contacted_at", "-id")


class RoundForm(forms.Form):
    deadline = forms.DateField(label=_("Feedback deadline"), widget=DateInput)
    channels = forms.MultipleChoiceField(
        label=_("Channels used"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    hotline = forms.CharField(label=_("Policy hotline number"), required=False, max_length=30)


class HoldForm(forms.Form):
    note = forms.CharField(
        label=_("Why hold this unit for the leadership group?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResumeForm(forms.Form):
    decision = forms.CharField(
        label=_("The leadership group's decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("New feedback deadline"), required=False, widget=DateInput)


VOTE_UNCHANGED = ""


class ContactForm(ClientSaveForm):
    """A contact in a few taps: channel, outcome, and — if they said so — their vote."""

    channel = forms.ChoiceField(label=_("How"), choices=ContactChannel.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices, widget=forms.RadioSelect)
    vote = forms.ChoiceField(
        label=_("Vote given"),
        choices=[(VOTE_UNCHANGED, _("No change")), *VoteValue.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What they said; what to bring next time")}),
    )
    companions = forms.CharField(
        label=_("Together with"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. neighbour in 302 and cadre Li")}),
    )
    contacted_at = forms.DateTimeField(label=_("When"), required=False, widget=DateTimeLocalInput)
    opinion_form = uploads.UploadField(
        uploads.OPINION_FORM,
        label=_("Photo of the signed opinion form"),
        required=False,
        help_text=_("JPEG, PNG or PDF, at most 5 MB."),
    )


class NamedHouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.room} {obj.owner_name}"


class HoldoutForm(forms.Form):
    reason = forms.ChoiceField(label=_("Main reason"), choices=[("", "---------"), *HoldoutReason.choices])
    degree = forms.ChoiceField(label=_("Degree of objection"), choices=Degree.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("In their words"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    relief_amount = forms.DecimalField(
        label=_("Relief to propose (yuan)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Taken off this household's share and spread over the other paying households."),
    )
    neighbour = forms.ModelChoiceField(
        label=_("Neighbour to visit with"),
        queryset=None,
        required=False,
        help_text=_("Same floor, same unit or same building; ideally one who agrees."),
    )
    cadre = forms.ModelChoiceField(label=_("Cadre on the joint visit"), queryset=None, required=False)
    visit_planned_on = forms.DateField(label=_("Joint visit on"), required=False, widget=DateInput)

    def __init__(self, *args, household, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["neighbour"]
        kept = int_param({"pk": str(self.initial.get("neighbour") or "")}, "pk")
        offered = neighbours_to_offer(household, keep=kept)
        field.queryset = Household.objects.filter(pk__in=[other.pk for _group, other in offered])
        # Grouped by how near (same floor, same unit, same building), those who agree first in each; names in
        # full for a role that sees names (masking.owner_for).
        groups: dict[int, list] = {}
        for group, other in offered:
            vote = getattr(other, "vote", None)
            label = f"{other.unit.building.number}-{other.unit.number}-{other.room} {owner_for(user, other.owner_name)}"
            if vote is not None:
                label += f" · {vote.get_value_display()}"
            groups.setdefault(group, []).append((other.pk, label))
        field.choices = [("", "---------")] + [(NEIGHBOUR_GROUPS[g], groups[g]) for g in sorted(groups)]
        self.fields["cadre"].queryset = cadres_for(household.unit).order_by("username")


class UnitsField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # An id no column holds ("99999999999999999999") is a wrong choice, not a database overflow.
        for pk in value:
            if int_param({"pk": str(pk)}, "pk") is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)

    def label_from_instance(self, obj):
        return f"{obj.building.estate.name} · {obj}"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("— the whole street —")
    )
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    starts_at = forms.TimeField(label=_("Time"), required=False, widget=TimeInput)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    units = UnitsField(label=_("Units concerned"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, communities, units, community_required=False, **kwargs):
        """``community_required``: community staff hold their own community's meetings, never street-wide ones."""
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["units"].queryset = units
        if community_required:
            self.fields["community"].required = True
            self.fields["community"].empty_label = None


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=300)
    owner = UserChoiceField(label=pgettext_lazy("action item", "Owner"), queryset=None)
    due_on = forms.DateField(label=pgettext_lazy("action item", "Due"), widget=DateInput)
    units = UnitsField(label=_("Units concerned"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, owners, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["units"].queryset = units


class NoticeStartForm(forms.Form):
    draft_signed_on = forms.DateField(label=_("Agreement draft-signed on"), widget=DateInput)
    starts_on = forms.DateField(label=_("Notice starts on"), widget=DateInput)
    days = forms.IntegerField(label=_("Notice period (days)"), min_value=1, max_value=366)
    plan_summary = forms.CharField(
        label=_("Plan"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Installation method, cost estimate, subsidy and how the cost is split."),
        max_length=4000,
    )
    contact_phone = forms.CharField(label=_("Phone for objections"), required=False, max_length=30)
    posted_at_entrance = forms.BooleanField(label=_("Posted at the unit entrance"), required=False, initial=True)
    posted_on_board = forms.BooleanField(label=_("Posted on the estate notice board"), required=False, initial=True)
    backdate_reason = forms.CharField(
        label=_("Why the notice was posted before today"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Street leader only: a paper notice posted before it was recorded here may start on its real posting "
            "date, with the reason. Otherwise the notice starts today or later."
        ),
    )

    def clean(self):
        data = super().clean()
        signed, starts = data.get("draft_signed_on"), data.get("starts_on")
        if signed and starts and starts < signed:
            raise ValidationError(notices.NOTICE_BEFORE_DRAFT)
        return data


class NoticeEditForm(forms.Form):
    days = forms.IntegerField(label=_("Notice period (days)"), min_value=1, max_value=366)
    plan_summary = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    contact_phone = forms.CharField(label=_("Phone for objections"), required=False, max_length=30)


class ObjectionForm(forms.Form):
    objector = forms.CharField(label=_("Objector (real name)"), max_length=50)
    household = NamedHouseholdChoiceField(
        label=_("Their flat"), queryset=None, required=False, empty_label=_("— not an owner in this unit —")
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class SettleForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was settled"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class TransferForm(forms.Form):
    """A change of owner 过户 of one flat (docs/rules.md, "Consent": a change of owner)."""

    transferred_on = forms.DateField(label=_("Owner changed on"), widget=DateInput)
    new_name = forms.CharField(label=_("New owner"), max_length=50)
    new_phone = forms.CharField(label=_("New owner's phone"), max_length=30, required=False)
