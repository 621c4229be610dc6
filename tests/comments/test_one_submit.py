"""One submit = one write for comments and replies: the same form posted twice (a double
click, Back then Post) makes one comment, and the second post is answered as the first was.
The idea page's thread is kept in the shared cache for many viewers: its forms' tokens are
filled in per request, never kept."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from core import formtokens
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
_TOKEN = re.compile(r'name="form_token" value="([^"]*)"')


def tokens(html: str) -> list[str]:
    return _TOKEN.findall(html)


def create_url(idea):
    return reverse("comment-create", args=[idea.pk])


def test_a_comment_posted_twice_is_one_comment_and_lands_on_it(alice_client):
    idea = IdeaFactory()
    data = {"body": "Yes please", "form_token": formtokens.token_new()}
    first = alice_client.post(create_url(idea), data)
    second = alice_client.post(create_url(idea), data)
    comment = Comment.objects.get()
    anchor = f"{idea.get_absolute_url()}#comment-{comment.pk}"
    assert (first.status_code, first.url) == (302, anchor)
    assert (second.status_code, second.url) == (303, anchor)


def test_an_htmx_double_post_answers_the_thread_with_the_comment_once(alice_client):
    idea = IdeaFactory()
    data = {"body": "Nice one", "form_token": formtokens.token_new()}
    alice_client.post(create_url(idea), data, headers=HTMX)
    second = alice_client.post(create_url(idea), data, headers=HTMX)
    comment = Comment.objects.get()
    html = second.content.decode()
    assert second.status_code == 200
    assert html.count(f'id="comment-{comment.pk}"') == 1 and "Comments (1)" in html


def test_a_reply_posted_twice_is_one_reply(alice_client, bob):
    idea = IdeaFactory()
    parent = CommentFactory(idea=idea, author=bob)
    data = {"body": "Agreed", "parent": parent.pk, "form_token": formtokens.token_new()}
    alice_client.post(create_url(idea), data, headers=HTMX)
    alice_client.post(create_url(idea), data, headers=HTMX)
    assert Comment.objects.filter(parent=parent).count() == 1


def test_another_members_token_posts_their_own_comment(alice_client):
    idea = IdeaFactory()
    token = formtokens.token_new()
    alice_client.post(create_url(idea), {"body": "Mine", "form_token": token})
    bob = Client()
    bob.force_login(UserFactory(username="bob"))
    assert bob.post(create_url(idea), {"body": "Mine", "form_token": token}).status_code == 302
    assert Comment.objects.count() == 2


def test_a_comment_without_a_token_posts_as_before(alice_client):
    idea = IdeaFactory()
    for _ in range(2):
        alice_client.post(create_url(idea), {"body": "Again"})
    assert Comment.objects.count() == 2


def test_a_one_character_comment_is_refused_with_a_message(alice_client):
    idea = IdeaFactory()
    response = alice_client.post(create_url(idea), {"body": "k"})
    assert response.status_code == 400
    assert "at least 2 characters" in response.content.decode()
    assert alice_client.post(create_url(idea), {"body": "+1"}).status_code == 302


def test_the_idea_page_gives_each_form_and_each_view_a_fresh_token(alice_client, bob):
    idea = IdeaFactory()
    CommentFactory(idea=idea, author=bob)
    pages = [alice_client.get(idea.get_absolute_url()).content.decode() for _ in range(2)]
    bob_client = Client()
    bob_client.force_login(bob)
    pages.append(bob_client.get(idea.get_absolute_url()).content.decode())
    found = [token for page in pages for token in tokens(page)]
    assert len(found) == 6  # the new-comment form and one reply form, on each of three views
    assert len(set(found)) == 6 and all(formtokens.token_clean(t) for t in found)
    assert all(formtokens.TOKEN_MARK not in page for page in pages)


def test_the_htmx_thread_gives_fresh_tokens_too(alice_client):
    idea = IdeaFactory()
    first = alice_client.post(create_url(idea), {"body": "One"}, headers=HTMX).content.decode()
    again = alice_client.post(create_url(idea), {"body": "Two"}, headers=HTMX).content.decode()
    assert tokens(first) and tokens(again)
    assert not set(tokens(first)) & set(tokens(again))
    assert formtokens.TOKEN_MARK not in first + again
