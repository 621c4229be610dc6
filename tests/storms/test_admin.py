import pytest

from storms.models import StormSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def admin_form(**overrides) -> dict:
    data = {
        "title": "Quiet desktops",
        "description": "*Silent* fans please.",
        "starts_at_0": "2030-01-01",
        "starts_at_1": "09:00:00",
        "ends_at_0": "2030-01-15",
        "ends_at_1": "18:00:00",
    }
    return {**data, **overrides}


def test_the_admin_creates_a_session_through_the_service(admin_client, category):
    response = admin_client.post(
        "/admin/storms/stormsession/add/", admin_form(categories=[category.pk])
    )
    assert response.status_code == 302
    session = StormSession.objects.get()
    assert session.slug == "quiet-desktops"
    assert "<em>Silent</em>" in session.description_html
    assert list(session.categories.all()) == [category]
    assert admin_client.get(f"/admin/storms/stormsession/{session.pk}/change/").status_code == 200


def test_the_admin_refuses_an_end_before_the_start(admin_client):
    response = admin_client.post(
        "/admin/storms/stormsession/add/", admin_form(ends_at_0="2029-12-31")
    )
    assert response.status_code == 200
    assert not StormSession.objects.exists()
