from django.contrib import admin

from core.models import AuditEntry
from moderation.models import Flag, SpamRule


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


@admin.register(SpamRule)
class SpamRuleAdmin(admin.ModelAdmin):
    """Blocked words and domains: a post matching one is held for review (moderation.holds)."""

    list_display = ["value", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, like the table itself (a PostgreSQL trigger refuses UPDATE and DELETE):
    entries are written by core.audit.audit_record alone."""

    list_display = ["created_at", "actor_name", "action", "target_type", "target_id", "reason"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["actor_name", "target_label", "reason"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
