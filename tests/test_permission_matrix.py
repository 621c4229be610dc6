"""The permission matrix: every URL of the site (pages and API) against every role, with the
status each role must get for each method.

The URL names come from the resolver, so a new endpoint without a row here fails
test_the_matrix_covers_every_url. Each (url, method, role) runs with a fresh client in a
savepoint rolled back afterwards, so one case never sees another's writes. Writes send valid
bodies: a success is a real success, not a 400.

Roles: a visitor (not logged in); alice, the member who owns the objects (her idea, her
comment, her notification); bob, another member; pat, a product manager; mo, a moderator;
and alice again with an active ban ("banned": the owner, so a ban is what refuses her). The
shared targets (an idea and a comment to vote on, comment on, flag, follow, hide) are carol's,
nobody's in the cast. A superuser is checked as every role at once: what pat may do, or else
what mo may do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.recovery import login_link_token, password_reset_tokens
from accounts.sessions import login_session_start
from accounts.verification import email_link_token
from actions.merging import idea_merge
from changelog.models import Entry
from changelog.services import entry_save
from core.models import JobRun
from moderation.bans import ban_create
from moderation.models import Flag, StuffingCase
from notifications.unsubscribe import email_token
from storms.services import storm_create
from tests.conftest import PASSWORD
from tests.factories import (
    CategoryFactory,
    CommentFactory,
    IdeaFactory,
    NotificationFactory,
    UserFactory,
)
from votes.models import TopRequestSnapshot
from votes.tasks import RECONCILE_JOB
from web.middleware import ALLOWED_WHEN_BANNED

LOGIN_PATH = "/accounts/login/"
# Not part of the matrix: Django's admin (test_admin_*), and what only the bench settings route.
SKIPPED_PREFIXES = ("admin/", "bench/", "static/", "media/")

# ---- what a role gets -------------------------------------------------------------------

LOGIN = "302 to log in"  # a redirect to /accounts/login/
OK = frozenset({200, 201, 204, 302})  # a write that worked (a 302 that is not to log in)
DENIED = 403
NOT_YOURS = frozenset({403, 404})  # another's resource
NO_LOGIN = frozenset({401, 403})  # an API write without credentials
REDIRECT = 302  # a logged-in member sent away from log in / sign up

ROLES = ("visitor", "member", "other", "pm", "moderator", "banned")


def roles(visitor, member, other, pm, moderator, banned) -> dict:
    return dict(zip(ROLES, (visitor, member, other, pm, moderator, banned), strict=True))


PUBLIC = roles(200, 200, 200, 200, 200, 200)
MEMBER_PAGE = roles(LOGIN, 200, 200, 200, 200, 200)
# A form only for writing: a banned member is told at once, not after filling it in.
WRITE_FORM_PAGE = roles(LOGIN, 200, 200, 200, 200, DENIED)
MEMBER_WRITE = roles(LOGIN, OK, OK, OK, OK, DENIED)
API_WRITE = roles(NO_LOGIN, OK, OK, OK, OK, DENIED)
OWNER_PAGE = roles(LOGIN, 200, NOT_YOURS, NOT_YOURS, NOT_YOURS, 200)
OWNER_WRITE = roles(LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, DENIED)
PM_WRITE = roles(LOGIN, DENIED, DENIED, OK, DENIED, DENIED)
PM_PAGE = roles(LOGIN, DENIED, DENIED, 200, DENIED, DENIED)
MODERATOR_PAGE = roles(LOGIN, DENIED, DENIED, DENIED, 200, DENIED)
MODERATOR_WRITE = roles(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)
# What a banned member may still post: leaving, and their own account (web.middleware).
OWN_ACCOUNT_WRITE = roles(LOGIN, OK, OK, OK, OK, OK)
API_OWN_ACCOUNT = roles(NO_LOGIN, OK, OK, OK, OK, OK)
API_MEMBER_READ = roles(NO_LOGIN, 200, 200, 200, 200, 200)
API_OWNER_WRITE = roles(NO_LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, DENIED)
API_PM_READ = roles(NO_LOGIN, DENIED, DENIED, 200, DENIED, DENIED)
API_PM_WRITE = roles(NO_LOGIN, DENIED, DENIED, OK, DENIED, DENIED)
API_MODERATOR_READ = roles(NO_LOGIN, DENIED, DENIED, DENIED, 200, DENIED)
API_MODERATOR_WRITE = roles(NO_LOGIN, DENIED, DENIED, DENIED, OK, DENIED)
# The board's admins (superusers) only: test_a_superuser_counts_as_every_role expects success.
ADMIN_PAGE = roles(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED)
ADMIN_WRITE = roles(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED)

# URL name -> method -> role -> expected. A method key may name a variant ("POST restore").
EXPECTED: dict[str, dict[str, dict]] = {
    # Public pages and reads.
    "home": {"GET": PUBLIC},
    "idea-list": {"GET": PUBLIC},
    "idea-similar": {"GET": PUBLIC},
    "idea-detail": {"GET": PUBLIC},
    "idea-detail-slug": {"GET": PUBLIC},
    "profile": {"GET": PUBLIC},
    "feed-ideas": {"GET": PUBLIC},
    "feed-category": {"GET": PUBLIC},
    "feed-idea": {"GET": PUBLIC},
    "feed-roadmap": {"GET": PUBLIC},
    "feed-updates": {"GET": PUBLIC},
    "roadmap": {"GET": PUBLIC},
    "changelog": {"GET": PUBLIC},
    "changelog-entry": {"GET": PUBLIC},
    "changelog-entry-bare": {"GET": PUBLIC},
    "feed-changelog": {"GET": PUBLIC},
    "changelog-new": {"GET": PM_PAGE, "POST": PM_WRITE},
    "changelog-edit": {"GET": PM_PAGE, "POST": PM_WRITE},
    "changelog-delete": {"POST": PM_WRITE},
    "board-theme": {"GET": PUBLIC},
    "styleguide": {"GET": roles(404, 404, 404, 200, 200, 404)},  # staff only, a 404 to others
    "manage": {"GET": roles(*[REDIRECT] * 6)},
    "manage-board": {"GET": ADMIN_PAGE, "POST": ADMIN_WRITE},
    "manage-categories": {"GET": ADMIN_PAGE, "POST": ADMIN_WRITE},
    "manage-category": {"GET": ADMIN_PAGE, "POST": ADMIN_WRITE},
    "manage-category-move": {"POST": ADMIN_WRITE},
    "manage-category-retire": {"POST": ADMIN_WRITE},
    "manage-category-merge": {"POST": ADMIN_WRITE},
    # Health reflects the services (503 without a broker), never who asks.
    "healthz": {"GET": roles(*[frozenset({200, 503})] * 6)},
    "readyz": {"GET": roles(*[frozenset({200, 503})] * 6)},
    # Prometheus metrics: staff or the metrics token only (tests/core/test_metrics.py); to the
    # cast, no such page.
    "metrics": {"GET": roles(404, 404, 404, 404, 404, 404)},
    # Accounts.
    "signup": {
        "GET": roles(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": roles(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, DENIED),
    },
    "login": {
        "GET": roles(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": roles(OK, OK, OK, OK, OK, OK),
    },
    "logout": {"POST": roles(OK, OK, OK, OK, OK, OK)},
    # Getting back in by email: open to everyone, a banned member too (web.accounts.recovery).
    "password-reset": {"GET": PUBLIC, "POST": roles(OK, OK, OK, OK, OK, OK)},
    "password-reset-sent": {"GET": PUBLIC},
    # alice's link: it moves the token to the session and redirects to set the password.
    "password-reset-confirm": {"GET": roles(*[REDIRECT] * 6)},
    "password-reset-done": {"GET": PUBLIC},
    "login-link": {"GET": PUBLIC, "POST": roles(OK, OK, OK, OK, OK, OK)},
    "login-link-sent": {"GET": PUBLIC},
    # alice's sign-in link: whoever holds it sees the button, and pressing it logs in as her.
    "login-link-confirm": {"GET": PUBLIC, "POST": roles(OK, OK, OK, OK, OK, OK)},
    "account-settings": {"GET": MEMBER_PAGE, "POST": OWN_ACCOUNT_WRITE},
    # Asking for the link again is the member's own; a banned member may too.
    "email-verify-send": {"POST": OWN_ACCOUNT_WRITE},
    # alice's email-change link: whoever holds it sees the button; pressing it changes hers.
    "email-confirm": {"GET": PUBLIC, "POST": roles(OK, OK, OK, OK, OK, OK)},
    "account-password": {"GET": MEMBER_PAGE, "POST": OWN_ACCOUNT_WRITE},
    "account-token-revoke": {"POST": OWN_ACCOUNT_WRITE},
    "account-delete": {"GET": MEMBER_PAGE, "POST": OWN_ACCOUNT_WRITE},
    # alice's session on another device; ending sessions is logging out, open when banned.
    "account-session-end": {"POST": roles(LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, OK)},
    "account-sessions-end-others": {"POST": OWN_ACCOUNT_WRITE},
    # Single sign-on: a provider this site doesn't offer is not found, for everyone (GitHub
    # isn't configured here); alice's identity is hers to unlink, banned or not.
    "openid_connect_login": {"GET": roles(*[404] * 6), "POST": roles(*[404] * 6)},
    "openid_connect_callback": {"GET": roles(*[404] * 6)},
    "github_login": {"GET": roles(*[404] * 6), "POST": roles(*[404] * 6)},
    "github_callback": {"GET": roles(*[404] * 6)},
    "sso-disconnect": {"POST": roles(LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, OK)},
    # Members: submit, vote, comment, flag, follow (on carol's idea and comment).
    "idea-new": {"GET": WRITE_FORM_PAGE, "POST": MEMBER_WRITE},
    # A hidden idea takes no new vote, not even a moderator's (votes.services.VOTABLE).
    "idea-vote": {"POST": MEMBER_WRITE, "POST hidden idea": roles(404, 404, 404, 404, 404, DENIED)},
    "comment-create": {"POST": MEMBER_WRITE},
    "idea-flag": {"POST": MEMBER_WRITE},
    "comment-flag": {"POST": MEMBER_WRITE},
    "idea-follow": {"POST": MEMBER_WRITE},
    "notifications": {"GET": MEMBER_PAGE},
    # Marking one's notifications read stays open to a banned member (web.middleware).
    "notifications-read": {"POST": roles(LOGIN, OK, OK, OK, OK, OK)},
    # The signed token in alice's email is the credential, whoever holds it, no log-in needed.
    "email-unsubscribe": {"GET": PUBLIC, "POST": roles(OK, OK, OK, OK, OK, OK)},
    # The owner only (alice's idea, comment and notification).
    "idea-edit": {"GET": OWNER_PAGE, "POST": OWNER_WRITE},
    # GET asks the author to confirm; a withdrawn idea's author may undo it (restore).
    "idea-withdraw": {"GET": OWNER_PAGE, "POST": OWNER_WRITE},
    "idea-restore": {"POST": OWNER_WRITE},
    "comment-edit": {"GET": OWNER_PAGE, "POST": OWNER_WRITE},
    "comment-delete": {"POST": OWNER_WRITE},
    # Opening marks it read and redirects to the idea: a GET that is still the owner's alone.
    "notification-open": {
        "GET": roles(LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, OK),
        "POST": OWNER_WRITE,
    },
    # Product managers: statuses, merges, customers' votes recorded by staff.
    "idea-status": {"POST": PM_WRITE},
    # Storm Sessions: everyone reads them, product managers run them.
    "storm-list": {"GET": PUBLIC},
    "storm-detail": {"GET": PUBLIC},
    "storm-new": {"GET": PM_PAGE, "POST": PM_WRITE},
    "storm-edit": {"GET": PM_PAGE, "POST": PM_WRITE},
    "merge-suggestions": {"GET": PM_PAGE},
    "idea-merge": {"GET": PM_PAGE, "POST": PM_WRITE},
    "merge-undo": {"POST": PM_WRITE},
    "idea-record-vote": {"POST": PM_WRITE},
    "pm-dashboard": {"GET": PM_PAGE},
    "pm-export-csv": {"GET": PM_PAGE},
    "pm-export-json": {"GET": PM_PAGE},
    "pm-export-segments-csv": {"GET": PM_PAGE},
    # Moderators.
    "moderation-queue": {"GET": MODERATOR_PAGE},
    "moderation-audit": {"GET": MODERATOR_PAGE},
    "moderation-bulk": {"POST": MODERATOR_WRITE},
    "moderation-idea-act": {
        "POST hide": MODERATOR_WRITE,
        "POST restore": MODERATOR_WRITE,
        "POST dismiss": MODERATOR_WRITE,
    },
    "moderation-comment-act": {"POST hide": MODERATOR_WRITE, "POST restore": MODERATOR_WRITE},
    "moderation-case-decide": {"POST": MODERATOR_WRITE},
    "moderation-ban": {"POST": MODERATOR_WRITE},
    "moderation-ban-lift": {"POST": MODERATOR_WRITE},
    # The API.
    "api-root": {"GET": PUBLIC},
    "api-schema": {"GET": PUBLIC},
    "api-docs": {"GET": PUBLIC},
    "api-category-list": {"GET": PUBLIC},
    "api-idea-detail": {"GET": PUBLIC, "PATCH": API_OWNER_WRITE},
    "api-idea-withdraw": {"POST": API_OWNER_WRITE},
    "api-idea-follow": {"PUT": API_WRITE, "DELETE": API_WRITE},
    "api-comment-detail": {"PATCH": API_OWNER_WRITE, "DELETE": API_OWNER_WRITE},
    "api-tag-list": {"GET": PUBLIC},
    "api-roadmap": {"GET": PUBLIC},
    "api-board": {"GET": PUBLIC},
    "api-changelog-list": {"GET": PUBLIC},
    "api-changelog-entry": {"GET": PUBLIC},
    "api-user-me": {"GET": API_MEMBER_READ, "PATCH": API_OWN_ACCOUNT},
    "api-user-password": {"POST": API_OWN_ACCOUNT},
    "api-user-delete": {"POST": API_OWN_ACCOUNT},
    "api-user-session-list": {"GET": API_MEMBER_READ},
    "api-user-session-detail": {"DELETE": roles(NO_LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, OK)},
    "api-user-detail": {"GET": PUBLIC},
    "api-idea-similar": {"GET": PUBLIC},
    "api-idea-ranking": {"GET": PUBLIC},
    "api-idea-record-vote": {"POST": API_PM_WRITE},
    "api-merge-suggestions": {"GET": API_PM_READ},
    # Alice's notification; open to her banned too, as marking them all read is.
    "api-notification-read": {"POST": roles(NO_LOGIN, OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, OK)},
    "api-notification-list": {"GET": API_MEMBER_READ},
    "api-notifications-read": {"POST": API_OWN_ACCOUNT},
    "api-session-list": {"GET": PUBLIC, "POST": API_PM_WRITE},
    "api-session-detail": {"GET": PUBLIC, "PATCH": API_PM_WRITE},
    "api-idea-status": {"POST": API_PM_WRITE},
    "api-idea-merge": {"POST": API_PM_WRITE},
    "api-merge-undo": {"POST": API_PM_WRITE},
    "api-snapshot-latest": {"GET": API_PM_READ},
    "api-idea-export": {"GET": API_PM_READ},
    "api-idea-export-segments": {"GET": API_PM_READ},
    "api-moderation-queue": {"GET": API_MODERATOR_READ},
    "api-moderation-bulk": {"POST": API_MODERATOR_WRITE},
    "api-moderation-stuffing-cases": {"GET": API_MODERATOR_READ},
    "api-moderation-stuffing-decide": {"POST": API_MODERATOR_WRITE},
    "api-pm-overview": {"GET": API_PM_READ},
    "api-moderation-audit": {"GET": API_MODERATOR_READ},
    "api-moderation-idea-hide": {"POST": API_MODERATOR_WRITE},
    "api-moderation-idea-restore": {"POST": API_MODERATOR_WRITE},
    "api-moderation-idea-dismiss": {"POST": API_MODERATOR_WRITE},
    "api-moderation-comment-hide": {"POST": API_MODERATOR_WRITE},
    "api-moderation-comment-restore": {"POST": API_MODERATOR_WRITE},
    "api-moderation-comment-dismiss": {"POST": API_MODERATOR_WRITE},
    "api-moderation-ban": {"POST": API_MODERATOR_WRITE},
    "api-moderation-ban-lift": {"POST": API_MODERATOR_WRITE},
    "api-idea-list": {"GET": PUBLIC, "POST": API_WRITE},
    "api-idea-vote": {
        "PUT": API_WRITE,
        "DELETE": API_WRITE,
        "PUT hidden idea": roles(NO_LOGIN, 404, 404, 404, 404, DENIED),
    },
    "api-comment-list": {"GET": PUBLIC, "POST": API_WRITE},
    "api-idea-flags": {"POST": API_WRITE},
    "api-comment-flags": {"POST": API_WRITE},
    # Getting a token is logging in: open to everyone with a password, a banned member too;
    # revoking it is logging out.
    "api-token": {"POST": roles(OK, OK, OK, OK, OK, OK), "DELETE": API_OWN_ACCOUNT},
}

# ---- how to ask -------------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    kwargs: Callable = lambda o: {}
    # A dict, or a function of (objects, the acting user or None) for what depends on who.
    body: dict | Callable | None = None
    json: bool = False
    query: str = ""


def idea(o):
    return {"pk": o.idea.pk}


def own_idea(o):
    return {"pk": o.own_idea.pk}


def comment(o):
    return {"pk": o.comment.pk}


def own_comment(o):
    return {"pk": o.own_comment.pk}


def storm(o):
    return {"slug": o.storm.slug}


def reset_link_of(user):
    # From the row: a case rolled back leaves the in-memory user's last_login ahead of it.
    user = User.objects.get(pk=user.pk)
    uidb64 = urlsafe_base64_encode(str(user.pk).encode())
    return {"uidb64": uidb64, "token": password_reset_tokens.make_token(user)}


def login_link_of(user):
    return {"token": login_link_token(user=User.objects.get(pk=user.pk))}


def email_change_link_of(user):
    user = User.objects.get(pk=user.pk)
    return {
        "token": email_link_token(user=user, email="alice.new@example.com", replaces=user.email)
    }


def credentials(o, user):
    return {"username": (user or o.alice).username, "password": PASSWORD}


NEW_IDEA = {
    "title": "Matte screens on every notebook",
    "description": "Glare makes the screen hard to read outdoors.",
    "category": "notebooks",
}
NEW_PASSWORD = "another-horse-battery-9"
NEW_STORM = {
    "title": "Servers for small offices",
    "description": "Quiet, small, easy to service.",
    "starts_at": "2030-03-01T09:00",
    "ends_at": "2030-03-15T18:00",
    "categories": ["notebooks"],
}

REQUESTS: dict[str, dict[str, Req]] = {
    "home": {"GET": Req()},
    "idea-list": {"GET": Req(query="?sort=new&category=notebooks")},
    "idea-similar": {"GET": Req(query="?title=screen")},
    "idea-detail": {"GET": Req(idea)},
    "idea-detail-slug": {"GET": Req(lambda o: {"pk": o.idea.pk, "slug": "any-slug"})},
    "profile": {"GET": Req(lambda o: {"username": o.alice.username})},
    "feed-ideas": {"GET": Req()},
    "feed-category": {"GET": Req(lambda o: {"slug": o.category.slug})},
    "feed-idea": {"GET": Req(idea)},
    "feed-roadmap": {"GET": Req()},
    "feed-updates": {"GET": Req()},
    "roadmap": {"GET": Req(query="?category=notebooks")},
    "changelog": {"GET": Req()},
    "changelog-entry": {
        "GET": Req(lambda o: {"pk": o.entry.pk, "slug": o.entry.slug}),
    },
    "changelog-entry-bare": {"GET": Req(lambda o: {"pk": o.entry.pk})},
    "feed-changelog": {"GET": Req()},
    "changelog-new": {
        "GET": Req(),
        "POST": Req(body={"title": "Quieter fans shipped", "body": "", "when": "draft"}),
    },
    "changelog-edit": {
        "GET": Req(lambda o: {"pk": o.draft.pk}),
        "POST": Req(
            lambda o: {"pk": o.draft.pk},
            body={"title": "Renamed draft", "body": "", "when": "draft"},
        ),
    },
    "changelog-delete": {"POST": Req(lambda o: {"pk": o.draft.pk})},
    "board-theme": {"GET": Req(query="?v=1d4ed8")},
    "styleguide": {"GET": Req()},
    "manage": {"GET": Req()},
    "manage-board": {
        "GET": Req(),
        "POST": Req(
            body={
                "name": "Acme Ideas",
                "accent": "#1d4ed8",
                "sorts": ["popular", "new"],
                "default_sort": "popular",
            }
        ),
    },
    "manage-categories": {"GET": Req(), "POST": Req(body={"name": "Docking stations"})},
    "manage-category": {
        "GET": Req(lambda o: {"pk": o.category.pk}),
        "POST": Req(lambda o: {"pk": o.category.pk}, body={"name": "Laptops"}),
    },
    "manage-category-move": {
        "POST": Req(lambda o: {"pk": o.category.pk}, body={"direction": "down"})
    },
    "manage-category-retire": {
        "POST": Req(lambda o: {"pk": o.other_category.pk}, body={"retired": "1"})
    },
    "manage-category-merge": {
        "POST": Req(lambda o: {"pk": o.other_category.pk}, body={"target": "notebooks"})
    },
    "healthz": {"GET": Req()},
    "readyz": {"GET": Req()},
    "metrics": {"GET": Req()},
    "signup": {
        "GET": Req(),
        "POST": Req(
            body={
                "username": "newbie",
                "email": "newbie@example.com",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            }
        ),
    },
    "login": {"GET": Req(), "POST": Req(body=credentials)},
    "logout": {"POST": Req()},
    "password-reset": {"GET": Req(), "POST": Req(body={"email": "alice@example.com"})},
    "password-reset-sent": {"GET": Req()},
    "password-reset-confirm": {"GET": Req(lambda o: reset_link_of(o.alice))},
    "password-reset-done": {"GET": Req()},
    "login-link": {"GET": Req(), "POST": Req(body={"email": "alice@example.com"})},
    "login-link-sent": {"GET": Req()},
    "login-link-confirm": {
        "GET": Req(lambda o: login_link_of(o.alice)),
        "POST": Req(lambda o: login_link_of(o.alice)),
    },
    "email-verify-send": {"POST": Req()},
    "email-confirm": {
        "GET": Req(lambda o: email_change_link_of(o.alice)),
        "POST": Req(lambda o: email_change_link_of(o.alice)),
    },
    "account-settings": {
        "GET": Req(),
        "POST": Req(
            body=lambda o, user: {
                "email": f"{(user or o.alice).username}.new@example.com",
                "auto_follow": "on",
                "email_frequency": "daily",
            }
        ),
    },
    "account-password": {
        "GET": Req(),
        "POST": Req(
            body={
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            }
        ),
    },
    "account-delete": {"GET": Req(), "POST": Req(body={"password": PASSWORD})},
    "account-session-end": {"POST": Req(lambda o: {"pk": o.login_session.pk})},
    "account-sessions-end-others": {"POST": Req()},
    "openid_connect_login": {
        "GET": Req(lambda o: {"provider_id": "nowhere"}),
        "POST": Req(lambda o: {"provider_id": "nowhere"}),
    },
    "openid_connect_callback": {"GET": Req(lambda o: {"provider_id": "nowhere"})},
    "github_login": {"GET": Req(), "POST": Req()},
    "github_callback": {"GET": Req()},
    "sso-disconnect": {"POST": Req(lambda o: {"pk": o.identity.pk})},
    "account-token-revoke": {"POST": Req()},
    "idea-new": {"GET": Req(), "POST": Req(body=NEW_IDEA)},
    "idea-vote": {
        "POST": Req(idea, {"value": "1"}),
        "POST hidden idea": Req(lambda o: {"pk": o.hidden_idea.pk}, {"value": "1"}),
    },
    "comment-create": {"POST": Req(idea, {"body": "Yes, and on the tablets too."})},
    "idea-flag": {"POST": Req(idea, {"reason": "spam"})},
    "comment-flag": {"POST": Req(comment, {"reason": "spam"})},
    "idea-follow": {"POST": Req(idea, {"following": "1"})},
    "notifications": {"GET": Req()},
    "notifications-read": {"POST": Req()},
    "idea-edit": {
        "GET": Req(own_idea),
        "POST": Req(
            own_idea,
            {
                "title": "Longer battery life, edited",
                "description": "Ten hours at the very least.",
                "category": "notebooks",
                "tags": "battery",
            },
        ),
    },
    "idea-withdraw": {"GET": Req(own_idea), "POST": Req(own_idea)},
    "idea-restore": {"POST": Req(lambda o: {"pk": o.own_withdrawn_idea.pk})},
    "comment-edit": {
        "GET": Req(own_comment),
        "POST": Req(own_comment, {"body": "Edited: twelve hours."}),
    },
    "comment-delete": {"POST": Req(own_comment)},
    "email-unsubscribe": {
        "GET": Req(lambda o: {"token": email_token(o.alice)}),
        "POST": Req(lambda o: {"token": email_token(o.alice)}, {"email_frequency": "never"}),
    },
    "notification-open": {
        "GET": Req(lambda o: {"pk": o.notification.pk}),
        "POST": Req(lambda o: {"pk": o.notification.pk}),
    },
    "idea-status": {"POST": Req(idea, {"status": "planned", "response": "In the next model."})},
    "storm-list": {"GET": Req()},
    "storm-detail": {"GET": Req(storm)},
    "storm-new": {"GET": Req(), "POST": Req(body=NEW_STORM)},
    "storm-edit": {"GET": Req(storm), "POST": Req(storm, NEW_STORM)},
    "merge-suggestions": {"GET": Req()},
    "idea-merge": {
        "GET": Req(lambda o: {"pk": o.duplicate.pk}),
        "POST": Req(lambda o: {"pk": o.duplicate.pk}, lambda o, user: {"into": o.original.pk}),
    },
    "merge-undo": {"POST": Req(lambda o: {"pk": o.merge.pk})},
    "idea-record-vote": {
        "POST": Req(
            idea, {"email": "customer@example.com", "value": "1", "note": "Phone call, 3 May"}
        )
    },
    "pm-dashboard": {"GET": Req()},
    "pm-export-csv": {"GET": Req()},
    "pm-export-json": {"GET": Req()},
    "pm-export-segments-csv": {"GET": Req()},
    "moderation-queue": {"GET": Req(query="?tab=flagged")},
    "moderation-audit": {"GET": Req()},
    "moderation-bulk": {
        "POST": Req(
            body=lambda o, user: {
                "action": "hide",
                "targets": [f"idea:{o.idea.pk}", f"comment:{o.comment.pk}"],
                "reason": "Spam",
            }
        )
    },
    "moderation-idea-act": {
        "POST hide": Req(lambda o: {"pk": o.idea.pk, "action": "hide"}, {"reason": "Spam"}),
        "POST restore": Req(lambda o: {"pk": o.hidden_idea.pk, "action": "restore"}, {}),
        "POST dismiss": Req(lambda o: {"pk": o.flagged_idea.pk, "action": "dismiss"}, {}),
    },
    "moderation-comment-act": {
        "POST hide": Req(lambda o: {"pk": o.comment.pk, "action": "hide"}, {"reason": "Spam"}),
        "POST restore": Req(lambda o: {"pk": o.hidden_comment.pk, "action": "restore"}, {}),
    },
    "moderation-case-decide": {
        "POST": Req(lambda o: {"pk": o.case.pk}, {"decision": "confirm", "reason": "Sock puppets"})
    },
    "moderation-ban": {
        "POST": Req(lambda o: {"username": o.carol.username}, {"reason": "Spam", "days": "7"})
    },
    "moderation-ban-lift": {
        "POST": Req(lambda o: {"username": o.dave.username}, {"reason": "Served"})
    },
    "api-root": {"GET": Req()},
    "api-schema": {"GET": Req()},
    "api-docs": {"GET": Req()},
    "api-category-list": {"GET": Req()},
    "api-idea-detail": {
        "GET": Req(idea),
        "PATCH": Req(
            own_idea, {"title": "A backlit keyboard, edited", "tags": ["keys"]}, json=True
        ),
    },
    "api-idea-withdraw": {"POST": Req(own_idea, json=True)},
    "api-idea-follow": {"PUT": Req(idea, json=True), "DELETE": Req(idea, json=True)},
    "api-comment-detail": {
        "PATCH": Req(own_comment, {"body": "Edited through the API."}, json=True),
        "DELETE": Req(own_comment, json=True),
    },
    "api-tag-list": {"GET": Req()},
    "api-roadmap": {"GET": Req(query="?category=notebooks")},
    "api-board": {"GET": Req()},
    "api-changelog-list": {"GET": Req()},
    "api-changelog-entry": {"GET": Req(lambda o: {"pk": o.entry.pk})},
    "api-user-me": {
        "GET": Req(),
        "PATCH": Req(body={"auto_follow": False, "email_frequency": "daily"}, json=True),
    },
    "api-user-password": {
        "POST": Req(body={"old_password": PASSWORD, "new_password": NEW_PASSWORD}, json=True)
    },
    "api-user-delete": {"POST": Req(body={"password": PASSWORD}, json=True)},
    "api-user-session-list": {"GET": Req()},
    "api-user-session-detail": {"DELETE": Req(lambda o: {"pk": o.login_session.pk}, json=True)},
    "api-user-detail": {"GET": Req(lambda o: {"username": o.alice.username})},
    "api-idea-similar": {"GET": Req(query="?title=battery")},
    "api-idea-ranking": {"GET": Req(idea)},
    "api-idea-record-vote": {
        "POST": Req(
            idea, {"email": "customer@example.com", "value": 1, "note": "Phone call"}, json=True
        )
    },
    "api-merge-suggestions": {"GET": Req()},
    "api-notification-read": {"POST": Req(lambda o: {"pk": o.notification.pk}, json=True)},
    "api-notification-list": {"GET": Req()},
    "api-notifications-read": {"POST": Req(body={}, json=True)},
    "api-session-list": {"GET": Req(), "POST": Req(body=NEW_STORM, json=True)},
    "api-session-detail": {
        "GET": Req(storm),
        "PATCH": Req(storm, {"title": "Notebooks for students, extended"}, json=True),
    },
    "api-idea-status": {
        "POST": Req(idea, {"status": "planned", "response": "In the next model."}, json=True)
    },
    "api-idea-merge": {
        "POST": Req(
            lambda o: {"pk": o.duplicate.pk}, lambda o, user: {"into": o.original.pk}, json=True
        )
    },
    "api-merge-undo": {"POST": Req(lambda o: {"pk": o.merge.pk}, json=True)},
    "api-snapshot-latest": {"GET": Req()},
    "api-idea-export": {"GET": Req(query="?category=notebooks")},
    "api-idea-export-segments": {"GET": Req(query="?category=notebooks")},
    "api-moderation-queue": {"GET": Req(query="?tab=flagged")},
    "api-moderation-bulk": {
        "POST": Req(
            body=lambda o, user: {
                "action": "hide",
                "ideas": [o.idea.pk],
                "comments": [o.comment.pk],
                "reason": "Spam",
            },
            json=True,
        )
    },
    "api-moderation-stuffing-cases": {"GET": Req(query="?state=open")},
    "api-moderation-stuffing-decide": {
        "POST": Req(
            lambda o: {"pk": o.case.pk},
            {"decision": "confirm", "reason": "Sock puppets"},
            json=True,
        )
    },
    "api-pm-overview": {"GET": Req()},
    "api-moderation-audit": {"GET": Req(query="?target_type=user")},
    "api-moderation-idea-hide": {"POST": Req(idea, {"reason": "Spam"}, json=True)},
    "api-moderation-idea-restore": {"POST": Req(lambda o: {"pk": o.hidden_idea.pk}, json=True)},
    "api-moderation-idea-dismiss": {"POST": Req(lambda o: {"pk": o.flagged_idea.pk}, json=True)},
    "api-moderation-comment-hide": {"POST": Req(comment, {"reason": "Spam"}, json=True)},
    "api-moderation-comment-restore": {
        "POST": Req(lambda o: {"pk": o.hidden_comment.pk}, json=True)
    },
    "api-moderation-comment-dismiss": {
        "POST": Req(lambda o: {"pk": o.flagged_comment.pk}, json=True)
    },
    "api-moderation-ban": {
        "POST": Req(
            lambda o: {"username": o.carol.username}, {"reason": "Spam", "days": 7}, json=True
        )
    },
    "api-moderation-ban-lift": {
        "POST": Req(lambda o: {"username": o.dave.username}, {"reason": "Served"}, json=True)
    },
    "api-idea-list": {
        "GET": Req(query="?sort=top&category=notebooks"),
        "POST": Req(body=NEW_IDEA, json=True),
    },
    "api-idea-vote": {
        "PUT": Req(idea, {"value": 1}, json=True),
        "DELETE": Req(idea, json=True),
        "PUT hidden idea": Req(lambda o: {"pk": o.hidden_idea.pk}, {"value": 1}, json=True),
    },
    "api-comment-list": {
        "GET": Req(idea),
        "POST": Req(idea, {"body": "Through the API."}, json=True),
    },
    "api-idea-flags": {"POST": Req(idea, {"reason": "spam"}, json=True)},
    "api-comment-flags": {"POST": Req(comment, {"reason": "spam"}, json=True)},
    "api-token": {"POST": Req(body=credentials, json=True), "DELETE": Req(json=True)},
}

# ---- the site's URL names ---------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name


def site_urls() -> list[tuple[str, str | None]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def test_the_matrix_covers_every_url():
    urls = site_urls()
    unnamed = [route for route, name in urls if not name]
    assert not unnamed, f"URL patterns without a name (the matrix can't cover them): {unnamed}"
    discovered = {name for _, name in urls}
    covered = set(EXPECTED)
    assert covered == discovered, (
        f"URLs without a row in EXPECTED: {sorted(discovered - covered)}; "
        f"rows for URLs that no longer exist: {sorted(covered - discovered)}"
    )
    assert set(REQUESTS) == covered
    for name, methods in EXPECTED.items():
        assert set(REQUESTS[name]) == set(methods), name
        for method, expected in methods.items():
            assert set(expected) == set(ROLES), f"{name} {method}"


# ---- the objects ------------------------------------------------------------------------


@pytest.fixture
def objects(settings, alice, bob, pat, mo, category):
    settings.IDEAS_RATE_LIMITS = False
    carol = UserFactory(username="carol")
    dave = UserFactory(username="dave")
    idea = IdeaFactory(author=carol, category=category, title="Longer battery life")
    own_idea = IdeaFactory(author=alice, category=category, title="A backlit keyboard")
    now = timezone.now()
    flagged_idea = IdeaFactory(author=carol, category=category, title="Cheaper chargers")
    Flag.objects.create(flagger=dave, idea=flagged_idea, reason="spam", created_at=now)
    hidden_idea = IdeaFactory(author=carol, category=category, hidden_at=now)
    case = StuffingCase.objects.create(
        rule=StuffingCase.Rule.BURST,
        network="203.0.113.0/24",
        idea=idea,
        evidence={"votes": 5},
        fingerprint="permission-matrix",
        detected_at=now,
    )
    ban_create(moderator=mo, user=dave, reason="Spam", days=7)
    merged_earlier = IdeaFactory(author=carol, category=category, title="Brighter screens")
    merge = idea_merge(
        actor=pat,
        merged=merged_earlier,
        kept=IdeaFactory(author=carol, category=category, title="Brighter displays"),
    )
    JobRun.objects.create(name=RECONCILE_JOB, succeeded_at=now, ok=True)
    TopRequestSnapshot.objects.create(period=now, taken_at=now)
    flagged_comment = CommentFactory(idea=idea, author=carol)
    Flag.objects.create(flagger=dave, comment=flagged_comment, reason="spam", created_at=now)
    return SimpleNamespace(
        alice=alice,
        bob=bob,
        pat=pat,
        mo=mo,
        carol=carol,
        dave=dave,
        category=category,
        idea=idea,
        own_idea=own_idea,
        own_withdrawn_idea=IdeaFactory(author=alice, category=category, withdrawn_at=now),
        flagged_idea=flagged_idea,
        hidden_idea=hidden_idea,
        comment=CommentFactory(idea=idea, author=carol),
        own_comment=CommentFactory(idea=own_idea, author=alice),
        hidden_comment=CommentFactory(idea=idea, author=carol, hidden_at=now),
        flagged_comment=flagged_comment,
        notification=NotificationFactory(recipient=alice, idea=idea),
        identity=SocialAccount.objects.create(user=alice, provider="oidc", uid="alice"),
        login_session=login_session_start(
            user=alice,
            session_key="another-device-session-key",
            expires_at=now + dt.timedelta(days=1),
            device="Firefox 128 on Linux",
            network="198.51.100.0/24",
        ),
        case=case,
        storm=storm_create(
            actor=pat,
            title="Notebooks for students",
            description="What do students need?",
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=7),
            categories=[category],
        ),
        duplicate=IdeaFactory(author=carol, category=category, title="Quieter fans please"),
        original=IdeaFactory(author=carol, category=category, title="Quieter fans"),
        merge=merge,
        admin=UserFactory(username="root", is_staff=True, is_superuser=True),
        other_category=CategoryFactory(name="Servers", slug="servers"),
        entry=_published(
            entry_save(actor=pat, title="Quieter fans", body="", ideas=[idea], publish_at=now)
        ),
        draft=entry_save(actor=pat, title="A draft", body="", ideas=[], publish_at=None),
    )


def _published(entry):
    Entry.objects.filter(pk=entry.pk).update(published_at=entry.publish_at)
    entry.refresh_from_db()
    return entry


def _acting_user(o, role: str):
    return {
        "visitor": None,
        "member": o.alice,
        "other": o.bob,
        "pm": o.pat,
        "moderator": o.mo,
        "banned": o.alice,
        "superuser": o.admin,
    }[role]


# ---- running one case -------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    location: str = ""
    errors: list[str] = field(default_factory=list)
    exception: str = ""


def _request(o, name: str, method_key: str, role: str) -> Outcome:
    req = REQUESTS[name][method_key]
    method = method_key.split()[0].lower()
    user = _acting_user(o, role)
    client = Client()
    if user is not None:
        client.force_login(user)
    if role == "banned":
        ban_create(moderator=o.mo, user=o.alice, reason="Spam", days=7)
    path = reverse(name, kwargs=req.kwargs(o)) + req.query
    body = req.body(o, user) if callable(req.body) else req.body
    try:
        if req.json:
            response = getattr(client, method)(path, body or {}, content_type="application/json")
        elif method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, body or {})
    except Exception as exc:  # the test client re-raises what the view raised: a 500
        return Outcome(status=500, exception=f"{type(exc).__name__}: {exc}")
    messages = getattr(response.wsgi_request, "_messages", None) or []
    return Outcome(
        status=response.status_code,
        location=response.get("Location", ""),
        errors=[str(m) for m in messages if m.level >= message_levels.ERROR],
    )


def run_case(o, name: str, method_key: str, role: str) -> Outcome:
    """One request, in a savepoint rolled back afterwards."""
    with transaction.atomic():
        try:
            return _request(o, name, method_key, role)
        finally:
            transaction.set_rollback(True)


def mismatch(outcome: Outcome, expected) -> str | None:
    """Why the outcome is not what was expected, or None."""
    got = f"got {outcome.status}"
    if outcome.location:
        got += f" to {outcome.location}"
    if outcome.exception:
        got += f" ({outcome.exception})"
    # The log-in page itself, not a page under it (/accounts/login/link/sent/).
    to_login = outcome.status == 302 and outcome.location.split("?")[0] == LOGIN_PATH
    if expected == LOGIN:
        return None if to_login else f"{got}, want a redirect to log in"
    allowed = {expected} if isinstance(expected, int) else expected
    if outcome.status not in allowed:
        return f"{got}, want {sorted(allowed)}"
    if expected is OK and to_login:
        return f"{got}, want success, not a log-in"
    if outcome.errors:
        return f"{got} but it said {outcome.errors}"
    return None


def check(o, name: str, cases: list[tuple[str, str, object]]) -> int:
    failures = []
    for method_key, role, expected in cases:
        why = mismatch(run_case(o, name, method_key, role), expected)
        if why:
            failures.append(f"{name} {method_key} as {role}: {why}")
    assert not failures, "\n".join(failures)
    return len(cases)


# ---- the matrix -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permission_matrix(objects, name):
    cases = [
        (method_key, role, expected)
        for method_key, by_role in EXPECTED[name].items()
        for role, expected in by_role.items()
    ]
    check(objects, name, cases)


def _is_success(expected) -> bool:
    return expected is OK or expected == 200 or expected == REDIRECT


def superuser_expected(by_role: dict):
    """A superuser counts as every role: what the PM may do, or else what the moderator may
    do, and the board's admin pages. Not the owner of alice's things, so refused them like any
    other member."""
    if by_role is ADMIN_PAGE:
        return 200
    if by_role is ADMIN_WRITE:
        return OK
    return by_role["pm"] if _is_success(by_role["pm"]) else by_role["moderator"]


GATED = sorted(
    name
    for name, methods in EXPECTED.items()
    if any(
        by_role["member"] != by_role["pm"] or by_role["member"] != by_role["moderator"]
        for by_role in methods.values()
    )
)


@pytest.mark.parametrize("name", GATED)
def test_a_superuser_counts_as_every_role(objects, name):
    cases = [
        (method_key, "superuser", superuser_expected(by_role))
        for method_key, by_role in EXPECTED[name].items()
    ]
    check(objects, name, cases)


def test_a_banned_member_writes_nothing_through_the_api_with_a_token(objects):
    """The ban middleware sees no user on a token request: NotBanned must refuse it."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=objects.alice)
    ban_create(moderator=objects.mo, user=objects.alice, reason="Spam", days=7)
    failures, checked = [], 0
    for name, methods in REQUESTS.items():
        for method_key, req in methods.items():
            method = method_key.split()[0].lower()
            if not (req.json and name.startswith("api-") and name not in ALLOWED_WHEN_BANNED):
                continue
            client = Client(headers={"Authorization": f"Token {token.key}"})
            path = reverse(name, kwargs=req.kwargs(objects))
            body = req.body(objects, objects.alice) if callable(req.body) else req.body
            status = getattr(client, method)(
                path, body or {}, content_type="application/json"
            ).status_code
            checked += 1
            if status != 403:
                failures.append(f"{name} {method_key} as banned, by token: got {status}, want 403")
    assert not failures, "\n".join(failures)
    assert checked >= 7


# ---- Django's admin ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_the_admin_sends_visitors_and_members_to_its_log_in(objects, who):
    client = Client()
    if who == "member":
        client.force_login(objects.alice)
    response = client.get("/admin/")
    assert response.status_code == 302, f"/admin/ as {who}: got {response.status_code}"
    assert response["Location"].startswith("/admin/login/"), response["Location"]


def test_the_admin_lets_a_superuser_in(objects):
    client = Client()
    client.force_login(objects.admin)
    assert client.get("/admin/").status_code == 200


def test_a_ban_in_the_fixture_is_active(objects):
    """The banned role is alice banned in each case's savepoint: the same service a moderator
    uses. This guards the premise: a ban from ban_create is active now."""
    with transaction.atomic():
        ban_create(moderator=objects.mo, user=objects.alice, reason="Spam", days=7)
        objects.alice.refresh_from_db()
        assert objects.alice.is_banned
        assert objects.alice.banned_until > timezone.now() + dt.timedelta(days=6)
        transaction.set_rollback(True)
    objects.alice.refresh_from_db()
    assert not objects.alice.is_banned
