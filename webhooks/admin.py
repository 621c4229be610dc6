from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from webhooks.models import Delivery, DeliveryAttempt, Event, Webhook
from webhooks.services import SECRET_GRACE, webhook_ping, webhook_secret_rotate
from webhooks.signing import standard_secret

# The webhook's page lists this many of its latest deliveries; the delivery log has them all.
DELIVERIES_SHOWN = 20
DELIVERY_FIELDS = [
    "event",
    "status",
    "attempts",
    "response_code",
    "error",
    "created_at",
    "delivered_at",
    "next_attempt_at",
]


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Checked now and before each delivery: loopback, private, link-local and "
        "other non-public addresses, and this site's own, are refused unless "
        "IDEASTORM_WEBHOOK_ALLOWED_NETWORKS opens them.",
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Webhook
        fields = ["url", "events", "active"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["delivery_link", *DELIVERY_FIELDS]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = f"latest deliveries (up to {DELIVERIES_SHOWN})"

    @admin.display(description="delivery")
    def delivery_link(self, delivery: Delivery) -> str:
        url = reverse("admin:webhooks_delivery_change", args=[delivery.pk])
        return format_html('<a href="{}">#{}</a>', url, delivery.pk)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline):
    """Every attempt at a delivery: when, how long, and what came back."""

    model = DeliveryAttempt
    fields = ["number", "started_at", "duration_ms", "response_code", "error", "response_body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "attempts"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Receivers of board events. Each delivery is signed with the secret shown here."""

    form = WebhookForm
    list_display = ["url", "event_list", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url"]
    actions = ["send_test"]

    @admin.display(description="events")
    def event_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.events)

    @admin.display(description="delivery log")
    def delivery_log(self, webhook: Webhook) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?webhook__id__exact={webhook.pk}"
        return format_html('<a href="{}">All {} deliveries</a>', url, webhook.deliveries.count())

    @admin.display(description="secret for Standard Webhooks libraries")
    def standard_webhooks_secret(self, webhook: Webhook) -> str:
        return standard_secret(webhook.secret)

    @admin.display(description="previous secret valid until")
    def previous_secret_valid_until(self, webhook: Webhook):
        return webhook.previous_secret_expires_at if webhook.previous_secret else None

    # The secret is made on save, so the add form has none to show yet.
    SHOWN_ONCE_SAVED = [
        "secret",
        "standard_webhooks_secret",
        "previous_secret_valid_until",
        "created_at",
        "delivery_log",
    ]

    def get_fields(self, request, obj=None) -> list[str]:
        fields = ["url", "events", "active"]
        return fields if obj is None else [*fields, *self.SHOWN_ONCE_SAVED]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [] if obj is None else self.SHOWN_ONCE_SAVED

    def get_inlines(self, request, obj):
        return [DeliveryInline] if obj is not None and obj.pk else []

    def get_formset_kwargs(self, request, obj, inline, prefix) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, DeliveryInline):
            latest = obj.deliveries.values_list("pk", flat=True)[:DELIVERIES_SHOWN]
            kwargs["queryset"] = Delivery.objects.filter(pk__in=list(latest))
        return kwargs

    def get_urls(self):
        ping = self.admin_site.admin_view(require_POST(self.send_test_view))
        rotate = self.admin_site.admin_view(require_POST(self.rotate_secret_view))
        return [
            path("<int:pk>/send-test/", ping, name="webhooks_webhook_send_test"),
            path("<int:pk>/rotate-secret/", rotate, name="webhooks_webhook_rotate_secret"),
            *super().get_urls(),
        ]

    def rotate_secret_view(self, request, pk: int):
        webhook = get_object_or_404(Webhook, pk=pk)
        if not self.has_change_permission(request, webhook):
            raise PermissionDenied
        webhook = webhook_secret_rotate(webhook=webhook)
        hours = int(SECRET_GRACE.total_seconds() // 3600)
        self.message_user(
            request,
            f"New secret made. Deliveries are signed with the old one too for {hours} hours "
            "(webhook-signature): give the receiver the new secret before then.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:webhooks_webhook_change", args=[pk]))

    def send_test_view(self, request, pk: int):
        webhook = get_object_or_404(Webhook, pk=pk)
        if not self.has_change_permission(request, webhook):
            raise PermissionDenied
        delivery = webhook_ping(webhook=webhook)
        self.message_user(request, f"Test delivery #{delivery.pk} queued to {webhook.url}.")
        return HttpResponseRedirect(reverse("admin:webhooks_webhook_change", args=[pk]))

    @admin.action(description="Send test (a ping delivery)", permissions=["change"])
    def send_test(self, request, queryset) -> None:
        for webhook in queryset:
            webhook_ping(webhook=webhook)
        self.message_user(
            request, f"Test deliveries queued to {queryset.count()} webhook(s).", messages.SUCCESS
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only, written by webhooks.services."""

    list_display = ["id", "webhook", *DELIVERY_FIELDS[:4], "created_at", "delivered_at"]
    list_filter = ["status", "event", "webhook"]
    list_select_related = ["webhook"]
    search_fields = ["event", "webhook__url", "error"]
    date_hierarchy = "created_at"
    fields = ["webhook", *DELIVERY_FIELDS, "payload", "response_body"]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
