"""The network a request comes from, as the vote-stuffing job groups voters: an IPv4 /24 or an
IPv6 /48. Only the network is kept, never the address."""

import ipaddress

from django.conf import settings

IPV4_PREFIX = 24
IPV6_PREFIX = 48


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For address when
    IDEASTORM_TRUST_X_FORWARDED_FOR is on (behind a proxy that sets it)."""
    if settings.IDEASTORM_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def network_of(request) -> str:
    """The client's network (see client_address)."""
    return network_of_address(client_address(request))


def network_of_address(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
