from django.contrib import admin

from retrofit.admin import register_each

from . import models as works


class AssignmentInline(admin.TabularInline):
    model = works.Assignment
    extra = 1
    # raw id: the unit admin has no search, and a select of every unit would be long.
    raw_id_fields = ("unit",)


@admin.register(works.Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "street", "contact")
    list_filter = ("kind", "street")
    search_fields = ("name",)
    inlines = [AssignmentInline]


class UnitRecordAdmin(admin.ModelAdmin):
    """A works record of one unit: who wrote it and when are shown, not edited (``works.Recorded``'s
    fields by default; the assignments and the log name their own)."""

    list_select_related = ("unit__building__estate",)
    raw_id_fields = ("unit",)
    readonly_fields = ("recorded_by", "recorded_at")


# Each unit record's admin: its columns, and what else differs from UnitRecordAdmin.
UNIT_RECORDS = {
    works.Assignment: {
        "list_display": ("unit", "company", "kind", "assigned_on"),
        "list_filter": ("kind", "company"),
        "list_select_related": ("unit__building__estate", "company"),
        "readonly_fields": (),
    },
    works.ConstructionLogEntry: {
        "list_display": ("unit", "date", "text", "by"),
        "list_select_related": ("unit__building__estate", "by"),
        "readonly_fields": ("by", "created_at"),
    },
    works.Approval: {"list_display": ("unit", "permit_number", "permit_date", "market_notice_date")},
    works.Construction: {
        "list_display": ("unit", "started_on", "completed_on", "meter_boxes", "pipes", "drainage_ditch"),
    },
    works.AcceptanceCheck: {
        "list_display": ("unit", "level", "result", "date", "inspector"),
        "list_filter": ("level", "result"),
    },
    works.Subsidy: {
        "list_display": ("unit", "applied_on", "amount_applied", "approved_on", "amount_approved", "paid_on", "amount"),
    },
    works.Registration: {
        "list_display": ("unit", "number", "registered_on", "user_unit", "leader", "maintenance_company"),
        "raw_id_fields": ("unit", "leader"),
    },
    works.MaintenanceVisit: {"list_display": ("unit", "date", "company")},
    works.Inspection: {"list_display": ("unit", "date", "result", "next_due")},
    works.UtilityCharge: {
        "list_display": ("unit", "household", "period", "kind", "amount", "paid_on"),
        "list_filter": ("kind", "period"),
        "list_select_related": ("unit__building__estate", "household"),
        "raw_id_fields": ("unit", "household"),
        "readonly_fields": ("recorded_by", "recorded_at", "paid_recorded_by"),
    },
}

register_each(UnitRecordAdmin, UNIT_RECORDS)
