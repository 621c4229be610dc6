"""The site's URLs: each app's pages and API come from its own URLconf under web/ (pages at
the root, API under /api/); here are only the API's index, its schema and docs, /healthz,
/readyz, /metrics and the admin."""

from urllib.parse import unquote

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.health import healthz, readyz
from core.metrics import metrics_view
from votes.tasks import RECONCILE_JOB
from web.accounts import urls as accounts
from web.board import urls as board
from web.changelog import urls as changelog
from web.comments import urls as comments
from web.ideas import urls as ideas
from web.moderation import urls as moderation
from web.notifications import urls as notifications
from web.pm import urls as pm
from web.storms import urls as storms
from web.votes import urls as votes

# Under /api/ these answer in the API's error shape; elsewhere with the site's pages.
handler400 = "core.api_errors.bad_request"
handler403 = "core.api_errors.permission_denied"
handler404 = "core.api_errors.page_not_found"
handler500 = "core.api_errors.server_error"


@extend_schema(exclude=True)  # an index of links, not an endpoint to document
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    links = {key: reverse(name, request=request) for key, name in API_ROOT_LINKS.items()}
    # A URI template, as GitHub's API root gives: a member's profile by username.
    user = reverse("api-user-detail", kwargs={"username": "{username}"}, request=request)
    return Response({**links, "user": unquote(user)})


# Where a client starts: every collection, then the role-gated reads, then the API itself.
API_ROOT_LINKS = {
    "ideas": "api-idea-list",
    "similar_ideas": "api-idea-similar",
    "categories": "api-category-list",
    "board": "api-board",
    "changelog": "api-changelog-list",
    "tags": "api-tag-list",
    "roadmap": "api-roadmap",
    "sessions": "api-session-list",
    "me": "api-user-me",
    "notifications": "api-notification-list",
    "snapshots": "api-snapshot-latest",
    "export": "api-idea-export",
    "export_segments": "api-idea-export-segments",
    "merge_suggestions": "api-merge-suggestions",
    "pm_overview": "api-pm-overview",
    "moderation_queue": "api-moderation-queue",
    "moderation_audit": "api-moderation-audit",
    "stuffing_cases": "api-moderation-stuffing-cases",
    "token": "api-token",
    "schema": "api-schema",
    "docs": "api-docs",
}


APPS = [accounts, ideas, votes, comments, notifications, moderation, storms, pm, board, changelog]

api_patterns = [
    path("", api_root, name="api-root"),
    *(pattern for app in APPS for pattern in app.api_urlpatterns),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file: no inline script for the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
]

AUDIT_ADMIN_MOVED = RedirectView.as_view(
    url="/admin/core/auditentry/%(rest)s", permanent=True, query_string=True
)

urlpatterns = [
    # First: the API is the busiest prefix (votes).
    path("api/", include(api_patterns)),
    # Every app but ideas before ideas, whose /ideas/<id>/<slug>/ would otherwise take
    # /ideas/<id>/vote/, /ideas/<id>/flag/ and the like.
    *(path("", include(app.urlpatterns)) for app in APPS if app is not ideas),
    path("", include(ideas.urlpatterns)),
    path("healthz", healthz, {"ranking_job": RECONCILE_JOB}, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # The audit log's admin pages moved with the model (moderation -> core); old links still work.
    path("admin/moderation/auditentry/", AUDIT_ADMIN_MOVED, {"rest": ""}),
    path("admin/moderation/auditentry/<path:rest>", AUDIT_ADMIN_MOVED),
    path("admin/", admin.site.urls),
]
