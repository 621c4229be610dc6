"""The product manager's pages (dashboard, exports) and API."""

from django.urls import path

from web.pm import api, views

urlpatterns = [
    path("pm/", views.dashboard, name="pm-dashboard"),
    path("pm/export.csv", views.export_csv, name="pm-export-csv"),
    path("pm/export.json", views.export_json, name="pm-export-json"),
    path("pm/export-segments.csv", views.export_segments_csv, name="pm-export-segments-csv"),
]

api_urlpatterns = [
    path("ideas/export/", api.IdeaExportApi.as_view(), name="api-idea-export"),
    path(
        "ideas/export/segments/",
        api.SegmentExportApi.as_view(),
        name="api-idea-export-segments",
    ),
    path("snapshots/latest/", api.LatestSnapshotApi.as_view(), name="api-snapshot-latest"),
    path("pm/overview/", api.OverviewApi.as_view(), name="api-pm-overview"),
]
