import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from moderation.services import flag_create
from tests.moderation.conftest import make_comment

pytestmark = pytest.mark.django_db


def render(target, user) -> str:
    request = RequestFactory().get("/ideas/1/")
    request.user = user
    template = Template("{% load moderation_tags %}{% flag_button target %}")
    return template.render(Context({"request": request, "target": target})).strip()


def test_a_member_gets_a_flag_button_with_a_reason_choice(alice, bobs_idea):
    html = render(bobs_idea, alice)
    prefix = f"flag-idea-{bobs_idea.pk}"
    assert re.search(r"<button [^>]*>Flag</button>", html)
    # The label shows: in the More menu the select needs it in view.
    assert f'<label class="flag-label" for="{prefix}-reason">Reason</label>' in html
    assert re.search(rf'<select name="reason"[^>]* id="{prefix}-reason"', html)
    assert f'<label class="visually-hidden" for="{prefix}-note">Note</label>' in html
    assert (
        f'action="/ideas/{bobs_idea.pk}/flag/"' in html and 'name="next" value="/ideas/1/"' in html
    )
    for value, label in [("spam", "Spam"), ("abusive", "Abusive"), ("duplicate", "Duplicate"),
                         ("off-topic", "Off-topic"), ("other", "Other")]:  # fmt: skip
        assert f'<option value="{value}">{label}</option>' in html


def test_comment_controls_have_ids_of_their_own(alice, bobs_comment):
    html = render(bobs_comment, alice)
    assert f'id="flag-comment-{bobs_comment.pk}-reason"' in html
    assert f'action="/comments/{bobs_comment.pk}/flag/"' in html


def test_the_author_and_visitors_get_nothing_to_flag(bob, bobs_idea, bobs_comment):
    assert render(bobs_idea, bob) == ""
    assert render(bobs_comment, bob) == ""
    assert render(bobs_idea, AnonymousUser()) == ""


def test_taken_down_content_gets_nothing_to_flag(alice, bob, bobs_idea):
    deleted = make_comment(idea=bobs_idea, author=bob, deleted_at=timezone.now())
    assert render(deleted, alice) == ""
    bobs_idea.withdrawn_at = timezone.now()
    assert render(bobs_idea, alice) == ""


def test_once_flagged_it_says_so(alice, bobs_idea, bobs_comment):
    flag_create(flagger=alice, target=bobs_idea, reason="spam")
    flag_create(flagger=alice, target=bobs_comment, reason="spam")
    for target in (bobs_idea, bobs_comment):
        html = render(target, alice)
        assert "You flagged this" in html and "<form" not in html


def test_a_thread_costs_one_query_for_the_viewer_s_flags(
    alice, bob, bobs_idea, django_assert_num_queries
):
    comments = [make_comment(idea=bobs_idea, author=bob) for _ in range(5)]
    flag_create(flagger=alice, target=comments[2], reason="spam")
    request = RequestFactory().get("/")
    request.user = alice
    template = Template(
        "{% load moderation_tags %}{% for c in comments %}{% flag_button c %}{% endfor %}"
    )
    with django_assert_num_queries(1):
        html = template.render(Context({"request": request, "comments": comments}))
    assert html.count("You flagged this") == 1 and html.count(">Flag</button>") == 4
