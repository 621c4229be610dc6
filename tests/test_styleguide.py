"""/styleguide/: the design system's components, for staff only; the icon tag and its sprite."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from accounts.models import User
from ideas.models import Status
from web.styleguide import sprite_icons

URL = "/styleguide/"
ICON_TAG = re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']""")


def test_the_url_is_named():
    assert reverse("styleguide") == URL


def test_staff_see_every_component(client, pat):
    client.force_login(pat)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for component in (
        "button-primary",
        "badge-ok",
        "card",
        "menu-panel",
        "dialog",
        "tabs",
        "message-error",
        "avatar-64",
        "empty-state",
        "field-invalid",
        "sg-icons",
    ):
        assert component in html, component
    for value, _label in Status.choices:
        assert f"status-{value}" in html


def test_moderators_and_superusers_see_it(client, mo):
    client.force_login(mo)
    assert client.get(URL).status_code == 200
    root = User.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    assert client.get(URL).status_code == 200


def test_members_get_a_404(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 404


def test_visitors_get_a_404(client, db):
    assert client.get(URL).status_code == 404


def test_the_icon_tag_draws_from_the_sprite():
    html = Template('{% load icons %}{% icon "bell" %}').render(Context())
    assert html == (
        '<svg class="icon" aria-hidden="true" focusable="false" width="16" height="16">'
        f'<use href="{settings.STATIC_URL}icons/sprite.svg#bell"></use></svg>'
    )


def test_a_labelled_icon_is_an_image_with_a_name():
    html = Template('{% load icons %}{% icon "message-circle" label="Comments" %}').render(
        Context()
    )
    assert 'role="img"' in html and 'aria-label="Comments"' in html
    assert "<title>Comments</title>" in html and "aria-hidden" not in html


def test_every_icon_the_templates_use_is_in_the_sprite():
    templates = Path(settings.BASE_DIR) / "templates"
    used = {
        name for path in templates.rglob("*.html") for name in ICON_TAG.findall(path.read_text())
    }
    assert used, "no template uses an icon"
    assert used <= set(sprite_icons()), used - set(sprite_icons())


@pytest.mark.parametrize("when", ["2026-03-04T05:06:07.891234+00:00"])
def test_times_carry_no_microseconds(when):
    """A valid HTML datetime attribute: seconds at most (includes/when.html)."""
    import datetime as dt

    at = dt.datetime.fromisoformat(when)
    html = Template('{% include "includes/when.html" %}').render(Context({"at": at}))
    assert 'datetime="2026-03-04T05:06:07Z"' in html


def _block(css: str, selector: str) -> list[str]:
    """The declarations of the first rule with this selector, one per item, spaces normalised."""
    body = css[css.index(selector + " {") + len(selector) + 2 :]
    body = body[: body.index("}")]
    return [" ".join(d.split()) for d in body.split(";") if d.strip()]


def test_the_dark_theme_is_the_same_chosen_or_from_the_system():
    # CSS can't share one block between a selector and a media query, so site.css writes the
    # dark tokens twice: for the switch's choice and for the system's preference.
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    chosen = _block(css, ':root[data-theme="dark"]')
    from_system = _block(css, ':root:not([data-theme="light"])')
    assert len(chosen) > 20
    assert chosen == from_system
