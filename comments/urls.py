from django.urls import path

from comments import api, views

urlpatterns = [
    # Not ideas/<id>/comments/: ideas.urls, included first, reads that as an idea's slug.
    path("ideas/<id:pk>/comments/new/", views.post_comment, name="comment-create"),
    path("comments/<id:pk>/edit/", views.edit_comment, name="comment-edit"),
    path("comments/<id:pk>/delete/", views.delete_comment, name="comment-delete"),
    path("api/ideas/<id:pk>/comments/", api.IdeaCommentsApi.as_view(), name="api-comment-list"),
]
