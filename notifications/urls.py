from django.urls import path

from notifications import views

urlpatterns = [
    path("ideas/<id:pk>/follow/", views.follow, name="idea-follow"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification-open"),
]
