"""Votes' pages (the vote widget's form, a product manager's recorded vote) and API."""

from django.urls import path

from web.votes import api, staff_api, views

urlpatterns = [
    path("ideas/<id:pk>/vote/", views.vote, name="idea-vote"),
    path("ideas/<id:pk>/record-vote/", views.idea_record_vote, name="idea-record-vote"),
]

api_urlpatterns = [
    path("ideas/<id:pk>/vote/", api.IdeaVoteApi.as_view(), name="api-idea-vote"),
    path(
        "ideas/<id:pk>/recorded-votes/",
        staff_api.RecordedVoteApi.as_view(),
        name="api-idea-record-vote",
    ),
]
