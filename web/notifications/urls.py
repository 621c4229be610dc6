"""Notifications' pages (follow, the list, email preferences from an email's link) and API."""

from django.urls import path

from web.notifications import api, views

urlpatterns = [
    path("ideas/<id:pk>/follow/", views.follow, name="idea-follow"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification-open"),
    path("email/unsubscribe/<str:token>/", views.email_unsubscribe, name="email-unsubscribe"),
]

api_urlpatterns = [
    path("ideas/<id:pk>/follow/", api.IdeaFollowApi.as_view(), name="api-idea-follow"),
    path("notifications/", api.NotificationListApi.as_view(), name="api-notification-list"),
    path(
        "notifications/read/",
        api.NotificationsReadApi.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notifications/<id:pk>/read/",
        api.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
]
