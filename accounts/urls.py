from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.IdeaStormLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("settings/", views.account_settings, name="account-settings"),
    path("settings/password/", views.password_change, name="account-password"),
    path("settings/delete/", views.account_delete, name="account-delete"),
]
