from django.contrib import admin

from .models import CommunityContact, HouseholdCode, UnitPublicLink


@admin.register(UnitPublicLink)
class UnitPublicLinkAdmin(admin.ModelAdmin):
    list_display = ("unit", "created_at", "created_by", "revoked_at")
    list_select_related = ("unit__building__estate", "created_by")
    raw_id_fields = ("unit",)
    readonly_fields = ("token", "created_by", "created_at", "revoked_by")


@admin.register(CommunityContact)
class CommunityContactAdmin(admin.ModelAdmin):
    list_display = ("community", "name", "phone", "updated_at")


@admin.register(HouseholdCode)
class HouseholdCodeAdmin(admin.ModelAdmin):
    """Codes are never shown again (only their hash is kept); the admin can see and revoke them."""

    list_display = ("household", "issued_by", "issued_at", "expires_at", "used_at", "last_used_at", "revoked_at")
    list_select_related = ("household__unit__building__estate", "issued_by")
    raw_id_fields = ("household",)
    readonly_fields = ("household", "code_hash", "issued_by", "issued_at", "expires_at", "used_at", "last_used_at")

    def has_add_permission(self, request):
        return False
