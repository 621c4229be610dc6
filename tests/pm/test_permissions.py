import pytest
from django.urls import reverse

from tests.factories import UserFactory

NAMES = ["pm-dashboard", "pm-export-csv", "pm-export-json", "pm-export-segments-csv"]


@pytest.fixture
def users(alice, pat, mo):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    return {"member": alice, "pm": pat, "moderator": mo, "superuser": root}


@pytest.mark.parametrize("name", NAMES)
def test_visitors_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name) + "?status=new")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert response["Location"].endswith(f"?next={reverse(name)}%3Fstatus%3Dnew")


def test_htmx_visitors_are_told_where_to_log_in(client, db):
    response = client.get(reverse("pm-dashboard"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "role, status", [("member", 403), ("moderator", 403), ("pm", 200), ("superuser", 200)]
)
def test_only_product_managers_get_in(client, users, name, role, status):
    client.force_login(users[role])
    assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize("name", NAMES)
def test_only_get(client, pat, name):
    client.force_login(pat)
    assert client.post(reverse(name)).status_code == 405


def test_the_header_links_the_dashboard_for_product_managers(client, alice, pat):
    client.force_login(alice)
    assert 'href="/pm/"' not in client.get("/ideas/").content.decode()
    client.force_login(pat)
    assert '<a href="/pm/">Dashboard</a>' in client.get("/ideas/").content.decode()
    assert '<a href="/pm/" aria-current="page">Dashboard</a>' in client.get("/pm/").content.decode()


def test_the_header_link_costs_no_query(client, pat, django_assert_num_queries):
    """The request's user carries its roles: the link asks nothing more of the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(pat)
    client.get("/ideas/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/ideas/")
    assert not [q for q in queries if "auth_group" in q["sql"] and "EXISTS" not in q["sql"]]
