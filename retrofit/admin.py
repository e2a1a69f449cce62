from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ExportLog, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the product writes with who and when (histories, ledgers, logs): the admin only reads them.

    Nothing is added or changed here; ``can_delete`` says whether a row may still be deleted.
    """

    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and super().has_delete_permission(request, obj)


class ReadOnlyInline(admin.TabularInline):
    """Rows the product adds and keeps in step with their parent: the admin shows ``fields``, read-only."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


def register_each(admin_class, options_by_model, site=admin.site):
    """Registers each model with ``admin_class`` and its own options (columns, filters, raw ids): one table
    of what differs per model instead of one near-identical ModelAdmin class each."""
    for model, options in options_by_model.items():
        site.register(model, admin_class, **options)


ROLE_AND_SCOPE = (_("Role and scope"), {"fields": ("role", "display_name", "district", "street", "community", "company")})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "district", "street", "community", "company", "is_active")
    list_filter = ("role", "district", "street", "community", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ROLE_AND_SCOPE)
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ROLE_AND_SCOPE)


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """Who exported what and when: read-only."""

    can_delete = True
    list_display = ("at", "user", "kind", "format", "scope")
    list_filter = ("kind", "format")
