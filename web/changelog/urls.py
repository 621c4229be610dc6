"""The changelog's pages, feed and API."""

from django.urls import path

from web.changelog import api, views
from web.changelog.feeds import feed_urlpatterns

urlpatterns = [
    path("changelog/", views.changelog_list, name="changelog"),
    path("changelog/new/", views.entry_new, name="changelog-new"),
    path("changelog/<int:pk>/", views.entry_detail, name="changelog-entry-bare"),
    path("changelog/<int:pk>/edit/", views.entry_edit, name="changelog-edit"),
    path("changelog/<int:pk>/delete/", views.entry_delete_view, name="changelog-delete"),
    path("changelog/<int:pk>/<slug:slug>/", views.entry_detail, name="changelog-entry"),
    *feed_urlpatterns,
]

api_urlpatterns = [
    path("changelog/", api.ChangelogListApi.as_view(), name="api-changelog-list"),
    path("changelog/<int:pk>/", api.ChangelogEntryApi.as_view(), name="api-changelog-entry"),
]
