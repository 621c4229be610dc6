"""Ideas, categories and tags in the Django admin: to find and read, for the rare case.

Read-only on purpose. Every write to these rows has consequences a plain save would skip: an
idea's text is rendered and indexed for search, its status is a StatusChange that tells
followers and webhooks, hiding it is audited, its counters are the votes table's; categories are
managed, audited, at /manage/categories/. Those writes are use cases (actions/) and the pages
that call them, which a domain app's admin may not import. So the admin lists, searches, filters
and shows; the site's own pages change."""

from django.contrib import admin

from ideas.models import Category, Idea, StatusChange, Tag


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ["created_at", "old_status", "new_status", "actor", "response"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "category", "status", "score", "author", "created_at"]
    list_display_links = ["id", "title"]
    list_filter = [
        "status",
        "category",
        ("hidden_at", admin.EmptyFieldListFilter),
        ("held_at", admin.EmptyFieldListFilter),
        ("withdrawn_at", admin.EmptyFieldListFilter),
        ("merged_into", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["category", "author"]
    search_fields = ["title", "description"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    # A board has many ideas: no second COUNT(*) of the whole table under every search.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "category", "tags", "status", "author", "session"]}),
        ("Description (Markdown)", {"fields": ["description"]}),
        ("Official response", {"fields": ["response", "responded_at", "responded_by"]}),
        (
            "Votes and ranking (from the votes table)",
            {"fields": ["score", "promotes", "demotes", "popular_key", "wilson", "trend"]},
        ),
        (
            "Visibility",
            {"fields": ["hidden_at", "held_at", "withdrawn_at", "merged_into"]},
        ),
        ("Dates", {"fields": ["created_at", "updated_at", "last_voted_at"]}),
    ]
    inlines = [StatusChangeInline]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # Everything the page shows (the view-only page shows only these).
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "position", "description"]
    search_fields = ["name", "slug", "description"]
    ordering = ["position", "name"]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
