"""Storm Sessions' pages and API."""

from django.urls import path

from web.storms import api, views

urlpatterns = [
    path("sessions/", views.storm_list, name="storm-list"),
    path("sessions/new/", views.storm_new, name="storm-new"),
    path("sessions/<slug:slug>/", views.storm_detail, name="storm-detail"),
    path("sessions/<slug:slug>/edit/", views.storm_edit, name="storm-edit"),
]

api_urlpatterns = [
    path("sessions/", api.SessionListApi.as_view(), name="api-session-list"),
    path("sessions/<slug:slug>/", api.SessionDetailApi.as_view(), name="api-session-detail"),
]
