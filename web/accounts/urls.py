"""Accounts' pages (sign-up, log-in, settings, profiles) and API (token, me, users)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from web.accounts import api, views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.IdeaStormLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/settings/", views.account_settings, name="account-settings"),
    path("accounts/settings/password/", views.password_change, name="account-password"),
    path("accounts/settings/token/revoke/", views.api_token_revoke, name="account-token-revoke"),
    path("accounts/settings/delete/", views.account_delete, name="account-delete"),
    path("users/<username:username>/", views.profile, name="profile"),
]

api_urlpatterns = [
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("users/me/", api.MeApi.as_view(), name="api-user-me"),
    path("users/me/password/", api.PasswordChangeApi.as_view(), name="api-user-password"),
    path("users/me/delete/", api.AccountDeleteApi.as_view(), name="api-user-delete"),
    # After users/me/: a member called "me" is reached by the profile page only.
    path("users/<username:username>/", api.UserDetailApi.as_view(), name="api-user-detail"),
]
