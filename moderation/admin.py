from django.contrib import admin

from moderation.models import Flag


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Read-only: flags are written by members through moderation.services, and dealt with in
    the moderation queue."""

    list_display = ["id", "reason", "target_label", "flagger", "created_at", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["flagger"]
    search_fields = ["note", "flagger__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["flagger", "idea", "comment"]

    @admin.display(description="target")
    def target_label(self, flag: Flag) -> str:
        return flag.target_label

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
