"""One submit = one write on the submit page: Back then Submit, a double click or a second tab
post the form's one-time token again and land on the idea the first post created."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core import formtokens
from ideas.models import Idea
from tests.conftest import need
from tests.factories import CategoryFactory, UserFactory

IDEA = {
    "title": "Standard power cables",
    "description": "One plug for every notebook we sell.",
    "category": "notebooks",
}
_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(client) -> str:
    """The token of a fresh rendering of the submit form."""
    return _TOKEN.search(client.get(reverse("idea-new")).content.decode()).group(1)


def test_each_rendering_of_the_form_carries_a_fresh_token(alice_client, category):
    first, second = form_token(alice_client), form_token(alice_client)
    assert first != second
    assert formtokens.token_clean(first) == first


def test_the_same_form_posted_twice_creates_one_idea_and_lands_on_it(alice_client, category):
    data = {**IDEA, "form_token": form_token(alice_client)}
    first = alice_client.post(reverse("idea-new"), data)
    second = alice_client.post(reverse("idea-new"), data)
    idea = Idea.objects.get()
    assert first.status_code == 302 and first.url == idea.get_absolute_url()
    assert second.status_code == 303 and second.url == reverse("idea-detail", args=[idea.pk])
    assert alice_client.get(second.url, follow=True).status_code == 200


def test_a_second_post_lands_on_the_idea_even_if_the_form_would_now_be_refused(
    alice_client, category
):
    data = {**IDEA, "form_token": form_token(alice_client)}
    alice_client.post(reverse("idea-new"), data)
    again = alice_client.post(reverse("idea-new"), {**data, "category": "gone"})
    assert again.status_code == 303
    assert Idea.objects.count() == 1


def test_another_members_token_creates_their_own_idea(alice_client, category):
    token = form_token(alice_client)
    alice_client.post(reverse("idea-new"), {**IDEA, "form_token": token})
    bob = Client()
    bob.force_login(UserFactory(username="bob"))
    response = bob.post(reverse("idea-new"), {**IDEA, "form_token": token})
    assert response.status_code == 302
    assert sorted(Idea.objects.values_list("author__username", flat=True)) == ["alice", "bob"]


def test_a_post_without_a_token_creates_as_before(alice_client, category):
    for _ in range(2):
        assert alice_client.post(reverse("idea-new"), IDEA).status_code == 302
    assert Idea.objects.count() == 2


def test_a_form_with_errors_leaves_its_token_for_the_corrected_post(alice_client, category):
    token = form_token(alice_client)
    refused = alice_client.post(
        reverse("idea-new"), {**IDEA, "title": "Cables", "form_token": token}
    )
    assert refused.status_code == 400 and not Idea.objects.exists()
    assert alice_client.post(reverse("idea-new"), {**IDEA, "form_token": token}).status_code == 302
    assert alice_client.post(reverse("idea-new"), {**IDEA, "form_token": token}).status_code == 303
    assert Idea.objects.count() == 1


def test_the_form_says_the_limits_and_marks_fields_for_the_counter(alice_client, category):
    html = alice_client.get(reverse("idea-new")).content.decode()
    assert "10 to 120 characters" in html and "20 to 10,000 characters" in html
    assert 'data-counter-for="id_title"' in html and 'data-counter-for="id_description"' in html
    assert re.search(r'<input[^>]*name="title"[^>]*data-counter', html) or re.search(
        r'<input[^>]*data-counter[^>]*name="title"', html
    )
    assert "js/counter" in html and "defer" in html


@pytest.mark.parametrize(
    ("title", "refused"),
    [
        ("Darkmodeeverywhere", True),  # one word: others can't tell what it is
        ("Dark mode everywhere", False),
        ("所有页面都支持深色模式", False),  # written without spaces: no words to count
    ],
)
def test_a_title_needs_two_words_where_words_are_spaced(alice_client, category, title, refused):
    response = alice_client.post(reverse("idea-new"), {**IDEA, "title": title})
    assert response.status_code == (400 if refused else 302)
    assert ("Use at least 2 words" in response.content.decode()) is refused
    assert Idea.objects.filter(title=title).exists() is not refused


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_moment_create_one_idea_and_both_land_on_it():
    need(connection.vendor == "postgresql", "PostgreSQL is not configured (set DATABASE_URL)")
    CategoryFactory(name="Notebooks", slug="notebooks")
    alice = UserFactory(username="alice")
    data = {**IDEA, "form_token": formtokens.token_new()}
    start = threading.Barrier(2)
    responses, errors = [], []

    def post() -> None:
        client = Client()
        client.force_login(alice)
        try:
            start.wait()
            responses.append(client.post(reverse("idea-new"), data))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    idea = Idea.objects.get()
    assert all(r.status_code in (302, 303) for r in responses)
    landed = {r.url.split("#")[0] for r in responses}
    assert landed <= {idea.get_absolute_url(), reverse("idea-detail", args=[idea.pk])}
