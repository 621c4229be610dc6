"""Moderation's pages (flags, the queue, the audit log, bans) and API."""

from django.urls import path

from web.moderation import api, moderator_views, views

urlpatterns = [
    path("ideas/<id:pk>/flag/", views.idea_flag, name="idea-flag"),
    path("comments/<id:pk>/flag/", views.comment_flag, name="comment-flag"),
    path("moderation/", moderator_views.moderation_queue, name="moderation-queue"),
    path("moderation/audit/", moderator_views.audit_log, name="moderation-audit"),
    path("moderation/bulk/", moderator_views.bulk_act, name="moderation-bulk"),
    path(
        "moderation/ideas/<id:pk>/<slug:action>/",
        moderator_views.content_act,
        {"kind": "idea"},
        name="moderation-idea-act",
    ),
    path(
        "moderation/comments/<id:pk>/<slug:action>/",
        moderator_views.content_act,
        {"kind": "comment"},
        name="moderation-comment-act",
    ),
    path(
        "moderation/cases/<id:pk>/decide/",
        moderator_views.case_decide_view,
        name="moderation-case-decide",
    ),
    path(
        "moderation/users/<username:username>/ban/",
        moderator_views.user_ban,
        name="moderation-ban",
    ),
    path(
        "moderation/users/<username:username>/lift-ban/",
        moderator_views.user_ban_lift,
        name="moderation-ban-lift",
    ),
]

api_urlpatterns = [
    path("ideas/<id:pk>/flags/", api.IdeaFlagsApi.as_view(), name="api-idea-flags"),
    path("comments/<id:pk>/flags/", api.CommentFlagsApi.as_view(), name="api-comment-flags"),
    path("moderation/queue/", api.ModerationQueueApi.as_view(), name="api-moderation-queue"),
    path(
        "moderation/ideas/<id:pk>/hide/",
        api.IdeaHideApi.as_view(),
        name="api-moderation-idea-hide",
    ),
    path(
        "moderation/ideas/<id:pk>/restore/",
        api.IdeaRestoreApi.as_view(),
        name="api-moderation-idea-restore",
    ),
    path(
        "moderation/ideas/<id:pk>/dismiss/",
        api.IdeaDismissApi.as_view(),
        name="api-moderation-idea-dismiss",
    ),
    path(
        "moderation/comments/<id:pk>/hide/",
        api.CommentHideApi.as_view(),
        name="api-moderation-comment-hide",
    ),
    path(
        "moderation/comments/<id:pk>/restore/",
        api.CommentRestoreApi.as_view(),
        name="api-moderation-comment-restore",
    ),
    path(
        "moderation/comments/<id:pk>/dismiss/",
        api.CommentDismissApi.as_view(),
        name="api-moderation-comment-dismiss",
    ),
    path(
        "moderation/users/<username:username>/ban/",
        api.UserBanApi.as_view(),
        name="api-moderation-ban",
    ),
    path(
        "moderation/users/<username:username>/lift-ban/",
        api.UserBanLiftApi.as_view(),
        name="api-moderation-ban-lift",
    ),
    path("moderation/bulk/", api.ModerationBulkApi.as_view(), name="api-moderation-bulk"),
    path(
        "moderation/stuffing-cases/",
        api.StuffingCaseListApi.as_view(),
        name="api-moderation-stuffing-cases",
    ),
    path(
        "moderation/stuffing-cases/<id:pk>/decide/",
        api.StuffingCaseDecideApi.as_view(),
        name="api-moderation-stuffing-decide",
    ),
    path("moderation/audit/", api.AuditListApi.as_view(), name="api-moderation-audit"),
]
