"""The moderation queue and the moderators' controls: who may see and use them, what they
show, the actions without JavaScript and with htmx, bulk actions, vote-stuffing decisions,
bans from a profile, and hidden content leaving every public surface."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from actions.moderation import content_hide
from comments.models import Comment
from core.models import AuditEntry
from ideas.models import Idea
from moderation.models import Ban, Flag, StuffingCase
from notifications.models import Notification
from notifications.services import follow_set
from tests.factories import IdeaFactory, UserFactory
from tests.moderation.conftest import make_comment
from votes.models import Vote
from votes.services import vote_cast, votes_quarantine_set

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
QUEUE = reverse("moderation-queue")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def flag(target, *, by, reason: str = "spam", note: str = "") -> Flag:
    kind = "idea" if isinstance(target, Idea) else "comment"
    return Flag.objects.create(
        flagger=by, reason=reason, note=note, created_at=timezone.now(), **{kind: target}
    )


def act_url(target, action: str) -> str:
    kind = "idea" if isinstance(target, Idea) else "comment"
    return reverse(f"moderation-{kind}-act", args=[target.pk, action])


@pytest.fixture
def mo_client(client, mo):
    client.force_login(mo)
    return client


@pytest.fixture
def case(bob):
    """An open burst case on bob's idea: 5 promotes from fresh accounts, quarantined."""
    idea = IdeaFactory(author=bob, title="Free laptops")
    accounts = [UserFactory(username=f"sock{i}") for i in range(5)]
    for account in accounts:
        vote_cast(voter=account, idea=idea, value=1, network="203.0.113.0/24")
    case = StuffingCase.objects.create(
        rule=StuffingCase.Rule.BURST,
        network="203.0.113.0/24",
        idea=idea,
        evidence={"votes": 5, "accounts": 5, "why": "new accounts, minutes apart"},
        fingerprint="test-case",
        detected_at=timezone.now(),
    )
    case.accounts.add(*accounts)
    votes_quarantine_set(
        vote_ids=list(Vote.objects.filter(idea=idea).values_list("pk", flat=True)),
        case_id=case.pk,
    )
    return case


def score(idea) -> int:
    return Idea.objects.get(pk=idea.pk).score


# Who may use what


def every_url(idea, comment, case, person) -> list[tuple[str, str]]:
    return [
        ("get", QUEUE),
        ("get", reverse("moderation-audit")),
        ("post", reverse("moderation-bulk")),
        ("post", act_url(idea, "hide")),
        ("post", act_url(comment, "restore")),
        ("post", act_url(comment, "dismiss")),
        ("post", reverse("moderation-case-decide", args=[case.pk])),
        ("post", reverse("moderation-ban", args=[person.username])),
        ("post", reverse("moderation-ban-lift", args=[person.username])),
    ]


def test_visitors_are_sent_to_log_in_everywhere(client, bobs_idea, bobs_comment, case, bob):
    for method, url in every_url(bobs_idea, bobs_comment, case, bob):
        response = getattr(client, method)(url, {"reason": "x"})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    assert Idea.objects.get(pk=bobs_idea.pk).hidden_at is None


@pytest.mark.parametrize("who", ["alice", "pat"])
def test_members_and_product_managers_are_refused(
    request, client, who, bobs_idea, bobs_comment, case, bob
):
    client.force_login(request.getfixturevalue(who))
    for method, url in every_url(bobs_idea, bobs_comment, case, bob):
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 403, url
    assert Idea.objects.get(pk=bobs_idea.pk).hidden_at is None
    assert not AuditEntry.objects.exclude(action__endswith="detected").exists()


def test_htmx_visitor_is_redirected_by_header(client, bobs_idea):
    response = client.post(act_url(bobs_idea, "hide"), headers=HTMX)
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))


def test_wrong_methods_get_405(mo_client, bobs_idea, bobs_comment, case, bob):
    for method, url in every_url(bobs_idea, bobs_comment, case, bob):
        other = "post" if method == "get" else "get"
        assert getattr(mo_client, other)(url).status_code == 405, url


def test_an_unknown_action_or_target_is_404(mo_client, bobs_idea):
    assert mo_client.post(act_url(bobs_idea, "delete")).status_code == 404
    assert mo_client.post(reverse("moderation-idea-act", args=[999999, "hide"])).status_code == 404
    assert mo_client.post(reverse("moderation-ban", args=["nobody"])).status_code == 404


# The queue


def test_flagged_tab_shows_each_item_with_its_flags(mo_client, alice, bob, bobs_idea, bobs_comment):
    flag(bobs_idea, by=alice, reason="spam", note="Selling watches")
    flag(bobs_idea, by=UserFactory(username="carol"), reason="abusive")
    flag(bobs_comment, by=alice, reason="off-topic")
    response = mo_client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    items = response.context["items"]
    assert [(i.kind, i.target.pk, len(i.open_flags)) for i in items] == [
        ("comment", bobs_comment.pk, 1),
        ("idea", bobs_idea.pk, 2),
    ]
    assert "2 open flags" in html and "Abusive, Spam" in html
    assert "Selling watches" in html and ">carol<" in html
    assert "Please build this." in html  # the excerpt, as plain text
    assert f'href="{bobs_idea.get_absolute_url()}"' in html
    assert f'href="{bobs_idea.get_absolute_url()}#comment-{bobs_comment.pk}"' in html
    for name in ("Hide", "Dismiss flags", "Apply to selected"):
        assert f">{name}</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'value="idea:{bobs_idea.pk}" form="bulk-form"' in html


SELECT_ALL = """
<div class="mod-select-all" hidden>
  <input type="checkbox" class="mod-select" id="select-all" data-select-all="bulk-form">
  <label for="select-all">Select all on this page</label>
</div>"""
SELECT_ALL_SCRIPT = '<script src="/static/js/select-all.js" defer></script>'


def test_select_all_is_rendered_hidden_for_its_script_to_show(mo_client, alice, bobs_idea):
    flag(bobs_idea, by=alice)
    response = mo_client.get(QUEUE)
    assertInHTML(SELECT_ALL, response.content.decode(), count=1)
    assertInHTML(SELECT_ALL_SCRIPT, response.content.decode(), count=1)
    # Nothing to select, nothing to offer.
    html = mo_client.get(QUEUE, {"tab": "hidden"}).content.decode()
    assert 'id="select-all"' not in html and 'id="bulk-form"' not in html


def test_most_flagged_first(mo_client, alice, bob, bobs_idea, bobs_comment):
    flag(bobs_idea, by=alice)
    flag(bobs_idea, by=UserFactory())
    flag(bobs_comment, by=alice)
    newest = mo_client.get(QUEUE, {"sort": "newest"}).context["items"]
    most = mo_client.get(QUEUE, {"sort": "flags"}).context["items"]
    assert [i.kind for i in newest] == ["comment", "idea"]
    assert [i.kind for i in most] == ["idea", "comment"]


def test_resolved_flags_leave_the_flagged_tab(mo_client, alice, bobs_idea):
    Flag.objects.create(
        flagger=alice, idea=bobs_idea, reason="spam", created_at=timezone.now(),
        resolved_at=timezone.now(),
    )  # fmt: skip
    assert mo_client.get(QUEUE).context["items"] == []


def test_held_and_hidden_tabs(mo_client, mo, bob, bobs_idea, bobs_comment):
    held = IdeaFactory(author=bob, title="Waiting idea", held_at=timezone.now())
    held_comment = make_comment(idea=bobs_idea, author=bob, held_at=timezone.now())
    content_hide(moderator=mo, target=bobs_comment, reason="Rude")
    response = mo_client.get(QUEUE, {"tab": "held"})
    assert {(i.kind, i.target.pk) for i in response.context["items"]} == {
        ("idea", held.pk),
        ("comment", held_comment.pk),
    }
    html = response.content.decode()
    assert "Waiting for review" in html and ">Restore</button>" in html
    response = mo_client.get(QUEUE, {"tab": "hidden"})
    assert [(i.kind, i.target.pk) for i in response.context["items"]] == [
        ("comment", bobs_comment.pk)
    ]
    assert "Hidden by a moderator" in response.content.decode()
    assert [(t, c) for t, _, c in response.context["tabs"]] == [
        ("flagged", 0),
        ("held", 2),
        ("hidden", 1),
        ("stuffing", 0),
    ]


def test_a_bad_tab_or_sort_falls_back(mo_client):
    response = mo_client.get(QUEUE, {"tab": "nope", "sort": "nope", "page": "x"})
    assert response.status_code == 200
    assert (response.context["tab"], response.context["sort"]) == ("flagged", "newest")


@pytest.mark.parametrize("n", [1, 10])
def test_queue_query_count_is_constant(mo_client, django_assert_max_num_queries, alice, bob, n):
    for i in range(n):
        idea = IdeaFactory(author=bob, title=f"Flagged idea {i}")
        comment = make_comment(idea=idea, author=bob)
        flag(idea, by=alice, note="note")
        flag(comment, by=alice)
        flag(comment, by=UserFactory())
    # Session, user, groups, the tab's rows and count, its ideas and comments with their
    # flags, the other tabs' counts, the unread notifications.
    with django_assert_max_num_queries(13):
        response = mo_client.get(QUEUE)
    assert len(response.context["items"]) == 2 * n


@pytest.mark.parametrize("n", [1, 10])
def test_stuffing_tab_query_count_is_constant(mo_client, django_assert_max_num_queries, n):
    for i in range(n):
        case = StuffingCase.objects.create(
            rule="ring", network=f"net{i}", evidence={"ideas": [1, 2]}, fingerprint=f"f{i}",
            detected_at=timezone.now(),
        )  # fmt: skip
        case.accounts.add(UserFactory(), UserFactory())
    with django_assert_max_num_queries(11):
        response = mo_client.get(QUEUE, {"tab": "stuffing"})
    assert len(response.context["items"]) == n


# Acting from the queue


def test_hide_without_javascript_redirects_back_with_a_message(mo_client, alice, bobs_idea):
    flag(bobs_idea, by=alice)
    response = mo_client.post(
        act_url(bobs_idea, "hide"), {"reason": "Advert", "next": f"{QUEUE}?tab=flagged"}
    )
    assert response.status_code == 302 and response.url == f"{QUEUE}?tab=flagged"
    assert messages_of(response) == ["Hidden."]
    assert Idea.objects.get(pk=bobs_idea.pk).hidden_at is not None
    assert mo_client.get(QUEUE).context["items"] == []


def test_hide_with_htmx_swaps_the_item_in_place(mo_client, alice, bobs_comment):
    flag(bobs_comment, by=alice)
    response = mo_client.post(act_url(bobs_comment, "hide"), {"reason": "Rude"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(
        f'<article class="mod-item mod-item-hidden" id="mod-comment-{bobs_comment.pk}"'
    )
    assert "Hidden." in html and "Hidden by a moderator" in html
    assert ">Restore</button>" in html and ">Hide</button>" not in html
    assert not messages_of(response)


def test_an_htmx_action_also_updates_the_tab_counts_keeping_the_pages_tab_and_sort(
    mo_client, alice, bobs_comment
):
    import re

    flag(bobs_comment, by=alice)
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{QUEUE}?tab=flagged&sort=flags"}
    response = mo_client.post(act_url(bobs_comment, "hide"), {"reason": "Rude"}, headers=headers)
    html = response.content.decode()
    tabs = html[html.index('<nav class="mod-tabs" id="mod-tabs"') :]
    assert 'hx-swap-oob="true"' in tabs[: tabs.index(">")]
    counts = dict(re.findall(r'\?tab=(\w+)[^>]*>[^<]*<span class="mod-count">(\d+)<', tabs))
    assert (counts["flagged"], counts["hidden"]) == ("0", "1")
    assert 'href="?tab=flagged&amp;sort=flags" aria-current="page"' in tabs


def test_a_refusal_with_htmx_shows_the_error_in_the_item(mo_client, bobs_idea):
    response = mo_client.post(act_url(bobs_idea, "restore"), headers=HTMX)
    assert response.status_code == 400
    assert "neither hidden nor waiting for review" in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_a_refusal_without_javascript_is_a_message(mo_client, bobs_idea):
    response = mo_client.post(act_url(bobs_idea, "hide"), {"reason": ""})
    assert response.status_code == 302 and response.url == bobs_idea.get_absolute_url()
    assert messages_of(response) == ["Say why you are hiding it."]


def test_next_never_leaves_the_site(mo_client, bobs_comment):
    response = mo_client.post(
        act_url(bobs_comment, "hide"), {"reason": "Rude", "next": "https://evil.test/"}
    )
    assert response.url == f"{bobs_comment.idea.get_absolute_url()}#comment-{bobs_comment.pk}"


def test_restore_and_dismiss_from_the_queue(mo_client, mo, alice, bobs_idea, bobs_comment):
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    flag(bobs_comment, by=alice)
    mo_client.post(act_url(bobs_idea, "restore"), {"reason": "Fine"})
    mo_client.post(act_url(bobs_comment, "dismiss"))
    assert Idea.objects.visible().filter(pk=bobs_idea.pk).exists()
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert Comment.objects.get(pk=bobs_comment.pk).hidden_at is None


def test_approving_a_held_comment_tells_the_followers(mo_client, alice, bob, bobs_idea):
    follow_set(user=alice, idea=bobs_idea, following=True)
    held = make_comment(idea=bobs_idea, author=bob, held_at=timezone.now())
    mo_client.post(act_url(held, "restore"))
    notification = Notification.objects.get(recipient=alice)
    assert notification.comment == held and "bob commented" in notification.message


def test_bulk_hide_applies_to_the_selected_and_reports_the_skipped(
    mo_client, mo, bob, bobs_idea, bobs_comment
):
    other = IdeaFactory(author=bob, title="Already gone")
    content_hide(moderator=mo, target=other, reason="Advert")
    response = mo_client.post(
        reverse("moderation-bulk"),
        {
            "action": "hide",
            "reason": "Spam wave",
            "targets": [f"idea:{bobs_idea.pk}", f"comment:{bobs_comment.pk}", f"idea:{other.pk}"],
            "next": f"{QUEUE}?tab=flagged",
        },
    )
    assert response.status_code == 302 and response.url == f"{QUEUE}?tab=flagged"
    assert messages_of(response) == [
        "Hide: 2 done.",
        "Skipped “Already gone”: This idea is already hidden.",
    ]
    assert AuditEntry.objects.filter(reason="Spam wave").count() == 2


def test_bulk_bad_input_is_refused_with_a_message(mo_client, bobs_idea):
    url = reverse("moderation-bulk")
    response = mo_client.post(url, {"action": "hide", "reason": "x"})
    assert messages_of(response) == ["Select at least one item."]
    response = mo_client.post(url, {"action": "burn", "targets": [f"idea:{bobs_idea.pk}"]})
    assert messages_of(response)[-1] == "Choose an action."
    response = mo_client.post(url, {"action": "hide", "targets": ["idea:abc"]})
    assert messages_of(response)[-1] == "That selection is not valid."
    assert Idea.objects.get(pk=bobs_idea.pk).hidden_at is None


# Vote stuffing from the queue


def test_stuffing_tab_shows_the_case(mo_client, case):
    response = mo_client.get(QUEUE, {"tab": "stuffing"})
    html = response.content.decode()
    assert response.context["items"] == [case]
    assert "203.0.113.0/24" in html and "Free laptops" in html and ">sock3<" in html
    assert "new accounts, minutes apart" in html
    assert ">Confirm</button>" in html and ">Release</button>" in html
    assert "Ban the accounts" in html


def test_releasing_a_case_from_the_queue_restores_the_score(mo_client, case):
    assert score(case.idea) == 0
    response = mo_client.post(
        reverse("moderation-case-decide", args=[case.pk]),
        {"decision": "release", "reason": "A real launch"},
    )
    assert response.status_code == 302 and response.url == f"{QUEUE}?tab=stuffing"
    assert messages_of(response) == ["Case released: its votes count again."]
    assert score(case.idea) == 5
    assert StuffingCase.objects.get().state == StuffingCase.State.RELEASED
    response = mo_client.post(
        reverse("moderation-case-decide", args=[case.pk]), {"decision": "confirm"}
    )
    assert messages_of(response)[-1] == "This case was released already."


def test_confirming_can_ban_the_accounts(mo_client, case):
    response = mo_client.post(
        reverse("moderation-case-decide", args=[case.pk]),
        {
            "decision": "confirm",
            "ban_accounts": "on",
            "ban_reason": "Sock puppets",
            "ban_days": "7",
        },
    )
    assert messages_of(response)[:2] == [
        "Case confirmed: its votes stay out of every score.",
        "Banned: sock0, sock1, sock2, sock3, sock4.",
    ]
    assert score(case.idea) == 0
    assert Ban.objects.filter(reason="Sock puppets").count() == 5
    assert all(account.is_banned for account in case.accounts.all())


# Controls on the idea page and comments


def test_moderator_gets_controls_on_the_idea_and_its_comments(
    mo_client, alice, bobs_idea, bobs_comment
):
    flag(bobs_comment, by=alice)
    html = mo_client.get(bobs_idea.get_absolute_url()).content.decode()
    assert f'action="{act_url(bobs_idea, "hide")}"' in html
    assert f'formaction="{act_url(bobs_comment, "hide")}"' in html
    assert f'formaction="{act_url(bobs_comment, "dismiss")}"' in html
    assert "Dismiss flags (1)" in html
    assert f'value="{bobs_idea.get_absolute_url()}#comment-{bobs_comment.pk}"' in html


def test_members_and_visitors_get_no_controls(client, alice, bobs_idea, bobs_comment):
    assert "mod-controls" not in client.get(bobs_idea.get_absolute_url()).content.decode()
    client.force_login(alice)
    assert "mod-controls" not in client.get(bobs_idea.get_absolute_url()).content.decode()


def test_idea_page_queries_do_not_grow_with_comments(
    mo_client, django_assert_max_num_queries, bob, bobs_idea
):
    for _ in range(10):
        make_comment(idea=bobs_idea, author=bob)
    with django_assert_max_num_queries(40) as one:
        mo_client.get(bobs_idea.get_absolute_url())
    for _ in range(10):
        make_comment(idea=bobs_idea, author=bob)
    with django_assert_max_num_queries(len(one.captured_queries)):
        mo_client.get(bobs_idea.get_absolute_url())


def test_hiding_from_the_idea_page_goes_back_to_it(mo_client, bobs_idea):
    response = mo_client.post(
        act_url(bobs_idea, "hide"), {"reason": "Advert", "next": bobs_idea.get_absolute_url()}
    )
    assert response.url == bobs_idea.get_absolute_url()
    assert messages_of(response) == ["Hidden."]


def test_a_hidden_comment_shows_to_the_moderator_with_the_banner_and_restore(
    mo_client, client, mo, alice, bobs_idea, bobs_comment
):
    content_hide(moderator=mo, target=bobs_comment, reason="Rude")
    html = mo_client.get(bobs_idea.get_absolute_url()).content.decode()
    assert "Buy cheap watches" in html and "Hidden: only moderators see this comment." in html
    assert f'formaction="{act_url(bobs_comment, "restore")}"' in html
    client.force_login(alice)
    html = client.get(bobs_idea.get_absolute_url()).content.decode()
    assert "Buy cheap watches" not in html and "only moderators see" not in html


def test_a_hidden_idea_shows_to_the_moderator_with_the_banner_and_restore(mo_client, mo, bobs_idea):
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    response = mo_client.get(bobs_idea.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hidden: only moderators see this idea." in html
    assert f'formaction="{act_url(bobs_idea, "restore")}"' in html


def test_hidden_content_leaves_lists_search_api_and_feeds(client, alice, mo, bobs_idea):
    IdeaFactory(title="Cheap flights")
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")

    def seen(viewer_client) -> list[bool]:
        return [
            bobs_idea in viewer_client.get(reverse("idea-list")).context["ideas"],
            bobs_idea in viewer_client.get(reverse("idea-list"), {"q": "cheap"}).context["ideas"],
            bobs_idea.pk
            in [i["id"] for i in viewer_client.get(reverse("api-idea-list")).json()["results"]],
            viewer_client.get(reverse("api-idea-detail", args=[bobs_idea.pk])).status_code == 200,
            "Cheap watches" in viewer_client.get(reverse("feed-ideas")).content.decode(),
            viewer_client.get(bobs_idea.get_absolute_url()).status_code == 200,
        ]

    assert seen(client) == [False] * 6
    client.force_login(alice)
    assert seen(client) == [False] * 6


# Moderation link and bans on profiles


def test_header_links_to_the_queue_for_moderators_only(client, mo, alice):
    assert f'href="{QUEUE}"' not in client.get("/").content.decode()
    client.force_login(alice)
    assert f'href="{QUEUE}"' not in client.get("/").content.decode()
    client.force_login(mo)
    assert f'href="{QUEUE}"' in client.get("/").content.decode()


def test_profile_offers_ban_user_to_moderators_only(client, mo, alice, bob):
    url = reverse("profile", args=[bob.username])
    assert "Ban user" not in client.get(url).content.decode()
    client.force_login(alice)
    assert "Ban user" not in client.get(url).content.decode()
    client.force_login(mo)
    html = client.get(url).content.decode()
    assert f'action="{reverse("moderation-ban", args=["bob"])}"' in html
    assert ">Ban user</button>" in html and "Until lifted" in html
    assert "Ban user" not in client.get(reverse("profile", args=["mo"])).content.decode()


def test_banning_and_lifting_from_the_profile(mo_client, bob):
    response = mo_client.post(
        reverse("moderation-ban", args=["bob"]), {"reason": "Spam", "days": "7"}
    )
    assert response.status_code == 302 and response.url == reverse("profile", args=["bob"])
    assert messages_of(response) == ["bob is banned."]
    bob.refresh_from_db()
    assert bob.is_banned and bob.ban_reason == "Spam"
    html = mo_client.get(reverse("profile", args=["bob"])).content.decode()
    assert ">Lift ban</button>" in html and "is banned until" in html
    response = mo_client.post(reverse("moderation-ban", args=["bob"]), {"reason": "Again"})
    assert "already banned" in messages_of(response)[-1]
    response = mo_client.post(reverse("moderation-ban-lift", args=["bob"]), {"reason": "Sorry"})
    assert messages_of(response)[-1] == "bob's ban is lifted."
    bob.refresh_from_db()
    assert not bob.is_banned
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["user.banned", "user.unbanned"]


def test_ban_until_lifted_and_bad_input(mo_client, bob):
    url = reverse("moderation-ban", args=["bob"])
    assert messages_of(mo_client.post(url, {"reason": ""})) == ["Say why the member is banned."]
    response = mo_client.post(url, {"reason": "x", "days": "0"})
    assert "Ensure this value" in messages_of(response)[-1]
    mo_client.post(url, {"reason": "For good", "days": ""})
    assert Ban.objects.get().until is None
    bob.refresh_from_db()
    assert bob.is_banned


def test_the_header_link_follows_a_role_change_without_logging_in_again(client, alice):
    from accounts.services import role_set

    client.force_login(alice)
    assert f'href="{QUEUE}"' not in client.get("/").content.decode()
    role_set(user=alice, role="moderator")
    assert f'href="{QUEUE}"' in client.get("/").content.decode()
    role_set(user=alice, role="moderator", granted=False)
    assert f'href="{QUEUE}"' not in client.get("/").content.decode()
