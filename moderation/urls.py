from django.urls import path

from moderation import api, views

urlpatterns = [
    path("ideas/<id:pk>/flag/", views.idea_flag, name="idea-flag"),
    path("comments/<id:pk>/flag/", views.comment_flag, name="comment-flag"),
    path("api/ideas/<id:pk>/flags/", api.IdeaFlagsApi.as_view(), name="api-idea-flags"),
    path("api/comments/<id:pk>/flags/", api.CommentFlagsApi.as_view(), name="api-comment-flags"),
]
