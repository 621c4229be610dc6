"""Comments' pages (post, edit, delete) and API."""

from django.urls import path

from web.comments import api, views

urlpatterns = [
    # Not ideas/<id>/comments/: that reads as an idea's slug (web.ideas.urls' last pattern).
    path("ideas/<id:pk>/comments/new/", views.post_comment, name="comment-create"),
    path("comments/<id:pk>/edit/", views.edit_comment, name="comment-edit"),
    path("comments/<id:pk>/delete/", views.delete_comment, name="comment-delete"),
]

api_urlpatterns = [
    path("ideas/<id:pk>/comments/", api.IdeaCommentsApi.as_view(), name="api-comment-list"),
    path("comments/<id:pk>/", api.CommentDetailApi.as_view(), name="api-comment-detail"),
]
