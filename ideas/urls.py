from django.urls import path

from ideas import views
from votes import views as vote_views

urlpatterns = [
    path("", views.idea_list, name="idea-list"),
    path("new/", views.idea_new, name="idea-new"),
    path("similar/", views.idea_similar, name="idea-similar"),
    path("merges/", views.merge_suggestions, name="merge-suggestions"),
    path("merges/<id:pk>/undo/", views.merge_undo_view, name="merge-undo"),
    path("<id:pk>/", views.idea_detail, name="idea-detail"),
    path("<id:pk>/vote/", vote_views.vote, name="idea-vote"),
    path("<id:pk>/edit/", views.idea_edit, name="idea-edit"),
    path("<id:pk>/withdraw/", views.idea_withdraw_view, name="idea-withdraw"),
    path("<id:pk>/status/", views.idea_status, name="idea-status"),
    path("<id:pk>/merge/", views.idea_merge_view, name="idea-merge"),
    path("<id:pk>/record-vote/", vote_views.idea_record_vote, name="idea-record-vote"),
    path("<id:pk>/<slug:slug>/", views.idea_detail, name="idea-detail-slug"),
]
