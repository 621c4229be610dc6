"""How deliveries are signed. Two header sets, made with the same key:

- X-IdeaStorm-Signature: "sha256=<hex>", the HMAC-SHA256 of the raw request body keyed with
  the webhook's secret (its UTF-8 bytes), made with the current secret.
- Standard Webhooks (https://www.standardwebhooks.com/): webhook-id, webhook-timestamp (Unix
  seconds) and webhook-signature, "v1,<base64 of the HMAC-SHA256 of "<id>.<timestamp>.<body>">",
  one per secret in use, separated by spaces: the current secret and, during the grace period
  after a rotation, the previous one.

Our secrets are 64 hex characters; the key is their UTF-8 bytes for both headers. The
Standard Webhooks libraries take a secret as "whsec_<base64 of the key>": standard_secret
gives that form of the same secret (the admin shows both). A receiver recomputes a signature
and compares in constant time."""

import base64
import hashlib
import hmac

PREFIX = "sha256="
STANDARD_PREFIX = "whsec_"
STANDARD_VERSION = "v1"


def signature(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body), header or "")


def standard_key(secret: str) -> bytes:
    """The HMAC key of a secret: a "whsec_" secret's base64 is decoded, ours is its bytes."""
    if secret.startswith(STANDARD_PREFIX):
        return base64.b64decode(secret.removeprefix(STANDARD_PREFIX))
    return secret.encode()


def standard_secret(secret: str) -> str:
    """The secret as Standard Webhooks libraries take it: "whsec_<base64 of the key>"."""
    return STANDARD_PREFIX + base64.b64encode(standard_key(secret)).decode()


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
    return f"{STANDARD_VERSION},{base64.b64encode(digest).decode()}"


def standard_headers(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> dict:
    """webhook-id, webhook-timestamp and webhook-signature (one signature per secret)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(secret, msg_id, timestamp, body) for secret in secrets
        ),
    }


def standard_signature_valid(
    secret: str, msg_id: str, timestamp: int, body: bytes, header: str
) -> bool:
    """Whether any of the header's signatures is the secret's (what a receiver does)."""
    expected = standard_signature(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, sig) for sig in (header or "").split())
