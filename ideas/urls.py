from django.urls import path

from ideas import views
from votes import views as vote_views

urlpatterns = [
    path("", views.idea_list, name="idea-list"),
    path("new/", views.idea_new, name="idea-new"),
    path("<id:pk>/", views.idea_detail, name="idea-detail"),
    path("<id:pk>/vote/", vote_views.vote, name="idea-vote"),
    path("<id:pk>/<slug:slug>/", views.idea_detail, name="idea-detail-slug"),
]
