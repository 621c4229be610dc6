import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.IDEAS_RATE_LIMITS = False


@pytest.fixture
def api():
    return APIClient()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def as_alice(alice):
    return _client(alice)


@pytest.fixture
def as_bob(bob):
    return _client(bob)


@pytest.fixture
def as_pat(pat):
    return _client(pat)


@pytest.fixture
def as_mo(mo):
    return _client(mo)


def field_errors(response) -> dict:
    """The messages per field of a 400, in the API's error shape or DRF's plain one."""
    body = response.json()
    return body.get("errors", body)
