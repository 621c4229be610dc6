import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def pat_client(client, pat):
    client.force_login(pat)
    return client


@pytest.fixture
def as_pat_api(pat):
    api = APIClient()
    api.force_authenticate(pat)
    return api


@pytest.fixture
def segment_voters(db):
    """Two consumers, one small business, one enterprise customer, one without a segment."""
    return {
        "consumer": [UserFactory(segment="consumer"), UserFactory(segment="consumer")],
        "small-business": [UserFactory(segment="small-business")],
        "enterprise": [UserFactory(segment="enterprise")],
        "": [UserFactory(segment="")],
    }
