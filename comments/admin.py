"""Comments in the Django admin: to find and read, for the rare case.

Read-only, as ideas are (ideas/admin.py says why): a comment's body is rendered Markdown, its
edits have a window, hiding and holding it are moderation's audited use cases, and posting one
tells followers. The site's pages do those."""

from django.contrib import admin
from django.utils.text import Truncator

from comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "excerpt", "idea", "author", "created_at", "state"]
    list_filter = [
        ("hidden_at", admin.EmptyFieldListFilter),
        ("held_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        ("parent", admin.EmptyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["idea", "author"]
    search_fields = ["body", "author__username", "idea__title"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    fields = [
        "idea",
        "parent",
        "author",
        "body",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "held_at",
    ]
    readonly_fields = fields

    @admin.display(description="comment")
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80)

    @admin.display(description="state")
    def state(self, comment: Comment) -> str:
        states = [
            name
            for name, at in (
                ("deleted", comment.deleted_at),
                ("hidden", comment.hidden_at),
                ("held", comment.held_at),
            )
            if at
        ]
        return ", ".join(states) or "shown"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
