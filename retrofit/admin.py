from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ExportLog, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "street", "community", "company", "is_active")
    list_filter = ("role", "street", "community", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "display_name", "street", "community", "company")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "display_name", "street", "community", "company")}),
    )


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Who exported what and when: read-only."""

    list_display = ("at", "user", "kind", "format", "scope")
    list_filter = ("kind", "format")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
