from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class MemberAdmin(UserAdmin):
    """Django's user admin, plus the customer segment (product managers see demand by segment;
    the public ranking ignores it) and whether the account was made for a recorded vote."""

    fieldsets = (
        *UserAdmin.fieldsets,
        ("Customer", {"fields": ("segment", "recorded_customer")}),
    )
    readonly_fields = ("recorded_customer",)
    list_display = (*UserAdmin.list_display, "segment")
    list_filter = (*UserAdmin.list_filter, "segment", "recorded_customer")
