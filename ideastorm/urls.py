from urllib.parse import unquote

from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts import api as accounts_api
from accounts import views as accounts_views
from comments import api as comments_api
from core.converters import IdConverter
from core.health import healthz
from ideas import api as ideas_api
from ideas import views as ideas_views
from moderation import api as moderation_api
from notifications import api as notifications_api
from pm import api as pm_api
from storms import api as storms_api
from votes import api as votes_api
from votes import staff_api as votes_staff_api
from votes.tasks import RECONCILE_JOB

register_converter(IdConverter, "id")

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
    "tags": "api-tag-list",
    "sessions": "api-session-list",
    "me": "api-user-me",
    "notifications": "api-notification-list",
    "snapshots": "api-snapshot-latest",
    "export": "api-idea-export",
    "merge_suggestions": "api-merge-suggestions",
    "pm_overview": "api-pm-overview",
    "moderation_queue": "api-moderation-queue",
    "moderation_audit": "api-moderation-audit",
    "stuffing_cases": "api-moderation-stuffing-cases",
    "token": "api-token",
    "schema": "api-schema",
    "docs": "api-docs",
}


api_patterns = [
    path("", api_root, name="api-root"),
    path("auth/token/", accounts_api.TokenApi.as_view(), name="api-token"),
    path("users/me/", accounts_api.MeApi.as_view(), name="api-user-me"),
    path("users/me/password/", accounts_api.PasswordChangeApi.as_view(), name="api-user-password"),
    path("users/me/delete/", accounts_api.AccountDeleteApi.as_view(), name="api-user-delete"),
    # After users/me/: a member called "me" is reached by the profile page only.
    path("users/<str:username>/", accounts_api.UserDetailApi.as_view(), name="api-user-detail"),
    path("ideas/similar/", ideas_api.IdeaSimilarApi.as_view(), name="api-idea-similar"),
    path("ideas/<id:pk>/ranking/", ideas_api.IdeaRankingApi.as_view(), name="api-idea-ranking"),
    path(
        "ideas/<id:pk>/recorded-votes/",
        votes_staff_api.RecordedVoteApi.as_view(),
        name="api-idea-record-vote",
    ),
    path(
        "merges/suggestions/",
        ideas_api.MergeSuggestionListApi.as_view(),
        name="api-merge-suggestions",
    ),
    path(
        "notifications/<id:pk>/read/",
        notifications_api.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
    path("ideas/", ideas_api.IdeaListApi.as_view(), name="api-idea-list"),
    path("ideas/<id:pk>/", ideas_api.IdeaDetailApi.as_view(), name="api-idea-detail"),
    path("ideas/<id:pk>/vote/", votes_api.IdeaVoteApi.as_view(), name="api-idea-vote"),
    path("ideas/export/", pm_api.IdeaExportApi.as_view(), name="api-idea-export"),
    path("ideas/<id:pk>/withdraw/", ideas_api.IdeaWithdrawApi.as_view(), name="api-idea-withdraw"),
    path("ideas/<id:pk>/status/", ideas_api.IdeaStatusApi.as_view(), name="api-idea-status"),
    path("ideas/<id:pk>/merge/", ideas_api.IdeaMergeApi.as_view(), name="api-idea-merge"),
    path("merges/<id:pk>/undo/", ideas_api.MergeUndoApi.as_view(), name="api-merge-undo"),
    path(
        "ideas/<id:pk>/follow/", notifications_api.IdeaFollowApi.as_view(), name="api-idea-follow"
    ),
    path("comments/<id:pk>/", comments_api.CommentDetailApi.as_view(), name="api-comment-detail"),
    path("categories/", ideas_api.CategoryListApi.as_view(), name="api-category-list"),
    path("tags/", ideas_api.TagListApi.as_view(), name="api-tag-list"),
    path(
        "notifications/",
        notifications_api.NotificationListApi.as_view(),
        name="api-notification-list",
    ),
    path(
        "notifications/read/",
        notifications_api.NotificationsReadApi.as_view(),
        name="api-notifications-read",
    ),
    path("sessions/", storms_api.SessionListApi.as_view(), name="api-session-list"),
    path("sessions/<slug:slug>/", storms_api.SessionDetailApi.as_view(), name="api-session-detail"),
    path("snapshots/latest/", pm_api.LatestSnapshotApi.as_view(), name="api-snapshot-latest"),
    path(
        "moderation/queue/",
        moderation_api.ModerationQueueApi.as_view(),
        name="api-moderation-queue",
    ),
    path(
        "moderation/ideas/<id:pk>/hide/",
        moderation_api.IdeaHideApi.as_view(),
        name="api-moderation-idea-hide",
    ),
    path(
        "moderation/ideas/<id:pk>/restore/",
        moderation_api.IdeaRestoreApi.as_view(),
        name="api-moderation-idea-restore",
    ),
    path(
        "moderation/ideas/<id:pk>/dismiss/",
        moderation_api.IdeaDismissApi.as_view(),
        name="api-moderation-idea-dismiss",
    ),
    path(
        "moderation/comments/<id:pk>/hide/",
        moderation_api.CommentHideApi.as_view(),
        name="api-moderation-comment-hide",
    ),
    path(
        "moderation/comments/<id:pk>/restore/",
        moderation_api.CommentRestoreApi.as_view(),
        name="api-moderation-comment-restore",
    ),
    path(
        "moderation/comments/<id:pk>/dismiss/",
        moderation_api.CommentDismissApi.as_view(),
        name="api-moderation-comment-dismiss",
    ),
    path(
        "moderation/users/<str:username>/ban/",
        moderation_api.UserBanApi.as_view(),
        name="api-moderation-ban",
    ),
    path(
        "moderation/users/<str:username>/lift-ban/",
        moderation_api.UserBanLiftApi.as_view(),
        name="api-moderation-ban-lift",
    ),
    path(
        "moderation/bulk/", moderation_api.ModerationBulkApi.as_view(), name="api-moderation-bulk"
    ),
    path(
        "moderation/stuffing-cases/",
        moderation_api.StuffingCaseListApi.as_view(),
        name="api-moderation-stuffing-cases",
    ),
    path(
        "moderation/stuffing-cases/<id:pk>/decide/",
        moderation_api.StuffingCaseDecideApi.as_view(),
        name="api-moderation-stuffing-decide",
    ),
    path("pm/overview/", pm_api.OverviewApi.as_view(), name="api-pm-overview"),
    path("moderation/audit/", moderation_api.AuditListApi.as_view(), name="api-moderation-audit"),
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
    path("", ideas_views.home, name="home"),
    # First of the rest: the API is the busiest prefix (votes), and each page include below
    # with an empty prefix tries every one of its routes before giving up.
    path("api/", include(api_patterns)),
    # Each app routes its own pages and API endpoints; these come before ideas.urls, whose
    # /ideas/<id>/<slug>/ would otherwise take /ideas/<id>/flag/ and the like.
    path("", include("comments.urls")),
    path("", include("notifications.urls")),
    path("", include("moderation.urls")),
    path("pm/", include("pm.urls")),
    path("sessions/", include("storms.urls")),
    path("ideas/", include("ideas.urls")),
    path("accounts/", include("accounts.urls")),
    path("users/<str:username>/", accounts_views.profile, name="profile"),
    path("feeds/", include("ideas.feeds")),
    path("healthz", healthz, {"ranking_job": RECONCILE_JOB}, name="healthz"),
    # The audit log's admin pages moved with the model (moderation -> core); old links still work.
    path("admin/moderation/auditentry/", AUDIT_ADMIN_MOVED, {"rest": ""}),
    path("admin/moderation/auditentry/<path:rest>", AUDIT_ADMIN_MOVED),
    path("admin/", admin.site.urls),
]
