from django.contrib import admin

from storms.models import StormSession
from storms.services import storm_create, storm_update

SERVICE_FIELDS = ("title", "description", "starts_at", "ends_at", "categories")


@admin.register(StormSession)
class StormSessionAdmin(admin.ModelAdmin):
    """Saves go through storms.services, so the description is rendered, the slug made
    unique and cached pages refreshed, as on /sessions/new/."""

    list_display = ["title", "slug", "starts_at", "ends_at", "opened_at", "closed_at"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter), "starts_at"]
    search_fields = ["title", "slug", "description"]
    date_hierarchy = "starts_at"
    fields = [*SERVICE_FIELDS, "slug", "created_by", "created_at", "opened_at", "closed_at"]
    readonly_fields = ["slug", "created_by", "created_at", "opened_at", "closed_at"]
    filter_horizontal = ["categories"]

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in SERVICE_FIELDS}
        if change:
            saved = storm_update(session=obj, actor=request.user, **data)
        else:
            saved = storm_create(actor=request.user, **data)
        # The admin goes on to log the change and save the categories on `obj`.
        for field in StormSession._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
