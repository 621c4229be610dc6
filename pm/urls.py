from django.urls import path

from pm import views

urlpatterns = [
    path("", views.dashboard, name="pm-dashboard"),
    path("export.csv", views.export_csv, name="pm-export-csv"),
    path("export.json", views.export_json, name="pm-export-json"),
]
