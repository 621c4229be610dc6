"""Where the server may connect: the one check for URLs that someone else chose (webhooks).

destination_check(url) parses the URL, resolves its host (every A and AAAA record) and
refuses, with a reason a person can act on, anything that would let the URL's owner reach
what only the server can reach:

- a scheme other than http or https, user names or passwords in the URL, port 0;
- "localhost" and *.localhost, whatever they resolve to;
- loopback, link-local (169.254.169.254, the clouds' metadata service, among them),
  private (10/8, 172.16/12, 192.168/16, fc00::/7), shared address space (100.64/10),
  multicast, unspecified (0.0.0.0, ::), reserved and any other non-public address, and the
  IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16) and NAT64 (64:ff9b::/96) forms of those;
- this site itself: a host matching ALLOWED_HOSTS or IDEASTORM_SITE_URL's host, or an address
  those names resolve to.

A name with one refused record among several is refused: the connection may not pick.
`allowed_networks` (an operator's allow-list for an intranet) lifts the address-class
refusals for exactly those networks; the unspecified address, localhost by name and the
site's own names and addresses stay refused.

post(url, ...) runs the same check, then connects to an address it checked (so DNS answering
differently a moment later changes nothing), sends the original Host header and, for https,
the original host name as SNI, verifying the certificate against it. Redirects are never
followed (a 3xx is the answer). The whole exchange has one deadline, enforced by closing the
socket, so a receiver that dribbles bytes cannot hold a worker; at most `max_bytes` of the
body are read, and only its status and a short excerpt with control characters removed come
back. No proxy from the environment is used: a proxy would resolve the name itself.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.http import is_same_domain

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = {"http": 80, "https": 443}
EXCERPT_CHARS = 200
MAX_BYTES = 4096
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
# IETF protocol assignments: ipaddress calls only parts of it private.
IETF_PROTOCOL_ASSIGNMENTS = ipaddress.ip_network("192.0.0.0/24")
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class Refused(Exception):
    """The server may not connect there. str() says why, for a person: "10.1.2.3 is ..."."""


class Unresolvable(OSError):
    """The host name has no address (now): at delivery, worth another try later."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as sent in Host and SNI: ASCII (IDNA), an IP without brackets
    port: int
    target: str  # path and query
    # (family, sockaddr) of each checked address, in the resolver's order.
    addresses: tuple[tuple[int, tuple], ...]


@dataclass(frozen=True)
class Response:
    status: int
    excerpt: str


# -- the check -------------------------------------------------------------------------------


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in prefix for prefix in NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _address_class(ip: IPAddress) -> str | None:
    """What kind of non-public address this is ("a private address"), or None if public."""
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.version == 4 and ip in SHARED_ADDRESS_SPACE:
        return "a shared (carrier-grade NAT) address"
    if ip.version == 6 and ip.is_site_local:
        return "a site-local address"
    if ip.is_reserved or (ip.version == 4 and ip in IETF_PROTOCOL_ASSIGNMENTS):
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "a non-public address"
    return None


def _in(ip: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def address_refusal(ip: IPAddress, allowed_networks: Sequence[IPNetwork] = ()) -> str | None:
    """Why the server may not connect to this address ("a loopback address (127.0.0.1)"),
    or None. The allow-list opens the networks it names; never the unspecified address."""
    embedded = _embedded_ipv4(ip)
    if ip.is_unspecified or (embedded is not None and embedded.is_unspecified):
        shown = ip if embedded is None else f"{embedded} inside {ip}"
        return f"an unspecified address ({shown})"
    if _in(ip, allowed_networks) or (
        ip.version == 6 and ip.ipv4_mapped is not None and _in(ip.ipv4_mapped, allowed_networks)
    ):
        return None
    if embedded is not None:
        kind = _address_class(embedded)
        if kind:
            return f"{kind} ({embedded} inside {ip})"
        if ip.ipv4_mapped is not None:
            return None  # a connection to it goes to the IPv4 address, which is public
    kind = _address_class(ip)
    return f"{kind} ({ip})" if kind else None


def _own_patterns() -> list[str]:
    """ALLOWED_HOSTS ("*" aside: it names no host) and the site URL's host, lower case."""
    patterns = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    site_host = urlsplit(getattr(settings, "IDEASTORM_SITE_URL", "")).hostname
    if site_host:
        patterns.append(site_host)
    return [p.lower().strip("[]").rstrip(".") for p in patterns if p.strip("[].")]


def _own_addresses(patterns: list[str]) -> set[IPAddress]:
    """The addresses of this site: IPs among its host names, and what its names resolve to
    now (a name that does not resolve adds nothing)."""
    addresses: set[IPAddress] = set()
    for pattern in patterns:
        literal = _ip(pattern)
        if literal is not None:
            addresses.add(literal)
        elif not pattern.startswith("."):
            try:
                infos = socket.getaddrinfo(pattern, None, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError):
                continue
            addresses.update(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
    return addresses


def _ascii_host(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(f"{host!r} is not a valid host name") from None


def destination_check(url: str, *, allowed_networks: Sequence[IPNetwork] = ()) -> Destination:
    """Where a request to `url` would go, every address checked; raises Refused with the
    reason, or Unresolvable when the name has no address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("the URL is malformed or its port is not a number up to 65535") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused(f"only http and https URLs are allowed, not {scheme or 'no scheme'}")
    if parts.username is not None or parts.password is not None:
        raise Refused("a user name or password in the URL is not allowed")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if port == 0:
        raise Refused("port 0 is not allowed")
    port = port or SCHEMES[scheme]

    literal = _ip(parts.hostname)
    host = str(literal) if literal is not None else _ascii_host(parts.hostname)
    if literal is not None and literal.version == 6 and literal.scope_id:
        raise Refused(f"an IPv6 zone ({host}) is not allowed")
    # "hooks.example.com." is hooks.example.com: one spelling for the checks, Host and SNI.
    host = name = host.rstrip(".")
    if literal is None and (name == "localhost" or name.endswith(".localhost")):
        raise Refused(f"{name} is not allowed")

    # The site itself, by name...
    own = _own_patterns()
    if literal is None and any(is_same_domain(name, pattern) for pattern in own):
        raise Refused(f"{name} is this site's own host name")

    # ...and every address the name has now.
    if literal is not None and literal.version == 4:
        infos = [(socket.AF_INET, (host, port))]
    elif literal is not None:
        infos = [(socket.AF_INET6, (host, port, 0, 0))]
    else:
        try:
            found = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise Unresolvable(f"{name} does not resolve") from None
        infos = [(family, sockaddr) for family, _, _, _, sockaddr in found]
        if not infos:
            raise Unresolvable(f"{name} does not resolve")
    subject = "it" if literal is not None else name
    own_addresses = _own_addresses(own)
    checked = []
    for family, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        reason = address_refusal(ip, allowed_networks)
        if reason:
            raise Refused(f"{subject} points at {reason}")
        mapped = ip.ipv4_mapped if ip.version == 6 else None
        if ip in own_addresses or (mapped is not None and mapped in own_addresses):
            raise Refused(f"{subject} points at this site's own address ({ip})")
        if (family, sockaddr) not in checked:
            checked.append((family, sockaddr))
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(scheme, host, port, target, tuple(checked))


# -- the request -----------------------------------------------------------------------------


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to one checked address, whatever the host name resolves to now."""

    def __init__(self, destination: Destination, address: tuple[int, tuple], timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        family, sockaddr = self._address
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _PinnedTLSConnection(_PinnedConnection):
    """The same over TLS: SNI and the certificate's name are the URL's host name."""

    default_port = 443

    def __init__(self, destination, address, timeout, context: ssl.SSLContext):
        super().__init__(destination, address, timeout)
        self._tls = context

    def connect(self) -> None:
        super().connect()
        # The handshake runs on self.sock, so the deadline's shutdown can interrupt it too.
        self.sock = self._tls.wrap_socket(
            self.sock, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock.do_handshake()


def excerpt(raw: bytes, chars: int = EXCERPT_CHARS) -> str:
    """The start of a response body as text: control and format characters (escape codes,
    bidi overrides, NULs) dropped, whitespace runs made one space, at most `chars` long."""
    text = raw.decode("utf-8", "replace")
    cleaned = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return " ".join(cleaned.split())[:chars]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allowed_networks: Sequence[IPNetwork] = (),
    timeout: float = 5.0,
    max_bytes: int = MAX_BYTES,
    excerpt_chars: int = EXCERPT_CHARS,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """POST `body` to `url` if destination_check allows it (raises Refused before any
    connection otherwise). The status must arrive within `timeout` seconds of the start,
    connecting included, or TimeoutError is raised; the excerpt is what of the first
    `max_bytes` arrived by then. Network trouble raises OSError or http.client.HTTPException."""
    deadline = time.monotonic() + timeout
    destination = destination_check(url, allowed_networks=allowed_networks)
    context = ssl_context or ssl.create_default_context()
    errors: list[OSError] = []
    for address in destination.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if destination.scheme == "https":
            conn = _PinnedTLSConnection(destination, address, remaining, context)
        else:
            conn = _PinnedConnection(destination, address, remaining)
        expired = threading.Event()

        def expire(conn=conn, expired=expired) -> None:
            # Wakes a blocked connect or read at once: the deadline holds whatever the
            # receiver sends, or how slowly.
            expired.set()
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(remaining, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                conn.connect()
            except OSError as error:
                if expired.is_set() or isinstance(error, TimeoutError):
                    raise TimeoutError(f"no answer within {timeout:g} seconds") from None
                errors.append(error)
                continue
            try:
                conn.request(
                    "POST",
                    destination.target,
                    body=body,
                    headers={**headers, "Connection": "close"},
                )
                response = conn.getresponse()
            except (OSError, http.client.HTTPException):
                if expired.is_set():
                    raise TimeoutError(f"no answer within {timeout:g} seconds") from None
                raise
            if expired.is_set():
                # The deadline's shutdown can end a status line or headers early, which
                # http.client reads as the end of the headers.
                raise TimeoutError(f"no answer within {timeout:g} seconds")
            chunks: list[bytes] = []
            received = 0
            try:
                while received < max_bytes and not expired.is_set():
                    chunk = response.read1(max_bytes - received)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    received += len(chunk)
            except (OSError, http.client.HTTPException):
                pass  # the status is the answer; the excerpt is whatever came
            return Response(response.status, excerpt(b"".join(chunks), excerpt_chars))
        finally:
            watchdog.cancel()
            conn.close()
    if errors:
        raise errors[-1]
    raise TimeoutError(f"no answer within {timeout:g} seconds")
