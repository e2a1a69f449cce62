from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from retrofit import phones
from retrofit.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Building,
    Community,
    Contract,
    ContractChange,
    District,
    Estate,
    Household,
    HouseholdChange,
    Plan,
    PlanShare,
    RunningCost,
    Signature,
    StageChange,
    Street,
    Unit,
)
from .roster_words import INVALID_PHONE


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "consent_rule", "few_holdouts_max", "notice_days", "subsidy_kind", "subsidy_percent", "subsidy_cap")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "street")
    list_filter = ("street",)


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "is_pilot", "pilot_start")
    list_filter = ("is_pilot", "community__street")
    search_fields = ("name",)


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "estate", "floors", "floor_height", "spacing")
    list_filter = ("estate",)


class HouseholdForm(forms.ModelForm):
    """A household as the admin edits it: the phone is stored in its one normal form (retrofit/phones.py)."""

    def clean_phone(self):
        text = self.cleaned_data.get("phone", "")
        try:
            return phones.normalise(text)
        except phones.InvalidPhone:
            raise forms.ValidationError(
                INVALID_PHONE, code="invalid_phone", params={"column": self.fields["phone"].label, "value": text}
            ) from None


class HouseholdInline(admin.TabularInline):
    model = Household
    form = HouseholdForm
    extra = 0
    fields = ("room", "floor", "area", "owner_name", "phone", "institution", "occupancy", "hardship", "age_band")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("__str__", "building", "eligible", "stage")
    list_filter = ("stage", "eligible", "building__estate")
    # Stage moves go through the product so each one is recorded with who, when and why.
    readonly_fields = ("stage", "stage_since")
    filter_horizontal = ("leaders",)
    inlines = [HouseholdInline]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("room", "unit", "floor", "area", "owner_name", "occupancy", "hardship")
    list_filter = ("occupancy", "hardship", "unit__building__estate")
    search_fields = ("room", "owner_name")
    form = HouseholdForm

    def get_search_results(self, request, queryset, search_term):
        """Room and owner as Django searches them; a phone however it is written ("139-0000-0001" finds
        13900000001, "0000 0001" finds it too): stored phones are in their normal form."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        number = phones.search_form(search_term)
        if number:
            results = queryset.filter(Q(pk__in=results.values("pk")) | Q(phone__contains=number))
        return results, duplicates


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    can_delete = True
    list_display = ("unit", "before", "after", "changed_by", "changed_at")
    readonly_fields = ("unit", "before", "after", "reason", "changed_by", "changed_at")


# Plans, shares, signatures and their history are written by the product, which records who and when.


class PlanShareInline(ReadOnlyInline):
    model = PlanShare
    fields = ("room", "floor", "area", "coefficient", "relief", "amount")
    can_delete = False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("unit", "version", "entry_type", "total_cost", "subsidy", "method", "created_by", "created_at", "signed_at")
    list_filter = ("method", "entry_type", "unit__building__estate")
    list_select_related = ("unit__building", "created_by")
    inlines = [PlanShareInline]


class SignatureInline(ReadOnlyInline):
    model = Signature
    fields = ("household", "status", "signed_on", "note")
    can_delete = False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("unit", "plan", "amount", "signed_on", "elevator_company", "construction_company")
    list_select_related = ("unit__building", "plan")
    inlines = [SignatureInline]


@admin.register(ContractChange)
class ContractChangeAdmin(ReadOnlyAdmin):
    list_display = ("contract", "field", "household", "before", "after", "changed_by", "changed_at")
    list_select_related = ("contract__unit__building", "household", "changed_by")


@admin.register(RunningCost)
class RunningCostAdmin(ReadOnlyAdmin):
    list_display = ("unit", "period", "electricity", "maintenance", "method", "created_by", "created_at")
    list_select_related = ("unit__building", "created_by")


@admin.register(HouseholdChange)
class HouseholdChangeAdmin(ReadOnlyAdmin):
    """Changes to a household's roster fields (owner, phone, area …), written by the ledger import."""

    list_display = ("household", "unit", "field", "before", "after", "source", "changed_by", "changed_at")
    list_filter = ("source", "field")
    list_select_related = ("household__unit__building", "changed_by")
    search_fields = ("household__room", "household__owner_name", "before", "after")

    @admin.display(description=_("unit"))
    def unit(self, obj):
        return obj.household.unit
