from django.contrib import admin

from .models import VoteChange


@admin.register(VoteChange)
class VoteChangeAdmin(admin.ModelAdmin):
    """The vote history is read-only: votes change through the product, which records each change."""

    list_display = ("household", "before", "after", "source", "changed_by", "changed_at")
    list_filter = ("source", "after")
    readonly_fields = ("household", "before", "after", "reason", "source", "changed_by", "changed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
