"""Accounts' pages (sign-up, log-in, settings, profiles) and API (token, me, users)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from web.accounts import api, recovery, sessions, views
from web.accounts.sso import urls as sso

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.IdeaStormLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    # Getting back in by email (web.accounts.recovery): a reset link, or a sign-in link.
    path("accounts/password/reset/", recovery.password_reset, name="password-reset"),
    path(
        "accounts/password/reset/sent/",
        recovery.password_reset_sent,
        name="password-reset-sent",
    ),
    path(
        "accounts/password/reset/done/",
        recovery.password_reset_done,
        name="password-reset-done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        recovery.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("accounts/login/link/", recovery.login_link, name="login-link"),
    path("accounts/login/link/sent/", recovery.login_link_sent, name="login-link-sent"),
    path(
        "accounts/login/link/<str:token>/",
        recovery.login_link_confirm,
        name="login-link-confirm",
    ),
    path("accounts/settings/", views.account_settings, name="account-settings"),
    path("accounts/settings/password/", views.password_change, name="account-password"),
    path("accounts/settings/token/revoke/", views.api_token_revoke, name="account-token-revoke"),
    path("accounts/settings/delete/", views.account_delete, name="account-delete"),
    # Where you're logged in (web.accounts.sessions).
    path(
        "accounts/settings/sessions/<id:pk>/end/",
        sessions.session_end,
        name="account-session-end",
    ),
    path(
        "accounts/settings/sessions/end-others/",
        sessions.sessions_end_others,
        name="account-sessions-end-others",
    ),
    path(
        "accounts/settings/email/send/",
        views.email_verification_resend,
        name="email-verify-send",
    ),
    path("accounts/email/confirm/<str:token>/", views.email_confirm, name="email-confirm"),
    # Single sign-on: the providers' log-in and callback, unlinking (web.accounts.sso).
    *sso.urlpatterns,
    path("users/<username:username>/", views.profile, name="profile"),
]

api_urlpatterns = [
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("users/me/", api.MeApi.as_view(), name="api-user-me"),
    path("users/me/password/", api.PasswordChangeApi.as_view(), name="api-user-password"),
    path("users/me/delete/", api.AccountDeleteApi.as_view(), name="api-user-delete"),
    path(
        "users/me/sessions/",
        sessions.LoginSessionListApi.as_view(),
        name="api-user-session-list",
    ),
    path(
        "users/me/sessions/<id:pk>/",
        sessions.LoginSessionDetailApi.as_view(),
        name="api-user-session-detail",
    ),
    # After users/me/: a member called "me" is reached by the profile page only.
    path("users/<username:username>/", api.UserDetailApi.as_view(), name="api-user-detail"),
]
