"""Client addresses behind a trusted proxy (core.network): an X-Forwarded-For entry with a
port is parsed, anything that is not an address counts as the connecting address, so no client
comes out with an empty network (which the vote-stuffing job skips) or a new rate-limit
subject per request. Per-address rate limits count an IPv6 client by its /64."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core import ratelimit
from core.network import client_address, network_of, parse_address
from tests.factories import IdeaFactory
from votes.models import Vote

PROXY = "10.0.0.5"


@pytest.fixture
def trusted_proxy(settings):
    settings.IDEASTORM_TRUST_X_FORWARDED_FOR = True


def request_from(forwarded: str, remote: str = PROXY):
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.parametrize(
    ("forwarded", "address", "network"),
    [
        ("198.51.100.7", "198.51.100.7", "198.51.100.0/24"),
        ("198.51.100.7:5678", "198.51.100.7", "198.51.100.0/24"),
        (" 198.51.100.7:5678 , 10.0.0.1", "198.51.100.7", "198.51.100.0/24"),
        ("[2001:db8:1:2::1]:443", "2001:db8:1:2::1", "2001:db8:1::/48"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::1", "2001:db8:1::/48"),
        ("2001:db8:1:2::1", "2001:db8:1:2::1", "2001:db8:1::/48"),
        ("::ffff:198.51.100.7", "198.51.100.7", "198.51.100.0/24"),
        # Not an address: the connecting address (the proxy's) stands in.
        ("unknown", PROXY, "10.0.0.0/24"),
        ("_hidden", PROXY, "10.0.0.0/24"),
        ("198.51.100.7:99999", PROXY, "10.0.0.0/24"),
        ("[2001:db8::1]:x", PROXY, "10.0.0.0/24"),
        ("example.com", PROXY, "10.0.0.0/24"),
        ("", PROXY, "10.0.0.0/24"),
    ],
)
def test_forwarded_entries_give_an_address_and_a_network(
    trusted_proxy, forwarded, address, network
):
    request = request_from(forwarded)
    assert client_address(request) == address
    assert network_of(request) == network


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.IDEASTORM_TRUST_X_FORWARDED_FOR = False
    assert client_address(request_from("198.51.100.7")) == PROXY


def test_parse_address_refuses_what_is_not_one():
    assert parse_address("1.2.3") == ""
    assert parse_address("1.2.3.4:") == ""
    assert parse_address("[1.2.3.4]") == ""  # brackets are for IPv6
    assert parse_address("fe80::1%eth0") == "fe80::1"


@pytest.mark.django_db
def test_a_vote_behind_a_proxy_with_a_junk_header_keeps_a_network(client, alice, trusted_proxy):
    idea = IdeaFactory()
    client.force_login(alice)
    client.post(
        reverse("idea-vote", args=[idea.pk]),
        {"value": "1"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="unknown",
    )
    assert Vote.objects.get().network == "203.0.113.0/24"


def sign_up(client, n: int, **extra):
    client.logout()
    return client.post(
        reverse("signup"),
        {
            "username": f"newcomer{n}",
            "email": f"newcomer{n}@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
        **extra,
    )


@pytest.mark.django_db
def test_rotating_a_junk_forwarded_header_does_not_get_past_the_signup_limit(client, trusted_proxy):
    statuses = [
        sign_up(client, n, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"junk-{n}").status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


@pytest.mark.django_db
def test_rotating_a_port_does_not_get_past_the_signup_limit(client, trusted_proxy):
    statuses = [
        sign_up(client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.7:{1000 + n}").status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


@pytest.mark.django_db
def test_ipv6_clients_are_limited_per_slash_64(client):
    statuses = [
        sign_up(client, n, REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").status_code for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    # The next /64 is another subject.
    assert sign_up(client, 99, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_rate_limit_subjects():
    assert ratelimit._subject("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert ratelimit._subject("198.51.100.7") == "198.51.100.7"
    assert ratelimit._subject(42) == 42
