from django.urls import path

from storms import views

urlpatterns = [
    path("", views.storm_list, name="storm-list"),
    path("new/", views.storm_new, name="storm-new"),
    path("<slug:slug>/", views.storm_detail, name="storm-detail"),
    path("<slug:slug>/edit/", views.storm_edit, name="storm-edit"),
]
