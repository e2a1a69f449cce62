from django.contrib import admin

from .models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written by the payments pages only, and never changed."""

    list_display = ("unit", "household", "kind", "amount", "on", "fund", "method", "receipt_no", "recorded_by")
    list_filter = ("kind", "fund", "method")
    list_select_related = ("unit__building__estate", "household", "recorded_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
