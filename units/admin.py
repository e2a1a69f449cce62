from django.contrib import admin

from .models import Building, Community, Estate, Household, StageChange, Street, Unit


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("name", "consent_rule", "few_holdouts_max", "notice_days")


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


class HouseholdInline(admin.TabularInline):
    model = Household
    extra = 0
    fields = ("room", "floor", "area", "owner_name", "phone", "occupancy", "hardship", "age_band")


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
    search_fields = ("room", "owner_name", "phone")


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("unit", "before", "after", "changed_by", "changed_at")
    readonly_fields = ("unit", "before", "after", "reason", "changed_by", "changed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
