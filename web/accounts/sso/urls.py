"""Single sign-on under /accounts/sso/ (included by web.accounts.urls). The names are allauth's,
which its providers reverse. A provider's callback, to register with it, is
/accounts/sso/<id>/login/callback/: oidc, google, microsoft or github."""

from django.urls import path

from web.accounts.sso import oidc, views

urlpatterns = [
    path(
        "accounts/sso/identities/<id:pk>/disconnect/",
        views.identity_disconnect,
        name="sso-disconnect",
    ),
    path("accounts/sso/github/login/", views.github_login, name="github_login"),
    path("accounts/sso/github/login/callback/", views.github_callback, name="github_callback"),
    path("accounts/sso/<slug:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path(
        "accounts/sso/<slug:provider_id>/login/callback/",
        oidc.callback,
        name="openid_connect_callback",
    ),
]
