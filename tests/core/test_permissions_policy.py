"""A Permissions-Policy header on every response (core.middleware): pages, the API, errors,
static files and /healthz alike, refusing features the site never uses."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
REFUSED = ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")


@pytest.mark.parametrize(
    "path",
    ["/", "/ideas/", "/api/ideas/", "/no-such-page/", "/static/css/site.css", "/healthz"],
)
def test_every_response_carries_the_permissions_policy(client, path):
    policy = client.get(path)["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in REFUSED:
        assert features[feature] == "()"


def test_a_page_keeps_a_policy_of_its_own(rf):
    from django.http import HttpResponse

    from core.middleware import PermissionsPolicyMiddleware

    def view(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "camera=(self)"
        return response

    assert PermissionsPolicyMiddleware(view)(rf.get("/"))["Permissions-Policy"] == "camera=(self)"


def test_the_login_page_too(client):
    assert "camera=()" in client.get(reverse("login"))["Permissions-Policy"]
