"""core.mail: every email has a text and an HTML part, the site's name in the sender, a
Message-ID on the site's domain, Date and Reply-To; List-Unsubscribe only when asked."""

import email
import email.policy

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from core.mail import mail_absolute, mail_send

TEMPLATES = [
    {
        **settings.TEMPLATES[0],
        "APP_DIRS": False,
        "OPTIONS": {
            **settings.TEMPLATES[0]["OPTIONS"],
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "test_mail/hello.txt": (
                            "{% autoescape off %}Hello {{ name }}{% endautoescape %}\n"
                            '{% include "emails/footer.txt" %}'
                        ),
                        "test_mail/hello.html": (
                            '{% extends "emails/base.html" %}'
                            "{% block content %}<p>Hello {{ name }}</p>{% endblock %}"
                        ),
                    },
                ),
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("mail_settings"),
]


@pytest.fixture
def mail_settings():
    with override_settings(
        TEMPLATES=TEMPLATES,
        IDEASTORM_SITE_URL="https://ideas.example.com",
        IDEASTORM_SITE_NAME="Acme Ideas",
        IDEASTORM_REPLY_TO="",
        DEFAULT_FROM_EMAIL="noreply@example.com",
    ):
        yield


def parsed(index: int = -1) -> email.message.EmailMessage:
    return email.message_from_bytes(
        mail.outbox[index].message().as_bytes(), policy=email.policy.default
    )


def send(**overrides) -> email.message.EmailMessage:
    arguments = {
        "to": "alice@example.com",
        "subject": "Hi",
        "template": "test_mail/hello",
        "context": {"name": "Alice & <Bob>"},
    }
    mail_send(**(arguments | overrides))
    return parsed()


def test_mail_has_text_and_html_parts_and_the_headers():
    message = send()
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Alice & <Bob>" in text
    assert "Hello Alice &amp; &lt;Bob&gt;" in html
    assert "Acme Ideas" in text and "Acme Ideas" in html
    assert message["From"].addresses[0].display_name == "Acme Ideas"
    assert message["From"].addresses[0].addr_spec == "noreply@example.com"
    assert message["To"] == "alice@example.com"
    assert message["Message-ID"].endswith("@ideas.example.com>")
    assert message["Date"]
    assert message["Reply-To"] is None
    assert message["List-Unsubscribe"] is None
    assert "Manage or stop" not in text + html


def test_message_ids_are_unique():
    send()
    send()
    assert parsed(0)["Message-ID"] != parsed(1)["Message-ID"]


def test_a_sender_with_a_display_name_is_kept():
    with override_settings(DEFAULT_FROM_EMAIL="The Board <board@example.com>"):
        message = send()
    assert message["From"].addresses[0].display_name == "The Board"


def test_reply_to_from_the_setting_or_the_caller():
    with override_settings(IDEASTORM_REPLY_TO="help@example.com"):
        assert send()["Reply-To"] == "help@example.com"
        assert send(reply_to="pat@example.com")["Reply-To"] == "pat@example.com"


def test_subject_with_line_breaks_is_one_line():
    message = send(subject="Injected\r\nBcc: victim@example.com\u2028 and   more")
    assert message["Subject"] == "Injected Bcc: victim@example.com and more"
    assert message["Bcc"] is None


def test_unsubscribe_url_gives_one_click_headers_and_footer_links():
    url = "https://ideas.example.com/email/unsubscribe/abc:def/"
    message = send(unsubscribe_url=url)
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f'href="{url}"' in html and "Manage or stop these emails" in html


def test_mail_absolute_joins_the_site_url_and_a_path():
    assert mail_absolute("/ideas/1/") == "https://ideas.example.com/ideas/1/"
    assert mail_absolute("ideas/") == "https://ideas.example.com/ideas/"
