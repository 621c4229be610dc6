"""The error pages: each status in the site's frame with ways on, the 405 page keeping its Allow
header, the 500 page rendering with nothing but the static files, and the API's JSON shape
untouched under /api/."""

from html import unescape
from unittest import mock

import pytest
from django.template import TemplateDoesNotExist
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.api_errors import bad_request, server_error


def assert_error_page(response, status: int, heading: str) -> None:
    html = unescape(response.content.decode())
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert 'class="error-page"' in html
    assert f"Error {status}" in html
    assert heading in html
    assert 'href="/"' in html and 'action="/ideas/"' in html


@pytest.mark.django_db
def test_an_unknown_address_gets_the_styled_404_page(client):
    response = client.get("/no-such-page/")
    assert_error_page(response, 404, "We couldn't find that page")
    assert 'class="site-header"' in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_gets_the_styled_403_page_with_its_reason(client, alice):
    client.force_login(alice)  # a member, not a product manager
    response = client.get("/pm/")
    assert_error_page(response, 403, "You can't do that")


@pytest.mark.django_db
def test_a_get_on_a_post_only_page_gets_the_styled_405_page_and_keeps_allow(client):
    response = client.get("/accounts/logout/")
    assert_error_page(response, 405, "This address doesn't work that way")
    assert response["Allow"] == "POST, OPTIONS"


@pytest.mark.django_db
def test_a_405_under_the_api_stays_json(alice):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.delete("/api/categories/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_a_405_asked_for_as_json_is_left_alone(client):
    response = client.get("/accounts/logout/", HTTP_ACCEPT="application/json")
    assert response.status_code == 405 and response.content == b""
    assert response["Allow"] == "POST, OPTIONS"


@pytest.mark.django_db
def test_a_bad_request_gets_the_styled_400_page_and_json_under_the_api(rf):
    request = rf.get("/ideas/")
    request.user = mock.Mock(is_authenticated=False, is_banned=False)
    response = bad_request(request, Exception("unreadable"))
    assert_error_page(response, 400, "We couldn't read that request")
    api = bad_request(rf.get("/api/ideas/"), Exception("unreadable"))
    assert api.status_code == 400 and api["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_host_not_allowed_still_gets_a_400_page(client):
    response = client.get("/", HTTP_HOST="evil.test")
    assert_error_page(response, 400, "We couldn't read that request")


def test_a_400_page_that_cannot_render_falls_back_to_plain_html(rf):
    request = rf.get("/ideas/")
    with mock.patch("core.api_errors.render", side_effect=RuntimeError("no database")):
        response = bad_request(request, Exception("unreadable"))
    assert response.status_code == 400
    assert b"<h1>Bad request</h1>" in response.content


@pytest.mark.django_db
def test_a_crash_gets_the_styled_500_page(client):
    client.raise_request_exception = False
    with mock.patch("web.accounts.views.SignupForm", side_effect=RuntimeError("boom")):
        response = client.get("/accounts/signup/")
    assert_error_page(response, 500, "Something went wrong")


def test_the_500_page_needs_no_database():
    # No django_db mark: any query here fails the test.
    response = server_error(RequestFactory().get("/ideas/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and 'href="/static/css/site.' in html
    assert "IdeaStorm" in html


def test_the_500_page_renders_without_the_static_manifest():
    with mock.patch(
        "core.api_errors.staticfiles_storage.url", side_effect=ValueError("no manifest")
    ):
        response = server_error(RequestFactory().get("/ideas/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'href="/static/css/site.css"' in html and "#alert-triangle" not in html


def test_the_500_page_falls_back_to_plain_html_if_its_template_fails():
    with mock.patch("core.api_errors.loader.get_template", side_effect=TemplateDoesNotExist("x")):
        response = server_error(RequestFactory().get("/ideas/"))
    assert response.status_code == 500
    assert b"<h1>Something went wrong</h1>" in response.content


def test_a_crash_under_the_api_is_still_json():
    response = server_error(RequestFactory().get("/api/ideas/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
