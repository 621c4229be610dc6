"""Regressions for the outside review's findings on text input: each test failed before its
fix (run against the tree as found), and none may see a 500.

1. Control characters at every text input (core.text), and feeds that carry what is stored.
2. Malformed input that was a 500: NUL in a username route, deep JSON, NUL in tags, a broken
   HX-Current-URL, a superscript digit where an id goes.
3. Usernames: lookalikes, invisible characters, reserved names; deletion never collides.
4. Blocked words matched through zero-width characters and lookalike letters.

The walk over every form and serializer field is tests/core/test_text.py."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from actions.accounts import account_delete
from comments.models import Comment
from ideas.models import Idea, Status, StatusChange
from moderation.holds import hold_reason
from moderation.models import SpamRule
from tests.factories import CategoryFactory, CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

BELL = "\u0007"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.IDEAS_RATE_LIMITS = False


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def idea_form(category, **fields) -> dict:
    return {
        "title": "Longer battery life",
        "description": "Eight hours is not enough.",
        "category": category.slug,
        "tags": "battery",
        **fields,
    }


# ---- 1. control characters ----


def test_a_control_character_in_a_title_is_refused_at_the_field_on_the_page(alice_client, category):
    response = alice_client.post(
        reverse("idea-new"), idea_form(category, title=f"Bell{BELL}s ring too loudly")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == [
        "Remove the control character at position 5."
    ]
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "position"),
    [
        ("title", f"Bell{BELL}s", 5),
        ("title", "Two\nlines", 4),  # a title is one line: no newline, no tab
        ("title", "Tab\there", 4),
        ("description", "Fine\nthen a \x02 here", 13),
        ("description", "C1 \x85 control", 4),
    ],
)
def test_a_control_character_is_refused_at_the_field_by_the_api(
    alice, category, field, value, position
):
    body = {"title": "Longer battery life", "description": "Eight hours.", "category": "notebooks"}
    response = api(alice).post("/api/ideas/", {**body, field: value}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][field] == [
        f"Remove the control character at position {position}."
    ]
    assert not Idea.objects.exists()


def test_long_text_keeps_newlines_and_tabs_and_normalises_line_ends(alice, category):
    body = {
        "title": "Longer battery life",
        "description": "First line\r\nsecond\tline\rthird",
        "category": "notebooks",
    }
    response = api(alice).post("/api/ideas/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Idea.objects.get().description == "First line\nsecond\tline\nthird"


def test_a_control_character_in_a_comment_and_in_a_search_is_refused(alice_client, alice):
    idea = IdeaFactory()
    response = alice_client.post(reverse("comment-create", args=[idea.pk]), {"body": f"Yes{BELL}!"})
    assert response.status_code == 400
    assert "Remove the control character at position 4." in response.content.decode()
    assert not Comment.objects.exists()
    response = api(alice).get("/api/ideas/", {"q": f"bat{BELL}tery"})
    assert response.status_code == 400
    assert response.json()["errors"]["q"] == ["Remove the control character at position 4."]
    # The page drops a bad filter rather than showing an error page.
    assert alice_client.get(reverse("idea-list"), {"q": f"bat{BELL}tery"}).status_code == 200


def test_the_token_login_refuses_a_control_character_in_the_username(alice):
    response = api().post(
        "/api/auth/token/", {"username": f"ali{BELL}ce", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["username"] == ["Remove the control character at position 4."]


def test_storm_session_titles_and_moderation_reasons_refuse_control_characters(pat, mo):
    response = api(pat).post(
        "/api/sessions/",
        {
            "title": f"Notebooks{BELL}",
            "starts_at": "2030-01-01T00:00:00Z",
            "ends_at": "2030-02-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400 and "title" in response.json()["errors"]
    idea = IdeaFactory()
    response = api(mo).post(
        f"/api/moderation/ideas/{idea.pk}/hide/", {"reason": f"spam{BELL}"}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()["errors"]


def well_formed(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_feeds_carry_rows_stored_with_control_characters(client):
    """Rows written before validation (or by the admin) must not break the feeds."""
    category = CategoryFactory(slug="books", name=f"Books{BELL}", description="All\x0b books")
    idea = IdeaFactory(
        title=f"Bell{BELL}s and \x1bESC",
        description_html=f"<p>Ring{BELL} \x1b[31m \ufffe</p>",
        category=category,
    )
    StatusChange.objects.create(
        idea=idea,
        old_status=Status.NEW,
        new_status=Status.PLANNED,
        response_html=f"<p>Soon{BELL}</p>",
        created_at=timezone.now(),
    )
    for url in (
        reverse("feed-ideas"),
        reverse("feed-category", args=["books"]),
        reverse("feed-idea", args=[idea.pk]),
    ):
        feed = well_formed(client.get(url))
        assert BELL not in ET.tostring(feed, encoding="unicode")
    entry = well_formed(client.get(reverse("feed-ideas"))).find(
        "{http://www.w3.org/2005/Atom}entry"
    )
    assert entry.find("{http://www.w3.org/2005/Atom}title").text == "Bells and ESC"


# ---- 2. malformed input that was a 500 ----


@pytest.mark.parametrize("name", ["nul%00byte", "bell%07", "%00"])
def test_a_nul_in_a_profile_username_is_a_404(client, alice, name):
    assert client.get(f"/users/{name}/").status_code == 404
    assert api().get(f"/api/users/{name}/").status_code == 404


@pytest.mark.parametrize("route", ["ban", "lift-ban"])
def test_a_nul_in_a_moderation_username_is_a_404(client, mo, route):
    client.force_login(mo)
    response = client.post(f"/moderation/users/nul%00byte/{route}/", {"reason": "spam"})
    assert response.status_code == 404
    response = api(mo).post(
        f"/api/moderation/users/nul%00byte/{route}/", {"reason": "spam"}, format="json"
    )
    assert response.status_code == 404


def test_deeply_nested_json_is_a_400_parse_error():
    deep = "[" * 5000 + "]" * 5000
    response = APIClient().post("/api/auth/token/", deep, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_nested_beyond_any_real_payload_is_refused_by_every_api_view(alice):
    deep = json.dumps(
        {"title": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
    )
    response = api(alice).post("/api/ideas/", deep, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_nul_in_the_tags_of_the_submit_form_is_refused_at_the_field(alice_client, category):
    response = alice_client.post(reverse("idea-new"), idea_form(category, tags="battery, a\x00b"))
    assert response.status_code == 400
    assert "tags" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_an_unparsable_hx_current_url_on_a_vote_is_taken_as_absent(alice_client):
    idea = IdeaFactory()
    headers = {**HTMX, "HX-Current-URL": "http://[::1"}
    response = alice_client.post(
        reverse("idea-vote", args=[idea.pk]), {"value": "1"}, headers=headers
    )
    assert response.status_code == 200
    assert f'id="tally-{idea.pk}"' not in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).score == 1


def test_an_unparsable_hx_current_url_on_a_moderation_action_is_taken_as_absent(client, mo):
    client.force_login(mo)
    idea = IdeaFactory()
    headers = {**HTMX, "HX-Current-URL": "http://[::1"}
    url = reverse("moderation-idea-act", kwargs={"pk": idea.pk, "action": "hide"})
    response = client.post(url, {"reason": "spam"}, headers=headers)
    assert response.status_code == 200
    assert Idea.objects.get(pk=idea.pk).hidden_at is not None


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_superscript_digit_as_a_comment_parent_is_refused(alice_client, headers):
    idea = IdeaFactory()
    CommentFactory(idea=idea)
    response = alice_client.post(
        reverse("comment-create", args=[idea.pk]),
        {"body": "A reply", "parent": "\u00b2"},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 400)
    assert "That comment does not exist." in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("target", ["idea:\u00b2", "comment:\u0663", "idea:99999999999999999999"])
def test_a_bad_target_in_the_bulk_moderation_form_is_refused(client, mo, target):
    client.force_login(mo)
    response = client.post(reverse("moderation-bulk"), {"action": "hide", "targets": [target]})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["That selection is not valid."]


def test_a_nul_in_the_storm_session_of_the_submit_form_is_not_a_500(alice_client, category):
    response = alice_client.get(reverse("idea-new"), {"session": "a\x00b"})
    assert response.status_code == 200
    response = alice_client.post(reverse("idea-new"), idea_form(category, session="a\x00b"))
    assert response.status_code == 400
    assert "This Storm Session does not exist." in response.content.decode()


def test_a_nul_in_the_similar_ideas_lookup_is_not_a_500(client):
    IdeaFactory(title="Longer battery life")
    assert client.get(reverse("idea-similar"), {"title": "batt\x00ery"}).status_code == 200


# ---- 3. usernames ----


def signup(client, username: str, email: str = "new@example.com"):
    return client.post(
        reverse("signup"),
        {
            "username": username,
            "email": email,
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("\u0430lice", "one alphabet"),  # a Cyrillic a among Latin letters
        ("ALIC\u0415", "one alphabet"),  # a Cyrillic E, in capitals
        ("\u03b1lice", "one alphabet"),  # a Greek alpha
        ("al1ce", None),  # a digit is not a lookalike of an i
        ("a1ice", "looks like"),  # but of an l
        ("ali\u200bce", "invisible"),  # zero-width space
        ("ali\u200dce", "invisible"),  # zero-width joiner
        ("\u202ealice", "invisible"),  # right-to-left override
        ("alice\u2066", "invisible"),  # left-to-right isolate
        ("\uff41\uff4c\uff49\uff43\uff45", "plain"),  # fullwidth: NFKC changes it
        ("\ufb01ona", "plain"),  # the "fi" ligature
        ("deleted-5", "reserved"),
        ("Deleted-12", "reserved"),
        ("me", "reserved"),
    ],
)
def test_signup_refuses_lookalike_invisible_and_reserved_usernames(
    client, alice, username, message
):
    response = signup(client, username)
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get("username", []))
    assert message in errors, errors
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("existing", "username"),
    [
        ("cope", "\u0441\u043e\u0440\u0435"),  # all Cyrillic, looks like cope
        ("\u0441\u043e\u0440\u0435", "cope"),  # and the other way round
        ("cope", "C0PE"),  # a zero for an O, in capitals
        ("kappa", "\u03ba\u03b1\u03c1\u03c1\u03b1"),  # καρρα, all Greek
    ],
)
def test_signup_refuses_a_name_that_looks_like_a_members(client, existing, username):
    UserFactory(username=existing)
    response = signup(client, username)
    assert response.status_code == 400
    assert response.context["form"].errors["username"] == [
        "That name looks like another member's: choose another."
    ]


def test_signup_allows_a_name_in_one_other_alphabet(client):
    assert signup(client, "\u0432\u0430\u0441\u044f").status_code == 302  # вася
    assert User.objects.filter(username="\u0432\u0430\u0441\u044f").exists()


def test_signing_up_as_deleted_n_no_longer_breaks_member_ns_deletion(client, bob):
    response = signup(client, f"deleted-{bob.pk}")
    assert response.status_code == 400
    assert not User.objects.filter(username=f"deleted-{bob.pk}").exists()


def test_deletion_picks_a_free_name_when_deleted_n_is_taken(bob):
    squatter = UserFactory(username=f"deleted-{bob.pk}")  # signed up before the rule
    account_delete(user=bob)
    bob.refresh_from_db()
    assert bob.deleted_at is not None
    assert bob.username.startswith(f"deleted-{bob.pk}-")
    assert User.objects.get(pk=squatter.pk).username == f"deleted-{bob.pk}"


# ---- 4. blocked words ----


@pytest.mark.parametrize(
    "text",
    [
        "Cheap cas\u200bino chips",  # zero-width space
        "Cheap cas\u00adino chips",  # soft hyphen
        "Cheap c\u0430sino chips",  # a Cyrillic a
        "Cheap c\u0430s\u0456no chips",  # a Cyrillic a and i
        "Cheap \uff43\uff41\uff53\uff49\uff4e\uff4f chips",  # fullwidth
        "Cheap CAS\u2060INO chips",  # word joiner, capitals
    ],
)
def test_blocked_words_are_found_through_invisible_and_lookalike_characters(alice, text):
    SpamRule.objects.create(kind=SpamRule.Kind.WORD, value="casino")
    assert hold_reason(author=alice, text=text) == "Blocked word: casino."


def test_a_blocked_word_still_needs_its_word_boundaries(alice):
    SpamRule.objects.create(kind=SpamRule.Kind.WORD, value="casino")
    assert hold_reason(author=alice, text="casinos and occasino") is None
