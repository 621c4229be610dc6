from django.urls import path

from moderation import api, moderator_views, views

urlpatterns = [
    path("ideas/<id:pk>/flag/", views.idea_flag, name="idea-flag"),
    path("comments/<id:pk>/flag/", views.comment_flag, name="comment-flag"),
    path("api/ideas/<id:pk>/flags/", api.IdeaFlagsApi.as_view(), name="api-idea-flags"),
    path("api/comments/<id:pk>/flags/", api.CommentFlagsApi.as_view(), name="api-comment-flags"),
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
    path("moderation/users/<str:username>/ban/", moderator_views.user_ban, name="moderation-ban"),
    path(
        "moderation/users/<str:username>/lift-ban/",
        moderator_views.user_ban_lift,
        name="moderation-ban-lift",
    ),
]
