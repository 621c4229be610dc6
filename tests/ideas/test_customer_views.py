import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.ideas import idea_status_set, idea_submit
from ideas.models import Idea, Status
from notifications.models import Notification
from tests.factories import IdeaFactory, UserFactory
from votes.services import vote_cast


def test_member_submits_with_tags_and_they_show_and_filter(alice_client, category):
    response = alice_client.post(
        reverse("idea-new"),
        {
            "title": "Spare battery",
            "description": "Hot-swap it, no restart needed.",
            "category": category.slug,
            "tags": "Battery, mobile, battery",
        },
    )
    idea = Idea.objects.get(title="Spare battery")
    assert response.status_code == 302
    assert sorted(idea.tags.values_list("slug", flat=True)) == ["battery", "mobile"]
    page = alice_client.get(idea.get_absolute_url()).content.decode()
    assert "#Battery" in page
    listed = alice_client.get(reverse("idea-list"), {"tag": "mobile"})
    assert list(listed.context["ideas"]) == [idea]


def test_too_many_tags_is_a_message_at_the_field_and_keeps_the_input(alice_client, category):
    data = {"title": "T", "description": "D", "category": category.slug, "tags": "a,b,c,d,e,f"}
    response = alice_client.post(reverse("idea-new"), data)
    assert response.status_code == 400
    assert "at most 5 tags" in response.content.decode()
    assert 'value="a,b,c,d,e,f"' in response.content.decode()


@pytest.mark.parametrize(("field", "length"), [("title", 121), ("description", 10_001)])
def test_overlong_title_or_description_is_refused_at_the_field(
    alice_client, category, field, length
):
    data = {"title": "T", "description": "D", "category": category.slug, field: "x" * length}
    response = alice_client.post(reverse("idea-new"), data)
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_author_edits_within_the_window(alice_client, alice, category):
    idea = idea_submit(author=alice, title="Typo titel", description="D", category=category)
    better = "Better: the idea explained."
    data = {"title": "Typo title", "description": better, "category": category.slug}
    response = alice_client.post(reverse("idea-edit", args=[idea.pk]), data)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.description) == ("Typo title", better)
    assert response["Location"] == idea.get_absolute_url()  # the new title's slug


def test_edit_closes_after_someone_else_votes(alice_client, alice, bob, category):
    idea = idea_submit(author=alice, title="Mine", description="D", category=category)
    vote_cast(voter=alice, idea=idea, value=1)
    assert alice_client.get(reverse("idea-edit", args=[idea.pk])).status_code == 200
    vote_cast(voter=bob, idea=idea, value=1)
    data = {"title": "Changed", "description": "D", "category": category.slug}
    assert alice_client.post(reverse("idea-edit", args=[idea.pk]), data).status_code == 403
    assert Idea.objects.get(pk=idea.pk).title == "Mine"


def test_edit_closes_after_thirty_minutes(alice_client, alice, category):
    idea = IdeaFactory(author=alice, created_at=timezone.now() - dt.timedelta(minutes=31))
    assert alice_client.get(reverse("idea-edit", args=[idea.pk])).status_code == 403


def test_someone_elses_idea_cannot_be_edited_or_withdrawn(client, bob, category):
    idea = IdeaFactory(title="Alice's")
    client.force_login(bob)
    data = {"title": "Hijacked", "description": "D", "category": category.slug}
    assert client.post(reverse("idea-edit", args=[idea.pk]), data).status_code == 403
    assert client.post(reverse("idea-withdraw", args=[idea.pk])).status_code == 403
    idea.refresh_from_db()
    assert idea.title == "Alice's" and idea.withdrawn_at is None


def test_withdrawn_idea_leaves_lists_search_api_and_its_page(alice_client, alice):
    idea = IdeaFactory(author=alice, title="Withdraw me please")
    response = alice_client.post(reverse("idea-withdraw", args=[idea.pk]))
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    assert idea not in alice_client.get(reverse("idea-list")).context["ideas"]
    assert not alice_client.get(reverse("idea-list"), {"q": "withdraw"}).context["ideas"]
    # Its author still reaches its page (to undo); a visitor gets a 404, as before.
    visitor = Client()
    assert visitor.get(idea.get_absolute_url()).status_code == 404
    assert visitor.get(reverse("api-idea-detail", args=[idea.pk])).status_code == 404
    assert visitor.get(reverse("api-idea-list")).json()["results"] == []


def test_withdraw_needs_login_and_a_get_only_asks_to_confirm(client, db):
    idea = IdeaFactory(title="Quieter fans")
    assert client.post(reverse("idea-withdraw", args=[idea.pk])).status_code == 302
    assert Idea.objects.get(pk=idea.pk).withdrawn_at is None
    client.force_login(idea.author)
    response = client.get(reverse("idea-withdraw", args=[idea.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Withdraw this idea?" in html and "Quieter fans" in html
    assert f'<form method="post" action="/ideas/{idea.pk}/withdraw/"' in html
    assert "Confirm: withdraw idea" in html
    assert Idea.objects.get(pk=idea.pk).withdrawn_at is None
    assert client.put(reverse("idea-withdraw", args=[idea.pk])).status_code == 405


def test_another_member_gets_no_confirmation_page(client, bob):
    idea = IdeaFactory()
    client.force_login(bob)
    assert client.get(reverse("idea-withdraw", args=[idea.pk])).status_code == 403


def test_the_author_lands_on_the_withdrawn_idea_with_an_undo(alice_client, alice):
    idea = IdeaFactory(author=alice, title="Quieter fans", description="Less *noise*.")
    response = alice_client.post(reverse("idea-withdraw", args=[idea.pk]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain == [(idea.get_absolute_url(), 302)]
    assert "You withdrew this idea." in html and "Quieter fans" in html
    assert "<em>noise</em>" in html
    assert f'action="/ideas/{idea.pk}/restore/"' in html and ">Undo</button>" in html
    # No voting, following or commenting on it meanwhile.
    assert "Promote" not in html and "Post comment" not in html


def test_undo_restores_the_idea_as_it_was(alice_client, alice, bob):
    idea = IdeaFactory(author=alice, title="Quieter fans")
    vote_cast(voter=bob, idea=idea, value=1)
    alice_client.post(reverse("idea-withdraw", args=[idea.pk]))
    response = alice_client.post(reverse("idea-restore", args=[idea.pk]))
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.withdrawn_at is None and idea.promotes == 1
    html = alice_client.get(idea.get_absolute_url()).content.decode()
    assert "is back on the board" in html and "You withdrew this idea." not in html
    visitor = Client()
    assert visitor.get(idea.get_absolute_url()).status_code == 200
    assert idea in visitor.get(reverse("idea-list")).context["ideas"]
    assert visitor.get(reverse("idea-list"), {"q": "quieter"}).context["ideas"]


def test_only_the_author_can_undo_and_others_see_no_idea(client, alice, bob):
    idea = IdeaFactory(author=alice, withdrawn_at=timezone.now())
    client.force_login(bob)
    assert client.get(idea.get_absolute_url()).status_code == 404
    assert client.post(reverse("idea-restore", args=[idea.pk])).status_code == 404
    client.logout()
    assert client.get(idea.get_absolute_url()).status_code == 404
    response = client.post(reverse("idea-restore", args=[idea.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Idea.objects.get(pk=idea.pk).withdrawn_at is not None


def test_a_hidden_or_merged_withdrawn_idea_has_no_undo(alice_client, alice):
    now = timezone.now()
    hidden = IdeaFactory(author=alice, withdrawn_at=now, hidden_at=now)
    kept = IdeaFactory()
    merged = IdeaFactory(author=alice, withdrawn_at=now, merged_into=kept)
    for idea in (hidden, merged):
        assert alice_client.post(reverse("idea-restore", args=[idea.pk])).status_code == 404
        assert Idea.objects.get(pk=idea.pk).withdrawn_at is not None
    assert alice_client.get(hidden.get_absolute_url()).status_code == 404


def test_restore_is_post_only(alice_client, alice):
    idea = IdeaFactory(author=alice, withdrawn_at=timezone.now())
    assert alice_client.get(reverse("idea-restore", args=[idea.pk])).status_code == 405


def test_member_filters_mine_voted_and_following(alice_client, alice, bob):
    mine = IdeaFactory(author=alice, title="Mine")
    voted = IdeaFactory(author=bob, title="Voted")
    followed = IdeaFactory(author=bob, title="Followed")
    IdeaFactory(author=bob, title="Other")
    vote_cast(voter=alice, idea=voted, value=1)
    from notifications.services import follow_set

    follow_set(user=alice, idea=followed, following=True)
    follow_set(user=alice, idea=mine, following=False)

    def titles(show):
        response = alice_client.get(reverse("idea-list"), {"show": show, "sort": "new"})
        return {i.title for i in response.context["ideas"]}

    assert titles("mine") == {"Mine"}
    assert titles("voted") == {"Voted"}
    # Voting follows; an explicit unfollow wins over authorship.
    assert titles("following") == {"Voted", "Followed"}


def test_show_filter_is_ignored_for_visitors(client, db):
    IdeaFactory(title="Public")
    response = client.get(reverse("idea-list"), {"show": "mine"})
    assert [i.title for i in response.context["ideas"]] == ["Public"]


@pytest.mark.parametrize("show", ["", "mine", "voted", "following"])
def test_member_list_pages_make_a_constant_number_of_queries(
    alice_client, alice, show, django_assert_max_num_queries
):
    for n in range(15):
        idea = IdeaFactory(author=alice if n % 2 else None)
        vote_cast(voter=alice, idea=idea, value=1)
    with django_assert_max_num_queries(6):
        response = alice_client.get(reverse("idea-list"), {"show": show, "q": "idea"})
    assert len(response.context["ideas"]) >= 7


def test_idea_page_shows_chart_tags_and_similar_ideas(client, alice):
    idea = IdeaFactory(title="Quieter laptop fans")
    IdeaFactory(title="Quieter fans under load")
    vote_cast(voter=alice, idea=idea, value=1)
    body = client.get(idea.get_absolute_url()).content.decode()
    assert '<svg viewBox="0 0 600 160" role="img"' in body
    assert "1 promote" in body
    assert "Similar ideas" in body and "Quieter fans under load" in body


def test_status_form_only_for_product_managers(client, alice, pat):
    idea = IdeaFactory()
    client.force_login(alice)
    assert "Update status" not in client.get(idea.get_absolute_url()).content.decode()
    response = client.post(reverse("idea-status", args=[idea.pk]), {"status": "planned"})
    assert response.status_code == 403
    client.force_login(pat)
    assert "Update status" in client.get(idea.get_absolute_url()).content.decode()


def test_visitor_posting_a_status_goes_to_log_in(client, db):
    idea = IdeaFactory()
    response = client.post(reverse("idea-status", args=[idea.pk]), {"status": "planned"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Idea.objects.get(pk=idea.pk).status == Status.NEW


def test_pm_sets_planned_with_a_response_that_shows_with_history(client, pat, alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    client.force_login(pat)
    response = client.post(
        reverse("idea-status", args=[idea.pk]),
        {"status": "planned", "response": "Coming in **Q3**."},
    )
    assert response.status_code == 302
    body = client.get(idea.get_absolute_url()).content.decode()
    assert "Official response" in body and "<strong>Q3</strong>" in body
    assert "Status history" in body and "New → <strong>Planned</strong>" in body
    # The voter follows the idea, so hears about it.
    note = Notification.objects.get(recipient=alice)
    assert note.kind == Notification.Kind.STATUS and "Planned" in note.message


def test_the_official_response_shows_once_and_the_history_links_to_it(client, pat):
    idea = IdeaFactory()
    client.force_login(pat)
    answer = {"status": "planned", "response": "Coming in **Q3**."}
    client.post(reverse("idea-status", args=[idea.pk]), answer)
    body = client.get(idea.get_absolute_url()).content.decode()
    assert body.count("<strong>Q3</strong>") == 1
    history = body[body.index('class="status-history"') :]
    assert 'href="#official-response"' in history and "Q3" not in history
    assert 'id="official-response"' in body
    # A response that a later one replaced is not shown above: the history keeps it, folded.
    client.post(
        reverse("idea-status", args=[idea.pk]),
        {"status": "in-progress", "response": "Started *now*."},
    )
    body = client.get(idea.get_absolute_url()).content.decode()
    assert body.count("<strong>Q3</strong>") == 1 and body.count("<em>now</em>") == 1
    history = body[body.index('class="status-history"') :]
    assert "Earlier official response" in history and "<strong>Q3</strong>" in history
    assert "<em>now</em>" not in history


def test_declining_without_a_reason_is_refused_at_the_field(client, pat):
    idea = IdeaFactory()
    client.force_login(pat)
    response = client.post(reverse("idea-status", args=[idea.pk]), {"status": "declined"})
    assert response.status_code == 400
    assert "Say why the idea is declined" in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).status == Status.NEW


def test_status_service_refuses_a_no_op_and_does_not_notify_the_actor(pat, alice):
    from django.core.exceptions import ValidationError

    idea = IdeaFactory(author=pat)
    with pytest.raises(ValidationError):
        idea_status_set(idea=idea, actor=pat, status=Status.NEW)
    idea_status_set(idea=idea, actor=pat, status=Status.UNDER_REVIEW)
    assert not Notification.objects.filter(recipient=pat).exists()


def test_followers_who_unfollowed_hear_nothing(pat, alice):
    from notifications.services import follow_set

    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    follow_set(user=alice, idea=idea, following=False)
    idea_status_set(idea=idea, actor=pat, status=Status.PLANNED)
    assert not Notification.objects.filter(recipient=alice).exists()
    assert Notification.objects.filter(recipient=idea.author).exists()


def test_auto_follow_off_means_votes_do_not_follow(pat):
    member = UserFactory(username="quiet", auto_follow=False)
    idea = IdeaFactory()
    vote_cast(voter=member, idea=idea, value=1)
    idea_status_set(idea=idea, actor=pat, status=Status.PLANNED)
    assert not Notification.objects.filter(recipient=member).exists()


@pytest.mark.parametrize(
    "template", ["includes/user_link.html", "includes/when.html", "includes/status_badge.html"]
)
def test_inline_includes_end_without_white_space(template, alice):
    """They sit inside sentences ("by alice, 2 days ago"): a trailing newline put a space
    before the comma."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    html = render_to_string(
        template, {"person": alice, "at": timezone.now(), "status": "new", "label": "New"}
    )
    assert html == html.rstrip()


def test_times_read_just_now_under_a_minute_then_how_long_ago():
    from django.template.loader import render_to_string
    from django.utils import timezone

    now = timezone.now()
    assert ">just now</time>" in render_to_string("includes/when.html", {"at": now})
    three_days = now - dt.timedelta(days=3, minutes=5)
    assert ">3\xa0days ago</time>" in render_to_string("includes/when.html", {"at": three_days})


def test_withdraw_or_undo_posted_twice_lands_on_the_idea_not_a_404(alice_client, alice):
    # A double click, or Back then Confirm: the second post finds the work done.
    idea = IdeaFactory(author=alice, title="Quieter fans")
    withdraw = reverse("idea-withdraw", args=[idea.pk])
    assert alice_client.post(withdraw).status_code == 302
    again = alice_client.post(withdraw)
    assert again.status_code == 302 and again.url == idea.get_absolute_url()
    restore = reverse("idea-restore", args=[idea.pk])
    assert alice_client.post(restore).status_code == 302
    again = alice_client.post(restore)
    assert again.status_code == 302 and again.url == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.withdrawn_at is None
