"""The network a request comes from, as the vote-stuffing job groups voters: an IPv4 /24 or an
IPv6 /48. Only the network is kept, never the address."""

import ipaddress
import re

from django.conf import settings

IPV4_PREFIX = 24
IPV6_PREFIX = 48
# What a proxy may write for the client in X-Forwarded-For: an address, an IPv4 address with a
# port ("1.2.3.4:5678") or a bracketed IPv6 address with or without one ("[2001:db8::1]:443").
_IPV4_WITH_PORT = re.compile(r"(?P<host>[0-9.]+):(?P<port>[0-9]{1,5})")
_BRACKETED_IPV6 = re.compile(r"\[(?P<host>[0-9A-Fa-f:.%\w-]+)\](?::(?P<port>[0-9]{1,5}))?")
MAX_PORT = 65535


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For entry when
    IDEASTORM_TRUST_X_FORWARDED_FOR is on (behind a proxy that sets it). An entry that is not
    an address (with or without a port) counts as no entry: the connecting address is used, so
    a client can never come out with no address at all (no network: the vote-stuffing job would
    skip it; a new string every time: a fresh rate-limit counter every time)."""
    if settings.IDEASTORM_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = parse_address(forwarded.split(",")[0])
            if address:
                return address
    return request.META.get("REMOTE_ADDR", "")


def parse_address(raw: str) -> str:
    """The address in a forwarded entry, in its canonical form ("" when there is none): a bare
    IPv4 or IPv6 address, "ip:port" or "[ipv6]:port". An IPv4-mapped IPv6 address is its IPv4
    address; a zone ("%eth0") is dropped."""
    raw = raw.strip()
    wanted = None  # the IP version a "host:port" form allows
    if match := _IPV4_WITH_PORT.fullmatch(raw) or _BRACKETED_IPV6.fullmatch(raw):
        if int(match["port"] or 0) > MAX_PORT:
            return ""
        raw, wanted = match["host"], 4 if match.re is _IPV4_WITH_PORT else 6
    try:
        ip = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        return ""
    if wanted is not None and ip.version != wanted:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def network_of(request) -> str:
    """The client's network (see client_address)."""
    return network_of_address(client_address(request))


def network_of_address(address: str, *, ipv6_prefix: int = IPV6_PREFIX) -> str:
    """The address's network: its IPv4 /24, or its IPv6 /48 (or the prefix given); "" for
    something that is not an address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = IPV4_PREFIX if ip.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
