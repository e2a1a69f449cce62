from django.contrib import admin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "unit", "due", "created_at", "seen_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "unit")
