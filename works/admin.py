from django.contrib import admin

from .models import (
    AcceptanceCheck,
    Approval,
    Assignment,
    Company,
    Construction,
    ConstructionLogEntry,
    Inspection,
    MaintenanceVisit,
    Registration,
    Subsidy,
    UtilityCharge,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 1
    # raw id: the unit admin has no search, and a select of every unit would be long.
    raw_id_fields = ("unit",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "street", "contact")
    list_filter = ("kind", "street")
    search_fields = ("name",)
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "company", "kind", "assigned_on")
    list_filter = ("kind", "company")
    list_select_related = ("unit__building__estate", "company")
    raw_id_fields = ("unit",)


class UnitRecordAdmin(admin.ModelAdmin):
    list_select_related = ("unit__building__estate",)
    raw_id_fields = ("unit",)
    readonly_fields = ("recorded_by", "recorded_at")


@admin.register(Approval)
class ApprovalAdmin(UnitRecordAdmin):
    list_display = ("unit", "permit_number", "permit_date", "market_notice_date")


@admin.register(Construction)
class ConstructionAdmin(UnitRecordAdmin):
    list_display = ("unit", "started_on", "completed_on", "meter_boxes", "pipes", "drainage_ditch")


@admin.register(ConstructionLogEntry)
class ConstructionLogEntryAdmin(admin.ModelAdmin):
    list_display = ("unit", "date", "text", "by")
    list_select_related = ("unit__building__estate", "by")
    raw_id_fields = ("unit",)
    readonly_fields = ("by", "created_at")


@admin.register(AcceptanceCheck)
class AcceptanceCheckAdmin(UnitRecordAdmin):
    list_display = ("unit", "level", "result", "date", "inspector")
    list_filter = ("level", "result")


@admin.register(Subsidy)
class SubsidyAdmin(UnitRecordAdmin):
    list_display = ("unit", "applied_on", "amount_applied", "approved_on", "amount_approved", "paid_on", "amount")


@admin.register(Registration)
class RegistrationAdmin(UnitRecordAdmin):
    list_display = ("unit", "number", "registered_on", "user_unit", "leader", "maintenance_company")
    raw_id_fields = ("unit", "leader")


@admin.register(MaintenanceVisit)
class MaintenanceVisitAdmin(UnitRecordAdmin):
    list_display = ("unit", "date", "company")


@admin.register(Inspection)
class InspectionAdmin(UnitRecordAdmin):
    list_display = ("unit", "date", "result", "next_due")


@admin.register(UtilityCharge)
class UtilityChargeAdmin(UnitRecordAdmin):
    list_display = ("unit", "household", "period", "kind", "amount", "paid_on")
    list_filter = ("kind", "period")
    list_select_related = ("unit__building__estate", "household")
    raw_id_fields = ("unit", "household")
    readonly_fields = ("recorded_by", "recorded_at", "paid_recorded_by")
