"""A webhook URL may not reach what only the server can reach (loopback, private networks,
the cloud's metadata service, this site): refused when an admin registers it, and again at
each delivery, when the name may resolve elsewhere (core.outbound)."""

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from tests.webhooks.conftest import CountingServer, Receiver, serve
from webhooks import services, tasks
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db

PUBLIC_IP = "93.184.215.14"


@pytest.fixture
def admin_client(client, site_is_testserver):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def register(admin_client, url: str):
    return admin_client.post(
        "/admin/webhooks/webhook/add/", {"url": url, "events": ["idea.created"], "active": "on"}
    )


def url_errors(response) -> list[str]:
    assert response.status_code == 200, "the form was accepted"
    return response.context_data["adminform"].form.errors["url"]


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 and records the request; stands for a service only the server can reach."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.state.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def internal_service():
    """An HTTP service on 127.0.0.3, which no test opens to webhooks."""
    state = Receiver(url="")
    state.port, stop = serve(Recorder, state, host="127.0.0.3")
    state.url = f"http://127.0.0.3:{state.port}/internal"
    yield state
    stop()


# -- at registration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hook", "it points at a loopback address (127.0.0.1)"),
        ("http://127.8.9.10/", "it points at a loopback address (127.8.9.10)"),
        ("http://[::1]:8000/", "it points at a loopback address (::1)"),
        ("http://localhost:8000/", "localhost is not allowed"),
        ("https://admin.localhost/", "admin.localhost is not allowed"),
        ("http://0.0.0.0:8000/", "it points at an unspecified address (0.0.0.0)"),
        ("http://[::]/", "it points at an unspecified address (::)"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "it points at a link-local address (169.254.169.254)",
        ),
        ("http://[fe80::1]/", "it points at a link-local address (fe80::1)"),
        ("http://10.1.2.3/hook", "it points at a private address (10.1.2.3)"),
        ("http://172.16.5.4/", "it points at a private address (172.16.5.4)"),
        ("http://192.168.1.10/", "it points at a private address (192.168.1.10)"),
        ("http://[fd12:3456::1]/", "it points at a private address (fd12:3456::1)"),
        (
            "http://100.64.0.1/",
            "it points at a shared (carrier-grade NAT) address (100.64.0.1)",
        ),
        ("http://224.0.0.251/", "it points at a multicast address (224.0.0.251)"),
        ("http://240.0.0.1/", "it points at a reserved address (240.0.0.1)"),
        (
            "http://[::ffff:127.0.0.1]/",
            "it points at a loopback address (127.0.0.1 inside ::ffff:7f00:1)",
        ),
        (
            "http://[::ffff:10.1.2.3]/",
            "it points at a private address (10.1.2.3 inside ::ffff:a01:203)",
        ),
        (
            "http://[2002:a9fe:a9fe::1]/",
            "it points at a link-local address (169.254.169.254 inside 2002:a9fe:a9fe::1)",
        ),
        (
            "http://[64:ff9b::7f00:1]/",
            "it points at a loopback address (127.0.0.1 inside 64:ff9b::7f00:1)",
        ),
        (f"http://user:secret@{PUBLIC_IP}/", "a user name or password in the URL is not allowed"),
    ],
)
def test_each_internal_destination_is_refused_at_registration_with_the_reason(
    admin_client, url, reason
):
    assert url_errors(register(admin_client, url)) == [f"This URL is refused: {reason}."]
    assert not Webhook.objects.exists()


def test_a_name_with_an_internal_address_among_its_records_is_refused(admin_client, dns):
    dns["intranet.example.com"] = [PUBLIC_IP, "10.0.0.5"]
    assert url_errors(register(admin_client, "https://intranet.example.com/hook")) == [
        "This URL is refused: intranet.example.com points at a private address (10.0.0.5)."
    ]


def test_a_name_that_does_not_resolve_is_refused(admin_client, dns):
    dns["nowhere.example.com"] = []
    assert url_errors(register(admin_client, "https://nowhere.example.com/hook")) == [
        "This URL is refused: nowhere.example.com does not resolve."
    ]


def test_the_site_itself_is_refused_by_name_and_by_address(admin_client, settings, dns):
    settings.ALLOWED_HOSTS = ["testserver", ".example.org"]
    settings.IDEASTORM_SITE_URL = "https://ideas.example.com"
    dns["ideas.example.com"] = [PUBLIC_IP]
    dns["alias.example.net"] = [PUBLIC_IP]
    dns["hooks.example.org"] = ["93.184.215.15"]

    assert url_errors(register(admin_client, "https://ideas.example.com/api/")) == [
        "This URL is refused: ideas.example.com is this site's own host name."
    ]
    assert url_errors(register(admin_client, "https://hooks.example.org/")) == [
        "This URL is refused: hooks.example.org is this site's own host name."
    ]
    assert url_errors(register(admin_client, "https://alias.example.net/")) == [
        f"This URL is refused: alias.example.net points at this site's own address ({PUBLIC_IP})."
    ]
    assert not Webhook.objects.exists()


def test_a_public_destination_is_registered(admin_client, dns):
    dns["hooks.example.com"] = [PUBLIC_IP, "2606:2800:220:1:248:1893:25c8:1946"]
    assert register(admin_client, "https://hooks.example.com/ideastorm").status_code == 302
    assert Webhook.objects.get().url == "https://hooks.example.com/ideastorm"


def test_editing_a_webhook_to_an_internal_address_is_refused(admin_client, dns):
    dns["hooks.example.com"] = [PUBLIC_IP]
    webhook = Webhook.objects.create(url="https://hooks.example.com/", events=[])
    response = admin_client.post(
        f"/admin/webhooks/webhook/{webhook.pk}/change/",
        {"url": "http://169.254.169.254/latest/", "events": [], "active": "on"},
    )
    assert url_errors(response) == [
        "This URL is refused: it points at a link-local address (169.254.169.254)."
    ]
    webhook.refresh_from_db()
    assert webhook.url == "https://hooks.example.com/"


def test_the_models_own_validation_gives_the_same_reason(site_is_testserver):
    with pytest.raises(ValidationError) as refused:
        Webhook(url="http://10.1.2.3/", events=[]).full_clean()
    assert refused.value.message_dict["url"] == [
        "This URL is refused: it points at a private address (10.1.2.3)."
    ]


def test_the_allow_list_opens_exactly_the_listed_range(admin_client, settings):
    settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS = (ipaddress.ip_network("10.1.2.0/24"),)
    assert register(admin_client, "http://10.1.2.3/hook").status_code == 302
    assert register(admin_client, "http://10.1.2.255/hook").status_code == 302
    for outside in ("10.1.3.1", "10.1.1.255", "10.0.0.1"):
        assert url_errors(register(admin_client, f"http://{outside}/hook")) == [
            f"This URL is refused: it points at a private address ({outside})."
        ]
    assert url_errors(register(admin_client, "http://127.0.0.1/hook")) == [
        "This URL is refused: it points at a loopback address (127.0.0.1)."
    ]
    assert sorted(Webhook.objects.values_list("url", flat=True)) == [
        "http://10.1.2.255/hook",
        "http://10.1.2.3/hook",
    ]


def test_the_allow_list_never_opens_this_sites_own_address(admin_client, settings):
    # The default host names: this site answers on 127.0.0.1.
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"),)
    assert url_errors(register(admin_client, "http://127.0.0.1:8000/")) == [
        "This URL is refused: it points at this site's own address (127.0.0.1)."
    ]
    assert register(admin_client, "http://127.0.0.2:9000/").status_code == 302


# -- at delivery -------------------------------------------------------------------------------


def test_a_name_that_now_resolves_to_loopback_is_refused_at_delivery_without_connecting(
    admin_client, receiver, dns, settings
):
    settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS = ()
    dns["hooks.example.com"] = [PUBLIC_IP]
    url = f"http://hooks.example.com:{receiver.port}/hook"
    assert register(admin_client, url).status_code == 302

    dns["hooks.example.com"] = ["127.0.0.1"]  # the name's owner changes its DNS
    delivery = services.webhook_ping(webhook=Webhook.objects.get())
    assert services.delivery_send(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.error == (
        "Refused, not sent: hooks.example.com points at a loopback address (127.0.0.1)."
    )
    assert (delivery.response_code, delivery.attempts, delivery.next_attempt_at) == (None, 1, None)
    assert receiver.connections == 0 and receiver.requests == []
    # Failed for good: the retry job leaves it alone.
    assert tasks.deliveries_retry.run()["attempted"] == 0
    assert receiver.connections == 0


def serve_twins() -> tuple[Receiver, Receiver, int, list]:
    """Recorders on 127.0.0.1 and 127.0.0.3 on one port: (allowed, internal, port, stops)."""
    for _ in range(20):
        internal = Receiver(url="")
        internal.port, stop_internal = serve(Recorder, internal, host="127.0.0.3")
        allowed = Receiver(url="")
        try:
            allowed.port, stop_allowed = serve_on(Recorder, allowed, "127.0.0.1", internal.port)
        except OSError:  # the port is taken on 127.0.0.1: another try
            stop_internal()
            continue
        return allowed, internal, internal.port, [stop_allowed, stop_internal]
    pytest.fail("no port free on both 127.0.0.1 and 127.0.0.3")


def serve_on(handler, state, host: str, port: int):
    server = CountingServer((host, port), handler, state)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return port, stop


def test_the_request_goes_to_the_address_that_was_checked(loopback_allowed, dns):
    # The name answers 127.0.0.1 (allowed) once, then 127.0.0.3, where an internal service
    # listens on the same port: a connection that resolved the name again would reach it.
    allowed, internal, port, stops = serve_twins()
    lookups = []

    def rebinding():
        lookups.append(1)
        return ["127.0.0.1"] if len(lookups) == 1 else ["127.0.0.3"]

    dns["rebind.example.com"] = rebinding
    try:
        webhook = Webhook.objects.create(url=f"http://rebind.example.com:{port}/hook", events=[])
        delivery = services.webhook_ping(webhook=webhook)
        outcome = services.delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert outcome == "succeeded", (delivery.error, lookups)
    finally:
        for stop in stops:
            stop()
    assert len(lookups) == 1
    assert allowed.requests == ["/hook"]
    assert internal.connections == 0 and internal.requests == []


def test_a_redirect_to_an_internal_address_is_not_followed(receiver, internal_service, dns):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.server.state.requests.append(self.path)
            self.send_response(307)
            self.send_header("Location", internal_service.url)
            self.end_headers()

        def log_message(self, *args):
            pass

    state = Receiver(url="")
    port, stop = serve(Redirect, state)
    try:
        webhook = Webhook.objects.create(url=f"http://127.0.0.1:{port}/hook", events=[])
        delivery = services.webhook_ping(webhook=webhook)
        assert services.delivery_send(delivery_id=delivery.pk) == "pending"
    finally:
        stop()
    delivery.refresh_from_db()
    assert (delivery.response_code, delivery.error) == (307, "HTTP 307: redirects are not followed")
    assert state.requests == ["/hook"]
    assert internal_service.connections == 0 and internal_service.requests == []


def test_a_huge_answer_is_cut_to_a_short_excerpt_and_not_read_to_the_end(receiver):
    fifty_mb = 50 * 1024 * 1024
    done = threading.Event()
    sent = []

    class Huge(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", str(fifty_mb))
            self.end_headers()
            chunk = (b"\x1b[31mred\x1b[0m \x00\x07\r\n\xe2\x80\xaeevil " * 2000)[:65536]
            total = 0
            try:
                while total < fifty_mb:  # made as it is sent, never held whole
                    self.wfile.write(chunk)
                    total += len(chunk)
            except OSError:
                pass
            finally:
                sent.append(total)
                done.set()

        def log_message(self, *args):
            pass

    port, stop = serve(Huge, Receiver(url=""))
    try:
        webhook = Webhook.objects.create(url=f"http://127.0.0.1:{port}/hook", events=[])
        delivery = services.webhook_ping(webhook=webhook)
        started = time.monotonic()
        assert services.delivery_send(delivery_id=delivery.pk) == "succeeded"
        elapsed = time.monotonic() - started
        assert done.wait(10), "the receiver was still sending"
    finally:
        stop()
    delivery.refresh_from_db()
    assert elapsed < 2
    assert len(delivery.response_body) == 200
    assert delivery.response_body.startswith("[31mred[0m evil [31mred[0m")
    assert not any(ord(ch) < 32 or ch == "\u202e" for ch in delivery.response_body)
    # The connection closed after the excerpt: far less than the 50 MB left the receiver.
    assert sent[0] < 16 * 1024 * 1024


def test_a_receiver_that_dribbles_its_answer_times_out(receiver):
    class Dribble(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            try:
                for _ in range(300):  # one byte every 0.1 s, 30 s in all
                    self.wfile.write(b"z")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    port, stop = serve(Dribble, Receiver(url=""))
    try:
        webhook = Webhook.objects.create(url=f"http://127.0.0.1:{port}/hook", events=[])
        delivery = services.webhook_ping(webhook=webhook)
        started = time.monotonic()
        assert services.delivery_send(delivery_id=delivery.pk) == "pending"
        elapsed = time.monotonic() - started
    finally:
        stop()
    delivery.refresh_from_db()
    assert services.TIMEOUT_SECONDS - 0.5 < elapsed < services.TIMEOUT_SECONDS + 1.5
    assert delivery.response_code is None
    assert delivery.error == "TimeoutError: no answer within 5 seconds"
    assert delivery.next_attempt_at is not None  # retried later, like any timeout


def test_the_allow_list_opens_only_its_range_at_delivery_too(receiver, internal_service):
    # 127.0.0.1/32 is open (the receiver); 127.0.0.3 is not.
    inside = Webhook.objects.create(url=receiver.url, events=[])
    outside = Webhook.objects.create(url=internal_service.url, events=[])
    assert services.delivery_send(delivery_id=services.webhook_ping(webhook=inside).pk) == (
        "succeeded"
    )
    refused = services.webhook_ping(webhook=outside)
    assert services.delivery_send(delivery_id=refused.pk) == "failed"
    refused.refresh_from_db()
    assert refused.error == "Refused, not sent: it points at a loopback address (127.0.0.3)."
    assert internal_service.connections == 0 and len(receiver.requests) == 1


def test_the_delivery_log_shows_only_the_excerpt(receiver, make_webhook, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    delivery = services.webhook_ping(webhook=make_webhook())
    services.delivery_send(delivery_id=delivery.pk)
    page = client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()
    assert "Response (first 200 characters)" in page
    assert ("thanks " * 40).strip()[:200] in page and ("thanks " * 40) not in page
