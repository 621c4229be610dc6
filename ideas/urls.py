from django.urls import path

from ideas import views
from votes import views as vote_views

urlpatterns = [
    path("", views.idea_list, name="idea-list"),
    path("new/", views.idea_new, name="idea-new"),
    path("similar/", views.idea_similar, name="idea-similar"),
    path("<id:pk>/", views.idea_detail, name="idea-detail"),
    path("<id:pk>/vote/", vote_views.vote, name="idea-vote"),
    path("<id:pk>/edit/", views.idea_edit, name="idea-edit"),
    path("<id:pk>/withdraw/", views.idea_withdraw_view, name="idea-withdraw"),
    path("<id:pk>/status/", views.idea_status, name="idea-status"),
    path("<id:pk>/<slug:slug>/", views.idea_detail, name="idea-detail-slug"),
]
