"""core.outbound: the one place that decides where the server may connect, and connects
only there (the checked address, no redirects, one deadline, a short excerpt)."""

import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings

from core import outbound
from core.outbound import Refused, Unresolvable, address_refusal, destination_check

ip = ipaddress.ip_address
LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.fixture(autouse=True)
def site_is_testserver(settings):
    # The site is not on loopback here, so a test may open 127.0.0.1 to reach its receiver.
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.IDEASTORM_SITE_URL = "http://testserver"


@pytest.fixture
def dns(monkeypatch):
    """Made-up names and their addresses; other names go to the real resolver."""
    names: dict[str, list[str]] = {}
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in names:
            return real(host, port, family, type, proto, flags)
        lookups.append(host)
        if not names[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port or 0))
            if ":" not in a
            else (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port, 0, 0))
            for a in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    names["__lookups__"] = lookups  # type: ignore[assignment]
    return names


class Seen:
    def __init__(self):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.sni: list[str | None] = []


def start(handler_class, host="127.0.0.1", tls: ssl.SSLContext | None = None):
    server = ThreadingHTTPServer((host, 0), handler_class)
    server.seen = Seen()
    if tls is not None:
        tls.sni_callback = lambda sock, name, ctx: server.seen.sni.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def stop(server):
    server.shutdown()
    server.server_close()


class Ok(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.requests.append((self.path, dict(self.headers), body))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"created\n\tfine")

    def log_message(self, *args):
        pass


# -- which addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address (127.0.0.1)"),
        ("::1", "a loopback address (::1)"),
        ("0.0.0.0", "an unspecified address (0.0.0.0)"),
        ("::", "an unspecified address (::)"),
        ("169.254.169.254", "a link-local address (169.254.169.254)"),
        ("fe80::1", "a link-local address (fe80::1)"),
        ("10.0.0.1", "a private address (10.0.0.1)"),
        ("172.31.255.255", "a private address (172.31.255.255)"),
        ("192.168.0.1", "a private address (192.168.0.1)"),
        ("fc00::1", "a private address (fc00::1)"),
        ("fec0::1", "a site-local address (fec0::1)"),
        ("100.127.255.254", "a shared (carrier-grade NAT) address (100.127.255.254)"),
        ("239.255.255.250", "a multicast address (239.255.255.250)"),
        ("ff02::1", "a multicast address (ff02::1)"),
        ("240.0.0.1", "a reserved address (240.0.0.1)"),
        ("255.255.255.255", "a reserved address (255.255.255.255)"),
        ("192.0.0.8", "a reserved address (192.0.0.8)"),
        ("192.0.2.10", "a private address (192.0.2.10)"),
        (
            "::ffff:169.254.169.254",
            "a link-local address (169.254.169.254 inside ::ffff:a9fe:a9fe)",
        ),
        ("::ffff:0.0.0.0", "an unspecified address (0.0.0.0 inside ::ffff:0:0)"),
        ("2002:c0a8:101::1", "a private address (192.168.1.1 inside 2002:c0a8:101::1)"),
        ("64:ff9b::a9fe:a9fe", "a link-local address (169.254.169.254 inside 64:ff9b::a9fe:a9fe)"),
        ("64:ff9b:1::7f00:1", "a loopback address (127.0.0.1 inside 64:ff9b:1::7f00:1)"),
        ("93.184.215.14", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("2002:5db8:d70e::1", None),  # 6to4 of a public address
        ("::ffff:93.184.215.14", None),
    ],
)
def test_each_address_class_is_named(address, reason):
    assert address_refusal(ip(address)) == reason


def test_the_allow_list_opens_exactly_the_listed_networks():
    allowed = (ipaddress.ip_network("10.1.2.0/24"), ipaddress.ip_network("fd00:1::/32"))
    assert address_refusal(ip("10.1.2.0"), allowed) is None
    assert address_refusal(ip("10.1.2.255"), allowed) is None
    assert address_refusal(ip("::ffff:10.1.2.3"), allowed) is None  # the same address
    assert address_refusal(ip("fd00:1:ffff::1"), allowed) is None
    assert address_refusal(ip("10.1.3.0"), allowed) == "a private address (10.1.3.0)"
    assert address_refusal(ip("10.1.1.255"), allowed) == "a private address (10.1.1.255)"
    assert address_refusal(ip("fd00:2::1"), allowed) == "a private address (fd00:2::1)"
    assert address_refusal(ip("127.0.0.1"), allowed) == "a loopback address (127.0.0.1)"


def test_the_allow_list_never_opens_the_unspecified_address():
    everything = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
    assert address_refusal(ip("127.0.0.1"), everything) is None
    assert address_refusal(ip("0.0.0.0"), everything) == "an unspecified address (0.0.0.0)"
    assert address_refusal(ip("::"), everything) == "an unspecified address (::)"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://93.184.215.14/", "only http and https URLs are allowed, not ftp"),
        ("file:///etc/passwd", "only http and https URLs are allowed, not file"),
        ("//93.184.215.14/", "only http and https URLs are allowed, not no scheme"),
        ("http://u:p@93.184.215.14/", "a user name or password in the URL is not allowed"),
        ("http://93.184.215.14:0/", "port 0 is not allowed"),
        ("http://93.184.215.14:99999/", "the URL is malformed or its port is not a number"),
        ("http:///path", "the URL has no host"),
        ("http://LOCALHOST./", "localhost is not allowed"),
        ("http://[fe80::1%25eth0]/", "an IPv6 zone (fe80::1%25eth0) is not allowed"),
    ],
)
def test_urls_that_are_not_plain_http_to_a_host_are_refused(url, reason):
    with pytest.raises(Refused, match="^" + reason.replace("(", r"\(").replace(")", r"\)")):
        destination_check(url)


@pytest.mark.parametrize("host", ["0177.0.0.1", "2130706433", "0x7f.1", "127.1"])
def test_other_spellings_of_loopback_are_refused_by_their_address(host):
    with pytest.raises(Refused) as refused:
        destination_check(f"http://{host}:8000/")
    assert str(refused.value) == f"{host} points at a loopback address (127.0.0.1)"


def test_every_record_of_a_name_is_checked(dns):
    dns["mixed.example.com"] = ["93.184.215.14", "2606:2800:220:1::1", "::ffff:127.0.0.1"]
    with pytest.raises(Refused) as refused:
        destination_check("https://mixed.example.com/")
    assert str(refused.value) == (
        "mixed.example.com points at a loopback address (127.0.0.1 inside ::ffff:7f00:1)"
    )


def test_a_name_without_addresses_is_unresolvable(dns):
    dns["gone.example.com"] = []
    with pytest.raises(Unresolvable, match=r"gone\.example\.com does not resolve"):
        destination_check("https://gone.example.com/")


def test_a_public_destination_keeps_its_host_port_and_every_checked_address(dns):
    dns["hooks.example.com"] = ["93.184.215.14", "2606:2800:220:1::1"]
    found = destination_check("https://Hooks.Example.com./in?x=1#frag")
    assert (found.scheme, found.host, found.port, found.target) == (
        "https",
        "hooks.example.com",
        443,
        "/in?x=1",
    )
    assert found.addresses == (
        (socket.AF_INET, ("93.184.215.14", 443)),
        (socket.AF_INET6, ("2606:2800:220:1::1", 443, 0, 0)),
    )


def test_this_sites_names_and_addresses_are_refused_whatever_the_allow_list(settings, dns):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".board.example"]
    settings.IDEASTORM_SITE_URL = "https://ideas.example.com"
    dns["ideas.example.com"] = ["93.184.215.14"]
    dns["alias.example.net"] = ["93.184.215.14"]
    everything = (ipaddress.ip_network("0.0.0.0/0"),)
    cases = {
        "https://ideas.example.com/": "ideas.example.com is this site's own host name",
        "https://x.board.example/": "x.board.example is this site's own host name",
        "https://alias.example.net/": (
            "alias.example.net points at this site's own address (93.184.215.14)"
        ),
        "http://127.0.0.1:8000/": "it points at this site's own address (127.0.0.1)",
        "http://[::ffff:127.0.0.1]:8000/": ("it points at this site's own address (::ffff:7f00:1)"),
    }
    for url, reason in cases.items():
        with pytest.raises(Refused) as refused:
            destination_check(url, allowed_networks=everything)
        assert str(refused.value) == reason, url
    destination_check("http://127.0.0.2/", allowed_networks=everything)


def test_a_wildcard_allowed_host_names_no_host(settings):
    settings.ALLOWED_HOSTS = ["*"]
    destination_check("http://127.0.0.1/", allowed_networks=LOOPBACK_ONLY)


# -- the request -------------------------------------------------------------------------------


def test_post_sends_to_the_checked_address_with_the_original_host(dns):
    server = start(Ok)
    port = server.server_port
    dns["hooks.example.com"] = ["127.0.0.1"]
    try:
        response = outbound.post(
            f"http://hooks.example.com:{port}/in?x=1",
            b'{"a":1}',
            {"X-Test": "yes"},
            allowed_networks=LOOPBACK_ONLY,
        )
    finally:
        stop(server)
    assert response == outbound.Response(201, "created fine")
    [(path, headers, body)] = server.seen.requests
    assert (path, headers["Host"], headers["X-Test"], body) == (
        "/in?x=1",
        f"hooks.example.com:{port}",
        "yes",
        b'{"a":1}',
    )
    assert dns["__lookups__"] == ["hooks.example.com"]  # resolved once: the check's answer


def test_post_refuses_before_connecting(dns):
    server = start(Ok)
    dns["hooks.example.com"] = ["127.0.0.1"]
    try:
        with pytest.raises(Refused, match="points at a loopback address"):
            outbound.post(f"http://hooks.example.com:{server.server_port}/", b"", {})
    finally:
        stop(server)
    assert server.seen.requests == []


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A self-signed certificate for hooks.example.test, and one for another name."""
    folder = tmp_path_factory.mktemp("tls")
    made = {}
    for name in ("hooks.example.test", "other.example.test"):
        key, cert = folder / f"{name}.key", folder / f"{name}.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
                "-addext", f"subjectAltName=DNS:{name}",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        made[name] = (cert, key)
    return made


def tls_server(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return start(Ok, tls=context)


def test_https_sends_the_host_name_as_sni_and_verifies_the_certificate_for_it(dns, certificates):
    cert, key = certificates["hooks.example.test"]
    server = tls_server(cert, key)
    dns["hooks.example.test"] = ["127.0.0.1"]
    trusting = ssl.create_default_context(cafile=str(cert))
    try:
        response = outbound.post(
            f"https://hooks.example.test:{server.server_port}/",
            b"{}",
            {},
            allowed_networks=LOOPBACK_ONLY,
            ssl_context=trusting,
        )
    finally:
        stop(server)
    assert response.status == 201
    assert server.seen.sni == ["hooks.example.test"]
    assert server.seen.requests[0][1]["Host"] == f"hooks.example.test:{server.server_port}"


def test_https_refuses_a_certificate_for_another_name(dns, certificates):
    cert, key = certificates["other.example.test"]
    server = tls_server(cert, key)
    dns["hooks.example.test"] = ["127.0.0.1"]
    trusting = ssl.create_default_context(cafile=str(cert))
    try:
        with pytest.raises(ssl.SSLCertVerificationError, match=r"hooks\.example\.test"):
            outbound.post(
                f"https://hooks.example.test:{server.server_port}/",
                b"{}",
                {},
                allowed_networks=LOOPBACK_ONLY,
                ssl_context=trusting,
            )
    finally:
        stop(server)
    assert server.seen.requests == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_silent_receiver_times_out_at_the_deadline(scheme):
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers nor shakes hands
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError, match=r"no answer within 0\.5 seconds"):
            outbound.post(
                f"{scheme}://127.0.0.1:{listener.getsockname()[1]}/",
                b"{}",
                {},
                allowed_networks=LOOPBACK_ONLY,
                timeout=0.5,
            )
        assert time.monotonic() - started < 1.5
    finally:
        listener.close()


def test_a_dribbling_receiver_is_cut_at_the_deadline():
    class Dribble(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            try:
                for _ in range(200):  # a header line, one byte every 0.05 s
                    self.wfile.write(b"x")
                    time.sleep(0.05)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = start(Dribble)
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            outbound.post(
                f"http://127.0.0.1:{server.server_port}/",
                b"{}",
                {},
                allowed_networks=LOOPBACK_ONLY,
                timeout=1,
            )
        assert time.monotonic() - started < 2
    finally:
        stop(server)


def test_an_excerpt_is_short_printable_text():
    raw = b"\x1b[2J\x00ok\r\n\tdone \xe2\x80\xae\xff" + b"y" * 500
    text = outbound.excerpt(raw, 20)
    assert text == "[2Jok done \ufffd" + "y" * 8
    assert len(outbound.excerpt(raw)) == 200


# -- the setting ---------------------------------------------------------------------------


def manage_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["10.0.0.1/8", "intranet", "10.0.0.0/33"])
def test_a_bad_allow_list_stops_start_up_naming_the_variable(value):
    result = manage_check(IDEASTORM_WEBHOOK_ALLOWED_NETWORKS=f"192.168.1.0/24,{value}")
    assert result.returncode != 0
    assert "IDEASTORM_WEBHOOK_ALLOWED_NETWORKS must be comma-separated networks" in result.stderr
    assert repr(value) in result.stderr


def test_the_allow_list_is_read_from_the_environment():
    code = (
        "from django.conf import settings; "
        "print(sorted(map(str, settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS)))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=django_settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_DEBUG": "true",
            "IDEASTORM_WEBHOOK_ALLOWED_NETWORKS": " 10.0.0.0/8 , fd00::/8,",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "['10.0.0.0/8', 'fd00::/8']", result.stderr
