import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from comments.models import Comment
from tests.factories import IdeaFactory


@pytest.fixture
def bobs_idea(bob):
    return IdeaFactory(author=bob, title="Cheap watches here")


@pytest.fixture
def bobs_comment(bob, bobs_idea):
    return make_comment(idea=bobs_idea, author=bob, body="Buy cheap watches at example.test")


def make_comment(*, idea, author, body: str = "Nice idea", **fields) -> Comment:
    return Comment.objects.create(
        idea=idea, author=author, body=body, body_html=f"<p>{body}</p>", created_at=timezone.now(),
        **fields,
    )  # fmt: skip


@pytest.fixture
def alice_api(alice):
    api = APIClient()
    api.force_authenticate(alice)
    return api
