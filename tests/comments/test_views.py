import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import EDIT_WINDOW_MINUTES, Comment
from tests.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def create_url(idea):
    return reverse("comment-create", args=[idea.pk])


def edit_url(comment):
    return reverse("comment-edit", args=[comment.pk])


def delete_url(comment):
    return reverse("comment-delete", args=[comment.pk])


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


# Posting


def test_plain_post_comments_and_redirects_to_the_comment(alice_client, alice):
    idea = IdeaFactory()
    response = alice_client.post(create_url(idea), {"body": "Yes **please**"})
    comment = Comment.objects.get()
    assert comment.author == alice and comment.idea == idea
    assert response.status_code == 302
    assert response.url == f"{idea.get_absolute_url()}#comment-{comment.pk}"
    page = alice_client.get(response.url).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert "Yes <strong>please</strong>" in page
    assert "Comments (1)" in page


def test_htmx_post_returns_the_thread_with_the_new_comment_focused(alice_client):
    idea = IdeaFactory()
    response = alice_client.post(create_url(idea), {"body": "Nice"}, headers=HTMX)
    html = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="comments"')
    assert f'id="comment-{comment.pk}"' in html and "autofocus" in html
    assert "Comments (1)" in html


def test_a_reply_is_posted_under_its_comment(alice_client, bob):
    top = CommentFactory(author=bob)
    response = alice_client.post(
        create_url(top.idea), {"body": "Agreed", "parent": top.pk}, headers=HTMX
    )
    reply = Comment.objects.get(parent=top)
    html = response.content.decode()
    assert html.index(f'id="comment-{top.pk}"') < html.index(f'id="comment-{reply.pk}"')
    assert 'class="comment-replies"' in html


def test_visitor_post_is_sent_to_log_in_and_back_to_the_comments(client):
    idea = IdeaFactory()
    response = client.post(create_url(idea), {"body": "Hi"})
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={idea.get_absolute_url()}%23comments"
    assert not Comment.objects.exists()


def test_visitor_htmx_post_gets_an_hx_redirect_to_log_in(client):
    idea = IdeaFactory()
    response = client.post(create_url(idea), {"body": "Hi"}, headers=HTMX)
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_an_empty_comment_gets_a_400_page_with_the_message_at_the_field(alice_client):
    idea = IdeaFactory()
    response = alice_client.post(create_url(idea), {"body": "   "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Write something first." in html
    assert '<label for="comment-body">Comment</label>' in html
    assert 'aria-invalid="true"' in html
    assert "Post comment" in html
    assert not Comment.objects.exists()


def test_a_too_long_comment_keeps_the_typed_text(alice_client):
    idea = IdeaFactory()
    body = "typed " * 1000
    response = alice_client.post(create_url(idea), {"body": body})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Keep it under 5000 characters" in html
    assert body.strip() in html


def test_a_bad_reply_shows_the_reply_form_with_its_message(alice_client):
    top = CommentFactory()
    response = alice_client.post(create_url(top.idea), {"body": "", "parent": top.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<label for="reply-body">Reply</label>' in html and "Post reply" in html


def test_an_htmx_error_comes_back_in_the_thread_with_the_text_kept(alice_client):
    top = CommentFactory()
    response = alice_client.post(
        create_url(top.idea), {"body": "x" * 5001, "parent": top.pk}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful responses
    assert "Keep it under 5000 characters" in html
    assert '<details class="comment-reply" open>' in html
    assert "x" * 5001 in html


def test_a_reply_to_another_ideas_comment_is_refused(alice_client):
    other = CommentFactory()
    response = alice_client.post(create_url(IdeaFactory()), {"body": "Hi", "parent": other.pk})
    assert response.status_code == 400
    assert "That comment is on another idea." in response.content.decode()


def test_a_withdrawn_idea_is_gone_for_commenting_too(alice_client):
    idea = IdeaFactory(withdrawn_at=timezone.now())
    assert alice_client.post(create_url(idea), {"body": "Hi"}).status_code == 404
    assert not idea.comments.exists()


def test_commenting_on_a_missing_idea_is_404(alice_client):
    assert alice_client.post("/ideas/999999/comments/new/", {"body": "Hi"}).status_code == 404


def test_get_on_the_post_endpoint_is_405(alice_client):
    assert alice_client.get(create_url(IdeaFactory())).status_code == 405


# Editing


def test_the_author_gets_the_edit_form_and_saves(alice_client, alice):
    comment = CommentFactory(author=alice, body="Frist")
    page = alice_client.get(edit_url(comment))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Save comment" in html and "Frist</textarea>" in html
    response = alice_client.post(edit_url(comment), {"body": "First"})
    assert response.url == f"{comment.idea.get_absolute_url()}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "First" and comment.edited_at is not None


def test_htmx_edit_gets_the_form_fragment_then_the_thread(alice_client, alice):
    comment = CommentFactory(author=alice, body="Frist")
    form = alice_client.get(edit_url(comment), headers=HTMX).content.decode()
    assert form.lstrip().startswith('<form class="comment-form"')
    assert 'hx-target="this"' in form
    response = alice_client.post(edit_url(comment), {"body": "First"}, headers=HTMX)
    assert response["HX-Retarget"] == "#comments"
    assert "(edited)" in response.content.decode()


def test_an_empty_edit_keeps_the_form_with_the_message(alice_client, alice):
    comment = CommentFactory(author=alice, body="Keep me")
    response = alice_client.post(edit_url(comment), {"body": ""})
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    htmx = alice_client.post(edit_url(comment), {"body": ""}, headers=HTMX)
    assert htmx.status_code == 200 and "Write something first." in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Keep me"


def test_another_member_may_not_edit(bob_client, alice):
    comment = CommentFactory(author=alice, body="Mine")
    assert bob_client.get(edit_url(comment)).status_code == 403
    assert bob_client.post(edit_url(comment), {"body": "Yours"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_editing_after_the_window_is_403_with_the_reason(alice_client, alice):
    posted = timezone.now() - dt.timedelta(minutes=EDIT_WINDOW_MINUTES + 1)
    comment = CommentFactory(author=alice, created_at=posted)
    response = alice_client.post(edit_url(comment), {"body": "Late"})
    assert response.status_code == 403
    assert "can no longer be edited" in response.content.decode()


def test_visitor_edit_is_sent_to_log_in(client):
    comment = CommentFactory()
    response = client.get(edit_url(comment))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")


def test_edit_by_put_is_405(alice_client, alice):
    assert alice_client.put(edit_url(CommentFactory(author=alice))).status_code == 405


# Deleting


def test_the_author_deletes_and_the_thread_says_so_with_replies_kept(alice_client, alice):
    comment = CommentFactory(author=alice, body="Regret")
    reply = CommentFactory(idea=comment.idea, parent=comment, body="A reply")
    response = alice_client.post(delete_url(comment))
    assert response.url == f"{comment.idea.get_absolute_url()}#comment-{comment.pk}"
    html = alice_client.get(response.url).content.decode()
    assert "Comment deleted" in html and "Regret" not in html
    assert f'id="comment-{reply.pk}"' in html and "A reply" in html
    assert "Comments (1)" in html


def test_htmx_delete_returns_the_thread(alice_client, alice):
    comment = CommentFactory(author=alice)
    response = alice_client.post(delete_url(comment), headers=HTMX)
    assert "Comment deleted" in response.content.decode()


def test_another_member_may_not_delete(bob_client, alice):
    comment = CommentFactory(author=alice)
    assert bob_client.post(delete_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_visitor_delete_is_sent_to_log_in(client):
    comment = CommentFactory()
    response = client.post(delete_url(comment))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_delete_by_get_is_405(alice_client, alice):
    assert alice_client.get(delete_url(CommentFactory(author=alice))).status_code == 405


# The thread on the idea page


def test_a_visitor_sees_the_thread_and_a_form_that_asks_to_log_in_first(client):
    comment = CommentFactory(body="Hello *all*")
    html = client.get(comment.idea.get_absolute_url()).content.decode()
    assert "Hello <em>all</em>" in html
    # Post comment keeps the text and sends them to log in (tests/accounts/test_pending_action.py).
    assert '<label for="comment-body">Comment</label>' in html and "Post comment" in html
    assert "log in or sign up first" in html
    assert "Post reply" not in html and "Delete comment" not in html


def test_a_member_sees_the_form_and_only_their_own_actions(alice_client, alice, bob):
    idea = IdeaFactory()
    mine = CommentFactory(idea=idea, author=alice)
    CommentFactory(idea=idea, author=bob)
    html = alice_client.get(idea.get_absolute_url()).content.decode()
    assert '<label for="comment-body">Comment</label>' in html
    assert "Post comment" in html and "Post reply" in html
    assert html.count("Delete comment") == 1 and html.count("Edit comment") == 1
    assert reverse("comment-edit", args=[mine.pk]) in html
    assert f'href="/users/{alice.username}/"' in html


def test_no_edit_link_after_the_window(alice_client, alice):
    posted = timezone.now() - dt.timedelta(minutes=EDIT_WINDOW_MINUTES + 1)
    comment = CommentFactory(author=alice, created_at=posted)
    html = alice_client.get(comment.idea.get_absolute_url()).content.decode()
    assert "Edit comment" not in html and "Delete comment" in html


def test_the_idea_page_query_count_does_not_grow_with_comments(
    client, bob, django_assert_max_num_queries
):
    client.force_login(bob)
    few, many = IdeaFactory(), IdeaFactory()
    CommentFactory(idea=few)
    for top in CommentFactory.create_batch(5, idea=many):
        CommentFactory(idea=many, parent=top)
    # Warm up: sessions, content types, and the caches the idea page keeps per idea.
    client.get(few.get_absolute_url())
    client.get(many.get_absolute_url())
    with django_assert_max_num_queries(100) as one:
        assert client.get(few.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(many.get_absolute_url()).content.decode()
    assert "Comments (10)" in html
