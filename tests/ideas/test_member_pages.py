"""Members' list pages come from one shared skeleton and shared cards (web/skeleton.py,
web/cards.py): each member must still see only their own votes, name, bell, token and messages,
and staff their own header."""

import re

import pytest
from django.urls import reverse

from tests.factories import IdeaFactory, NotificationFactory, UserFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.IDEAS_PAGE_CACHE = True


@pytest.fixture
def members(client_factory, alice, bob):
    clients = {}
    for user in (alice, bob):
        member = client_factory()
        member.force_login(user)
        member.get(reverse("idea-list"))  # the session's first request notes the log-in
        clients[user.username] = member
    return clients


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def pressed(html: str, idea) -> dict[str, str]:
    """The aria-pressed of the idea's Promote and Demote buttons."""
    return {
        kind: re.search(rf'id="vote-{idea.pk}-{kind}"[^>]*?aria-pressed="(\w+)"', html, re.S).group(
            1
        )
        for kind in ("promote", "demote")
    }


def test_two_members_each_see_only_their_own_votes_on_the_same_cached_card(
    alice, bob, members, page_cache, django_capture_on_commit_callbacks
):
    liked, disliked, untouched = IdeaFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=liked, value=1)
        vote_cast(voter=bob, idea=disliked, value=-1)
    pages = {name: members[name].get(reverse("idea-list")).content.decode() for name in members}
    # Asked again: now from the skeleton and the card cache for both.
    again = {name: members[name].get(reverse("idea-list")).content.decode() for name in members}
    for html in (pages, again):
        assert pressed(html["alice"], liked) == {"promote": "true", "demote": "false"}
        assert pressed(html["alice"], disliked) == {"promote": "false", "demote": "false"}
        assert pressed(html["bob"], liked) == {"promote": "false", "demote": "false"}
        assert pressed(html["bob"], disliked) == {"promote": "false", "demote": "true"}
        for name in ("alice", "bob"):
            assert pressed(html[name], untouched) == {"promote": "false", "demote": "false"}
    assert '<span class="whoami">alice</span>' in again["alice"]
    assert '<span class="whoami">bob</span>' in again["bob"]
    assert "bob" not in again["alice"].replace("bob@", "")  # bob's name appears nowhere
    for html in again.values():
        assert "\ue000" not in html and "\ue001" not in html  # every marker filled


def test_the_second_member_is_served_from_the_skeleton(
    members, page_cache, django_assert_max_num_queries
):
    IdeaFactory.create_batch(3)
    members["alice"].get(reverse("idea-list"))
    # Session, user, the member's votes on the page's ideas, the bell's count: no list query.
    with django_assert_max_num_queries(4):
        response = members["bob"].get(reverse("idea-list"))
    assert response.status_code == 200


def test_each_member_posts_with_a_valid_token_of_their_own(
    alice, members, page_cache, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    members["bob"].get(reverse("idea-list"))  # the skeleton is bob's render
    html = members["alice"].get(reverse("idea-list")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    members["alice"].handler.enforce_csrf_checks = True
    with django_capture_on_commit_callbacks(execute=True):
        response = members["alice"].post(
            reverse("idea-vote", args=[idea.pk]), {"value": "1", "csrfmiddlewaretoken": token}
        )
    assert response.status_code in (200, 302)
    assert idea.votes.filter(voter=alice).exists()


def test_each_member_sees_their_own_bell(alice, members, page_cache):
    IdeaFactory()
    NotificationFactory.create_batch(2, recipient=alice)
    members["bob"].get(reverse("idea-list"))
    alice_html = members["alice"].get(reverse("idea-list")).content.decode()
    bob_html = members["bob"].get(reverse("idea-list")).content.decode()
    assert "Notifications, 2 unread" in alice_html
    assert "unread" not in bob_html
    assert 'href="/users/alice/"' in alice_html and 'href="/users/bob/"' in bob_html


def test_a_message_is_shown_only_to_its_member(alice, members, page_cache):
    mine = IdeaFactory(author=alice, title="Mine to withdraw")
    IdeaFactory()
    members["bob"].get(reverse("idea-list"))
    response = members["alice"].post(reverse("idea-withdraw", args=[mine.pk]))
    assert response.status_code == 302
    alice_html = members["alice"].get(reverse("idea-list")).content.decode()
    bob_html = members["bob"].get(reverse("idea-list")).content.decode()
    assert "is withdrawn" in alice_html
    assert "is withdrawn" not in bob_html
    # Shown once: the next page is the shared one again, without it.
    assert "is withdrawn" not in members["alice"].get(reverse("idea-list")).content.decode()


def test_staff_get_their_own_header(pat, members, page_cache):
    IdeaFactory()
    members["alice"].get(reverse("idea-list"))
    from django.test import Client

    pm = Client()
    pm.force_login(pat)
    html = pm.get(reverse("idea-list")).content.decode()
    assert '<span class="whoami">pat</span>' in html
    assert reverse("pm-dashboard") in html
    assert (
        reverse("pm-dashboard") not in members["alice"].get(reverse("idea-list")).content.decode()
    )


def test_an_htmx_fragment_is_filled_too(
    alice, members, page_cache, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=idea, value=1)
    members["bob"].get(reverse("idea-list"), headers={"HX-Request": "true"})
    html = (
        members["alice"].get(reverse("idea-list"), headers={"HX-Request": "true"}).content.decode()
    )
    assert "<html" not in html
    assert pressed(html, idea)["promote"] == "true"
    assert "\ue000" not in html and "\ue001" not in html


def test_a_new_member_with_the_same_page_state_shares_nothing_personal(page_cache):
    from django.test import Client

    IdeaFactory()
    first, second = UserFactory(username="first"), UserFactory(username="second")
    pages = []
    for user in (first, second):
        member = Client()
        member.force_login(user)
        member.get(reverse("idea-list"))
        pages.append(member.get(reverse("idea-list")).content.decode())
    assert "first" not in pages[1] and "second" not in pages[0]
