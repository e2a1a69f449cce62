from django.contrib import admin

from retrofit.admin import ReadOnlyAdmin

from .models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Read-only: the ledger is written by the payments pages only, and never changed."""

    list_display = ("unit", "household", "kind", "amount", "on", "fund", "method", "receipt_no", "recorded_by")
    list_filter = ("kind", "fund", "method")
    list_select_related = ("unit__building__estate", "household", "recorded_by")
