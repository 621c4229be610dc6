"""Every email the site sends goes through `mail_send`: a plain-text and an HTML part rendered
from `templates/<template>.txt` and `.html` (the HTML extends `emails/base.html`: inline CSS,
readable without images), the site's name in the sender, a `Message-ID` on the site's domain,
`Date`, `Reply-To` (`IDEASTORM_REPLY_TO`, or the caller's), and for notifications an
`unsubscribe_url`: `List-Unsubscribe` with one-click `List-Unsubscribe-Post` (RFC 8058) and a
"Manage or stop these emails" link in both footers. Transactional mail (password reset, sign-in
links) passes no `unsubscribe_url`. The message leaves through Django's `EMAIL_BACKEND`
(SMTP, or a provider's HTTP API through django-anymail)."""

from collections.abc import Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def mail_absolute(path: str) -> str:
    """The public URL of a site path: `IDEASTORM_SITE_URL` joined with `path`."""
    return settings.IDEASTORM_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


# The board's own name as its admins set it: board.apps installs this (core can't import the
# board app); IDEASTORM_SITE_NAME otherwise.
site_name_provider: Callable[[], str] | None = None


def site_name() -> str:
    if site_name_provider is not None:
        return site_name_provider()
    return settings.IDEASTORM_SITE_NAME


def mail_send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    unsubscribe_url: str | None = None,
    reply_to: str | None = None,
    message_key: str | None = None,
) -> None:
    """Render `template` (.txt and .html) with `context` and send it to one address.

    `subject` is folded to one line (titles are user input: no header injection).
    `unsubscribe_url` is absolute and signed; give it for notifications only. `message_key`
    makes the Message-ID the same each time this message is sent (a resend after a worker
    died mid-send), so mail systems that de-duplicate by Message-ID show it once."""
    name = site_name()
    context = {
        "site_name": name,
        "site_url": settings.IDEASTORM_SITE_URL,
        "unsubscribe_url": unsubscribe_url,
        "subject": _one_line(subject),
        **context,
    }
    headers = {
        "Message-ID": (
            f"<ideastorm.{message_key}@{_site_domain()}>"
            if message_key
            else make_msgid(domain=_site_domain())
        ),
        "Date": format_datetime(datetime.now(UTC)),
    }
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    reply_to = reply_to or settings.IDEASTORM_REPLY_TO
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string(f"{template}.txt", context),
        from_email=_sender(name),
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def _one_line(text: str) -> str:
    # str.split() also splits on \r, \x0b, \x1c-\x1f, \x85 and U+2028/2029: any line break.
    return " ".join(text.split())


def _site_domain() -> str:
    return urlsplit(settings.IDEASTORM_SITE_URL).hostname or "localhost"


def _sender(site_name: str) -> str:
    """DEFAULT_FROM_EMAIL as given when it has a display name, else "<site name> <address>"."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name or not address:
        return settings.DEFAULT_FROM_EMAIL
    return str(Address(display_name=site_name, addr_spec=address))
