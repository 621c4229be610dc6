import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def admin(db):
    return User.objects.create_superuser("root", "root@example.com", "a-long-admin-password")


@pytest.fixture
def admin_client(admin):
    # A client of its own: tests also use `client` and `alice_client` (the same one).
    client = Client()
    client.force_login(admin)
    return client
