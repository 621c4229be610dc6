"""Votes a product manager records for a customer (votes.staff), and the customer claiming
them by signing up."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.verification import email_link_read
from actions.accounts import email_confirm, member_sign_up
from core.models import AuditEntry
from ideas.models import Idea
from moderation.bans import ban_create
from tests.conftest import PASSWORD
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote
from votes.services import vote_cast, vote_withdraw
from votes.staff import vote_record_for_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(category, bob):
    return IdeaFactory(author=bob, category=category, title="Standard laptop power cables")


@pytest.fixture
def pat_client(client, pat):
    client.force_login(pat)
    return client


def record(pat, idea, **overrides):
    args = {
        "staff": pat,
        "idea": idea,
        "value": 1,
        "email": "Jane.Doe@Example.com",
        "name": "Jane Doe",
        "note": "Phone call, 3 May",
    }
    return vote_record_for_customer(**{**args, **overrides})


def counts(idea) -> tuple[int, int, int]:
    idea = Idea.objects.get(pk=idea.pk)
    return idea.promotes, idea.demotes, idea.score


# ---- the service ------------------------------------------------------------------------


def test_a_new_customer_gets_an_account_without_a_password_and_the_vote(pat, idea):
    recorded = record(pat, idea)
    customer = recorded.customer
    assert recorded.account_created and recorded.outcome == "recorded"
    assert customer.recorded_customer and customer.is_active
    assert not customer.has_usable_password()
    assert customer.first_name == "Jane Doe"
    assert customer.email == "Jane.Doe@example.com"
    assert customer.username == "Jane.Doe"
    vote = Vote.objects.get(voter=customer, idea=idea)
    assert (vote.value, vote.recorded_by, vote.recorded_note) == (1, pat, "Phone call, 3 May")
    assert counts(idea) == (1, 0, 1)


def test_new_customer_usernames_are_unique(pat, idea):
    UserFactory(username="jane.doe", email="someone-else@example.com")
    first = record(pat, idea, email="jane.doe@example.org").customer
    second = record(pat, idea, email="jane.doe@example.net").customer
    assert {first.username, second.username} == {"jane.doe-2", "jane.doe-3"}


def test_an_existing_member_gets_the_vote_found_by_email_case_insensitively(pat, idea, alice):
    recorded = record(pat, idea, email=alice.email.upper(), value=-1)
    assert recorded.customer == alice and not recorded.account_created
    assert Vote.objects.get(voter=alice, idea=idea).recorded_by == pat
    assert counts(idea) == (0, 1, -1)
    assert User.objects.filter(recorded_customer=True).count() == 0


def test_a_customer_counts_once_when_recorded_twice(pat, idea):
    record(pat, idea)
    again = record(pat, idea, email="jane.doe@example.com", note="Email, 5 May")
    assert again.outcome == "unchanged" and not again.account_created
    assert "already voted" in again.message
    assert counts(idea) == (1, 0, 1)
    assert Vote.objects.filter(idea=idea).count() == 1
    assert User.objects.filter(email__iexact="jane.doe@example.com").count() == 1
    # The first recording stands: nothing changed.
    assert Vote.objects.get(idea=idea).recorded_note == "Phone call, 3 May"


def test_recording_the_other_value_switches_the_same_vote(pat, idea, alice):
    vote_cast(voter=alice, idea=idea, value=1)
    switched = record(pat, idea, email=alice.email, value=-1, note="Changed her mind on a call")
    assert switched.outcome == "switched"
    assert counts(idea) == (0, 1, -1)
    vote = Vote.objects.get(voter=alice, idea=idea)
    assert (vote.value, vote.recorded_by, vote.recorded_note) == (
        -1,
        pat,
        "Changed her mind on a call",
    )


def test_a_members_own_identical_vote_is_left_as_it_is(pat, idea, alice):
    vote_cast(voter=alice, idea=idea, value=1)
    again = record(pat, idea, email=alice.email)
    assert again.outcome == "unchanged"
    assert Vote.objects.get(voter=alice, idea=idea).recorded_by is None
    assert counts(idea) == (1, 0, 1)


def test_a_member_withdraws_a_recorded_vote_like_any_vote(pat, idea, alice):
    record(pat, idea, email=alice.email)
    vote_withdraw(voter=alice, idea=idea)
    assert counts(idea) == (0, 0, 0)


def test_recording_is_audited(pat, idea):
    recorded = record(pat, idea)
    entry = AuditEntry.objects.get(action="vote.recorded")
    assert entry.actor == pat and entry.target_id == idea.pk and entry.reason == "Phone call, 3 May"
    assert entry.after["customer_id"] == recorded.customer.pk
    assert entry.after["outcome"] == "recorded" and entry.after["value"] == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"note": "   "}, "note"),
        ({"note": "x" * 501}, "note"),
        ({"value": 0}, "value"),
    ],
)
def test_bad_input_is_refused_with_a_message_at_the_field(pat, idea, overrides, field):
    with pytest.raises(ValidationError) as error:
        record(pat, idea, **overrides)
    assert field in error.value.message_dict
    assert not Vote.objects.exists()


def test_only_product_managers_record_votes(alice, mo, idea):
    for staff in (alice, mo):
        with pytest.raises(PermissionDenied):
            record(staff, idea)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("state", ["withdrawn_at", "hidden_at"])
def test_no_vote_on_a_withdrawn_or_hidden_idea(pat, idea, state):
    Idea.objects.filter(pk=idea.pk).update(**{state: timezone.now()})
    with pytest.raises(ValidationError) as error:
        record(pat, idea)
    assert "idea" in error.value.message_dict
    assert not Vote.objects.exists() and not User.objects.filter(recorded_customer=True).exists()


def test_no_vote_for_a_banned_member(pat, mo, idea, alice):
    ban_create(moderator=mo, user=alice, reason="Spam", days=7)
    with pytest.raises(ValidationError) as error:
        record(pat, idea, email=alice.email)
    assert "email" in error.value.message_dict


# ---- claiming on sign-up ----------------------------------------------------------------


def _confirm_link(mail) -> str:
    """The path of the confirmation link in a sent email."""
    return "/accounts/email/confirm/" + mail.body.split("/accounts/email/confirm/")[1].split()[0]


def test_signing_up_with_the_email_claims_the_votes_only_once_the_address_is_proved(
    pat, idea, mailoutbox, django_capture_on_commit_callbacks
):
    customer = record(pat, idea).customer
    with django_capture_on_commit_callbacks(execute=True):
        user = member_sign_up(username="jane", email="jane.doe@example.com", password=PASSWORD)
    # Anyone may type a customer's address: the sign-up alone takes nothing.
    assert user.pk != customer.pk and user.email_verified_at is None
    assert Vote.objects.get(idea=idea).voter_id == customer.pk

    email_confirm(link=email_link_read(_confirm_link(mailoutbox[-1]).split("/")[-2]))

    user.refresh_from_db()
    assert user.email_verified_at is not None and user.check_password(PASSWORD)
    assert Vote.objects.get(idea=idea).voter_id == user.pk
    assert counts(idea) == (1, 0, 1)
    customer.refresh_from_db()
    assert customer.deleted_at is not None and customer.email == ""
    assert User.objects.filter(email__iexact="jane.doe@example.com").count() == 1


def test_a_sign_up_claims_through_the_link_and_sees_the_vote_as_theirs(
    client, pat, idea, mailoutbox, django_capture_on_commit_callbacks
):
    record(pat, idea)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signup"),
            {
                "username": "Jane",
                "email": "jane.doe@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert client.get(idea.get_absolute_url()).context["idea"].viewer_vote is None
    link = _confirm_link(mailoutbox[-1])
    assert client.post(link).status_code == 302
    user = User.objects.get(email__iexact="jane.doe@example.com", deleted_at__isnull=True)
    assert not user.recorded_customer and user.username == "Jane"
    page = client.get(idea.get_absolute_url())
    html = page.content.decode()
    assert page.context["viewer_vote_recorded"] is True
    promote_id = f'id="vote-{idea.pk}-promote"'
    assert promote_id in html
    promote = html.split(promote_id)[1].split(">")[0]
    assert 'aria-pressed="true"' in promote
    assert "recorded by staff" in html
    # They withdraw it like any vote.
    client.post(reverse("idea-vote", args=[idea.pk]), {"value": "0"})
    assert counts(idea) == (0, 0, 0)


def test_a_member_who_also_voted_keeps_their_own_vote_when_claiming(
    pat, idea, mailoutbox, django_capture_on_commit_callbacks
):
    record(pat, idea)  # a promote recorded for the customer
    with django_capture_on_commit_callbacks(execute=True):
        user = member_sign_up(username="jane", email="jane.doe@example.com", password=PASSWORD)
    vote_cast(voter=user, idea=idea, value=-1)
    assert counts(idea) == (1, 1, 0)
    email_confirm(link=email_link_read(_confirm_link(mailoutbox[-1]).split("/")[-2]))
    assert list(Vote.objects.filter(idea=idea).values_list("voter_id", "value")) == [(user.pk, -1)]
    assert counts(idea) == (0, 1, -1)


def test_the_sign_up_form_refuses_a_taken_username_but_not_a_members_email(client, alice):
    response = client.post(
        reverse("signup"),
        {"username": "alice", "email": alice.email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username"}


def test_a_recorded_vote_never_goes_to_an_unverified_account(pat, idea, alice):
    User.objects.filter(pk=alice.pk).update(email_verified_at=None)
    recorded = record(pat, idea, email=alice.email)
    assert recorded.customer.pk != alice.pk and recorded.customer.recorded_customer


def test_a_member_sees_a_recorded_vote_as_theirs_at_once(client, pat, idea, alice):
    record(pat, idea, email=alice.email)
    client.force_login(alice)
    page = client.get(idea.get_absolute_url())
    assert page.context["idea"].viewer_vote == 1
    assert page.context["viewer_vote_recorded"] is True


def test_a_members_own_vote_has_no_staff_note(client, idea, alice):
    vote_cast(voter=alice, idea=idea, value=1)
    client.force_login(alice)
    page = client.get(idea.get_absolute_url())
    assert page.context["viewer_vote_recorded"] is False
    assert "recorded by staff" not in page.content.decode()


# ---- the page ---------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "email": "jane.doe@example.com",
        "name": "Jane Doe",
        "value": "1",
        "note": "Phone call, 3 May",
    }
    return {**data, **overrides}


def test_a_pm_records_a_vote_from_the_idea_page(pat_client, pat, idea):
    page = pat_client.get(idea.get_absolute_url())
    html = page.content.decode()
    assert "Record a customer&#x27;s vote" in html or "Record a customer's vote" in html
    assert reverse("idea-record-vote", args=[idea.pk]) in html
    assert "0 votes recorded by staff" in html
    response = pat_client.post(reverse("idea-record-vote", args=[idea.pk]), form_data())
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    assert ["Vote recorded" in str(m) for m in get_messages(response.wsgi_request)] == [True]
    assert counts(idea) == (1, 0, 1)
    page = pat_client.get(idea.get_absolute_url())
    assert "1 vote recorded by staff" in page.content.decode()


def test_invalid_input_comes_back_at_the_fields(pat_client, idea):
    response = pat_client.post(
        reverse("idea-record-vote", args=[idea.pk]), form_data(email="nope", note="")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "note"}
    assert "Record vote" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_visitor_is_sent_to_log_in(client, idea):
    response = client.post(reverse("idea-record-vote", args=[idea.pk]), form_data())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Vote.objects.exists()


def test_a_member_is_refused(alice_client, idea):
    response = alice_client.post(reverse("idea-record-vote", args=[idea.pk]), form_data())
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_the_form_only_takes_posts(pat_client, idea):
    assert pat_client.get(reverse("idea-record-vote", args=[idea.pk])).status_code == 405


def test_a_hidden_idea_is_not_found(pat_client, idea):
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    response = pat_client.post(reverse("idea-record-vote", args=[idea.pk]), form_data())
    assert response.status_code == 404


def test_members_see_no_pm_panel(alice_client, idea):
    page = alice_client.get(idea.get_absolute_url())
    assert "record_vote_form" not in page.context and "segments" not in page.context
    assert "Record vote" not in page.content.decode()


def test_proving_the_address_by_a_password_reset_claims_the_recorded_votes(client, pat, idea):
    from django.core import mail

    from tests.accounts.test_password_reset import ask, reset_link, reset_with

    customer = record(pat, idea).customer
    jane = UserFactory(username="jane", email="jane.doe@example.com", email_verified_at=None)
    ask(client, "jane.doe@example.com")
    reset_with(client, reset_link(mail.outbox[-1]))
    jane.refresh_from_db()
    assert jane.email_verified
    assert Vote.objects.get(idea=idea).voter_id == jane.pk
    customer.refresh_from_db()
    assert customer.deleted_at is not None
