from django.contrib import admin

from retrofit.admin import ReadOnlyAdmin, ReadOnlyInline, register_each

from .models import ActionItem, ConsultationRound, Contact, Holdout, Meeting, Notice, Objection, VoteChange


@admin.register(VoteChange)
class VoteChangeAdmin(ReadOnlyAdmin):
    """The vote history is read-only: votes change through the product, which records each change."""

    list_display = ("household", "before", "after", "source", "changed_by", "changed_at")
    list_filter = ("source", "after")
    readonly_fields = ("household", "before", "after", "reason", "source", "changed_by", "changed_at")


class ActionItemInline(ReadOnlyInline):
    # Items are added and ticked in the product, which keeps done_at and done_by in step.
    model = ActionItem
    fields = ("text", "owner", "due_on", "done", "done_at")


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = ("objector", "received_on", "content", "resolution", "settled_on", "settled_by")


# The consultation records staff edit here: each one's columns, filters and raw-id fields.
CONSULTATION_ADMINS = {
    ConsultationRound: {
        "list_display": ("unit", "number", "opened_on", "deadline", "status"),
        "list_filter": ("status",),
        "raw_id_fields": ("unit",),
    },
    Contact: {
        "list_display": ("household", "channel", "outcome", "made_by", "contacted_at"),
        "list_filter": ("channel", "outcome"),
        "raw_id_fields": ("household", "round"),
        # The opinion form is served only through the scoped view; the admin shows that it exists.
        "exclude": ("opinion_form_version",),
    },
    Holdout: {
        "list_display": ("household", "reason", "degree", "relief_amount", "updated_at"),
        "list_filter": ("reason", "degree"),
        "raw_id_fields": ("household", "neighbour"),
    },
    Meeting: {
        "list_display": ("held_on", "kind", "street", "community", "place"),
        "list_filter": ("kind", "street"),
        "inlines": [ActionItemInline],
        "filter_horizontal": ("units",),
    },
    Notice: {
        "list_display": ("unit", "draft_signed_on", "starts_on", "days", "status"),
        "list_filter": ("status",),
        "raw_id_fields": ("unit", "round"),
        "inlines": [ObjectionInline],
    },
}

register_each(admin.ModelAdmin, CONSULTATION_ADMINS)
