"""The X-IdeaStorm-Signature header: an HMAC-SHA256 of the raw request body, keyed with the
webhook's secret, as "sha256=<hex>". A receiver recomputes it and compares in constant time."""

import hashlib
import hmac

PREFIX = "sha256="


def signature(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body), header or "")
