import io
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from board import selectors
from board.contrast import contrast_ratio
from board.images import LOGO_MAX_SIZE
from board.models import SORT_CHOICES, BoardSettings
from board.selectors import board_settings
from board.services import accent_check, board_settings_update
from core.models import AuditEntry
from ideas.models import SORTS
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    data = {
        "name": "Acme Ideas",
        "tagline": "help us build Acme",
        "welcome": "",
        "meta_description": "",
        "accent": "#1d4ed8",
        "sorts": ["popular", "top", "new", "trending"],
        "default_sort": "popular",
        "storms_enabled": "on",
        "downvotes_enabled": "on",
        "anonymous_reading": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _png(width=800, height=300, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def test_the_sorts_offered_are_the_idea_lists_sorts():
    assert [name for name, _ in SORT_CHOICES] == list(SORTS)


def test_contrast_maths_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#1d4ed8", "#ffffff") > 4.5


@pytest.mark.parametrize("colour", ["#ffff00", "#7dd3fc", "#888888"])
def test_an_accent_that_fails_aa_is_refused_with_the_ratio(colour):
    with pytest.raises(ValidationError) as refusal:
        accent_check(colour)
    assert "4.5:1" in refusal.value.messages[0]
    assert colour in refusal.value.messages[0]


def test_renaming_the_board_shows_on_every_page_and_in_the_title(admin_client, client):
    response = admin_client.post("/manage/board/", _form(name="Acme Ideas"))
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Acme Ideas" in page
    assert "<title>" in page and "· Acme Ideas</title>" in page
    assert BoardSettings.objects.get().updated_by.username == "root"
    entry = AuditEntry.objects.get(action="board.settings_changed")
    assert entry.before["name"] == "IdeaStorm" and entry.after["name"] == "Acme Ideas"


def test_pages_read_the_settings_without_a_query(client, admin):
    board_settings_update(actor=admin, changes={"name": "Acme"})
    selectors._memo = None
    client.get("/ideas/?q=warm")  # the first page after a change reads the row once
    for path in ["/ideas/?q=notebook", "/", "/changelog/?page=2"]:
        with CaptureQueriesContext(connection) as queries:
            assert "Acme" in client.get(path).content.decode()
        assert not any("board_boardsettings" in q["sql"] for q in queries.captured_queries)


def test_a_low_contrast_accent_is_refused_at_the_field(admin_client):
    response = admin_client.post("/manage/board/", _form(accent="#fde047"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_accent_error"' in page and "WCAG AA" in page
    assert BoardSettings.objects.filter(accent="#fde047").count() == 0


def test_an_accent_changes_the_theme_stylesheet(admin_client, client):
    admin_client.post("/manage/board/", _form(accent="#7c3aed"))
    page = client.get("/").content.decode()
    assert "/theme.css?v=7c3aed" in page
    css = client.get("/theme.css?v=7c3aed")
    assert "--brand: #7c3aed" in css.content.decode()
    assert "immutable" in css["Cache-Control"]


def test_a_logo_is_re_encoded_scaled_and_served(admin_client, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("logo.jpg", _png(), content_type="image/jpeg")
    response = admin_client.post("/manage/board/", {**_form(), "logo": upload})
    assert response.status_code == 302
    row = BoardSettings.objects.get()
    assert row.logo.startswith("board/logo-") and row.logo.endswith(".png")
    assert row.logo_width <= LOGO_MAX_SIZE[0] and row.logo_height <= LOGO_MAX_SIZE[1]
    page = client.get("/").content.decode()
    assert f'src="/media/{row.logo}"' in page
    served = client.get(f"/media/{row.logo}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.format == "PNG" and image.size == (row.logo_width, row.logo_height)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.svg", "not an image"),
        (b"GIF89a this is not really a gif", "logo.gif", "not an image"),
        (b"%PDF-1.4", "logo.png", "not an image"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_at_the_field(admin_client, content, name, message):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = admin_client.post("/manage/board/", {**_form(), "logo": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BoardSettings.objects.exclude(logo="").exists()


def test_a_20_mb_upload_is_refused_before_it_is_decoded(admin_client):
    upload = SimpleUploadedFile("big.png", b"\0" * (20 * 1024 * 1024), content_type="image/png")
    response = admin_client.post("/manage/board/", {**_form(), "logo": upload})
    assert response.status_code == 400
    assert "2 MB at most" in response.content.decode()


def test_media_serves_only_uploaded_board_files(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "secret.txt").write_text("no")
    assert client.get("/media/secret.txt").status_code == 404
    assert client.get("/media/board/../secret.txt").status_code == 404
    assert client.get("/media/board/missing.png").status_code == 404


def test_members_and_visitors_cant_change_the_settings(alice_client, pat):
    assert Client().get("/manage/board/").status_code == 302
    assert alice_client.get("/manage/board/").status_code == 403
    assert alice_client.post("/manage/board/", _form(name="Hijacked")).status_code == 403
    assert board_settings().name == "IdeaStorm"


def test_the_default_order_must_be_offered(admin_client):
    response = admin_client.post(
        "/manage/board/", _form(sorts=["new", "top"], default_sort="popular")
    )
    assert response.status_code == 400
    assert "default order must be one of those offered" in response.content.decode()


def test_the_idea_list_offers_only_the_chosen_orders(admin, client):
    board_settings_update(actor=admin, changes={"sorts": ["new", "top"], "default_sort": "new"})
    old, new = IdeaFactory(title="Older idea"), IdeaFactory(title="Newer idea")
    old.promotes = old.score = 50
    old.save(update_fields=["promotes", "score"])
    page = client.get("/ideas/").content.decode()
    assert page.index("Newer idea") < page.index("Older idea")  # New is the default
    assert 'value="trending"' not in page and 'value="top"' in page
    # An order the board doesn't offer falls back to the default, not an error.
    assert client.get("/ideas/?sort=trending").status_code == 200
    assert new.pk


def test_with_demoting_off_the_button_is_gone_and_the_vote_refused(admin, alice, client):
    board_settings_update(actor=admin, changes={"downvotes_enabled": False})
    idea = IdeaFactory()
    client.force_login(alice)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "vote-demote" not in page and "vote-promote" in page
    response = client.post(f"/ideas/{idea.pk}/vote/", {"value": "-1"}, follow=True)
    assert "Demoting is switched off" in response.content.decode()
    idea.refresh_from_db()
    assert idea.demotes == 0
    api = client.put(f"/api/ideas/{idea.pk}/vote/", {"value": -1}, content_type="application/json")
    assert api.status_code == 400 and "value" in api.json()["errors"]
    assert (
        client.put(
            f"/api/ideas/{idea.pk}/vote/", {"value": 1}, content_type="application/json"
        ).json()["score"]
        == 1
    )


def test_with_storm_sessions_off_their_pages_and_api_are_gone(admin, client):
    board_settings_update(actor=admin, changes={"storms_enabled": False})
    assert client.get("/sessions/").status_code == 404
    assert client.get("/api/sessions/").status_code == 404
    assert 'href="/sessions/"' not in client.get("/").content.decode()


def test_a_members_only_board_shows_visitors_only_the_ways_in(admin, alice, client):
    idea = IdeaFactory(title="A secret roadmap item")
    board_settings_update(actor=admin, changes={"anonymous_reading": False})
    for path in ["/", "/ideas/", idea.get_absolute_url(), "/feeds/ideas/", "/changelog/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    api = client.get("/api/ideas/")
    assert api.status_code == 401 and api.json()["code"] == "not_authenticated"
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/api/board/").status_code == 200
    # A member reads it, by session or by token.
    client.force_login(alice)
    assert "A secret roadmap item" in client.get("/ideas/").content.decode()
    client.logout()
    token = client.post(
        "/api/auth/token/",
        {"username": "alice", "password": "correct-horse-battery"},
        content_type="application/json",
    ).json()["token"]
    response = client.get("/api/ideas/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200 and response.json()["count"] == 1
    wrong = client.get("/api/ideas/", HTTP_AUTHORIZATION="Token not-a-token")
    assert wrong.status_code in (401, 403) and wrong.json()["code"] == "authentication_failed"


def test_the_board_api_gives_the_public_settings(admin, client):
    board_settings_update(actor=admin, changes={"name": "Acme", "downvotes_enabled": False})
    data = client.get("/api/board/").json()
    assert data["name"] == "Acme" and data["features"]["downvotes"] is False
    assert data["logo_url"] is None and data["accent"] == "#1d4ed8"


def test_welcome_text_is_markdown_made_safe(admin_client, client):
    admin_client.post(
        "/manage/board/", _form(welcome="**Hello** <script>alert(1)</script> [x](javascript:x)")
    )
    page = client.get("/").content.decode()
    assert "<strong>Hello</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page


def test_another_process_sees_a_change_through_the_shared_cache(admin):
    assert board_settings().name == "IdeaStorm"
    BoardSettings.objects.update_or_create(pk=1, defaults={"name": "Changed elsewhere"})
    # This process's memo still holds the old name...
    assert board_settings().name == "IdeaStorm"
    # ...until it expires; a change made through the service is seen at once.
    board_settings_update(actor=admin, changes={"name": "Acme"})
    assert board_settings().name == "Acme"
    selectors._memo = None
    assert board_settings().name == "Acme"


def test_two_admins_editing_keep_one_row(admin):
    other = UserFactory(username="root2", is_superuser=True)
    board_settings_update(actor=admin, changes={"name": "One"})
    board_settings_update(actor=other, changes={"tagline": "Two"})
    row = BoardSettings.objects.get()
    assert (row.name, row.tagline) == ("One", "Two")


def test_an_s3_bucket_takes_the_uploads_and_pages_may_show_images_from_it():
    code = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND']); "
        "print(s.STORAGES['default']['OPTIONS']['bucket_name']); "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'][-1])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ideastorm.settings",
        "DJANGO_DEBUG": "true",
        "IDEASTORM_S3_BUCKET": "acme-board",
        "IDEASTORM_S3_CUSTOM_DOMAIN": "cdn.acme.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "acme-board",
        "https://cdn.acme.example",
    ], result.stderr


def test_media_never_500s_on_odd_names(client):
    for path in [
        "/media/board/a%00b.png",
        "/media/board/logo-../../x.png",
        "/media/board/Logo.PNG",
    ]:
        assert client.get(path).status_code == 404, path


def test_the_settings_cache_key_belongs_to_the_database(settings):
    key = selectors._cache_key()
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "NAME": "another_board"}}
    assert selectors._cache_key() != key


def test_an_empty_post_is_answered_with_the_fields_errors(admin_client):
    response = admin_client.post("/manage/board/", {})
    assert response.status_code == 400
    assert "Give the board a name." in response.content.decode()


def test_a_members_only_board_keeps_its_welcome_text_from_the_api(admin, alice, client):
    board_settings_update(
        actor=admin, changes={"welcome": "Internal roadmap notes", "anonymous_reading": False}
    )
    assert client.get("/api/board/").json()["welcome_html"] == ""
    client.force_login(alice)
    assert "Internal roadmap notes" in client.get("/api/board/").json()["welcome_html"]


def test_a_demo_accounts_session_and_token_end_with_demo_mode(client, settings):
    from rest_framework.authtoken.models import Token

    demo = UserFactory(username="demo-alice", is_demo=True)
    token = Token.objects.create(user=demo)
    settings.IDEASTORM_DEMO, settings.DEBUG = True, False
    client.force_login(demo)
    assert client.get("/accounts/settings/").status_code == 200
    assert client.get("/api/users/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    settings.IDEASTORM_DEMO = False
    assert client.get("/accounts/settings/").status_code == 302  # a visitor again
    refused = Client().get("/api/users/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code in (401, 403)
    assert "demo mode" in refused.json()["detail"]
