"""The avatar tag: initials on a colour of the person's own, readable, and nothing of a deleted
account."""

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from tests.factories import UserFactory
from web.templatetags.avatars import AVATAR_COLOURS, colour_index, initials

CARDS_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"
PAIR = re.compile(
    r"\.avatar-c(\d+)\s*\{\s*background:\s*(#[0-9a-f]{6});\s*color:\s*(#[0-9a-f]{6});\s*\}"
)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def render(source: str, **context) -> str:
    return Template("{% load avatars %}" + source).render(Context(context))


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_palette_colour_has_readable_initials():
    pairs = PAIR.findall(CARDS_CSS.read_text())
    assert sorted(int(n) for n, _, _ in pairs) == list(range(AVATAR_COLOURS))
    for number, background, text in pairs:
        assert contrast(background, text) >= 4.5, f".avatar-c{number}"


def test_initials_from_the_first_two_words():
    assert initials("Ada Lovelace") == "AL"
    assert initials("grace_hopper") == "GH"
    assert initials("linus") == "L"
    assert initials("Jean-Luc Picard III") == "JL"
    assert initials("___") == "?"


def test_colour_is_the_same_every_time_and_spread():
    assert colour_index("alice") == colour_index("alice")
    assert len({colour_index(f"user{n}") for n in range(200)}) == AVATAR_COLOURS


@pytest.mark.django_db
def test_member_avatar_is_decorative_initials():
    person = UserFactory(username="ada_l", first_name="Ada", last_name="Byron")
    html = render("{% avatar person size=32 %}", person=person)
    assert 'aria-hidden="true"' in html
    # From the username, the only name the site shows: not the private full name ("AB").
    assert ">AL</span>" in html
    assert f"avatar-c{colour_index('ada_l')}" in html
    assert "avatar-32" in html
    assert "<img" not in html  # Gravatar is off by default


@pytest.mark.django_db
def test_labelled_avatar_is_an_image_named_after_the_person():
    person = UserFactory(username="grace")
    html = render("{% avatar person size=48 label=True %}", person=person)
    assert 'role="img"' in html and 'aria-label="grace"' in html
    assert "aria-hidden" not in html


@pytest.mark.django_db
def test_deleted_or_missing_person_is_a_neutral_question_mark():
    gone = UserFactory(username="gone", first_name="Gone", last_name="Away")
    gone.deleted_at = gone.date_joined
    for person in (None, gone):
        html = render("{% avatar person %}", person=person)
        assert ">?</span>" in html and "avatar-none" in html
        assert "GA" not in html


@pytest.mark.django_db
def test_gravatar_when_switched_on(settings):
    settings.IDEASTORM_GRAVATAR = True
    person = UserFactory(username="ada", email="Ada@Example.com ")
    html = render("{% avatar person size=32 %}", person=person)
    digest = hashlib.sha256(b"ada@example.com").hexdigest()
    assert f"https://www.gravatar.com/avatar/{digest}?s=64&amp;d=blank" in html
    assert ">A<img" in html  # the initials stay underneath
