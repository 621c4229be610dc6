"""Static files as production serves them: collectstatic gives each a content-hashed name,
WhiteNoise serves it compressed and lets browsers keep it for good. (The other tests read the
source files under their plain names: tests/conftest.py.)"""

import re

from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from ideastorm import settings as project_settings

YEAR = 365 * 24 * 3600


def test_a_collected_file_has_a_hashed_name_and_is_cached_for_a_year(settings, tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: black; }\n" * 100)
    # Only this one file: collecting the apps' (admin, API docs) would take a minute.
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": project_settings.STORAGES["staticfiles"],
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)

    url = static("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url), url
    response = Client().get(url, HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control and "public" in cache_control, cache_control
    max_age = int(re.search(r"max-age=(\d+)", cache_control)[1])
    assert max_age >= YEAR, cache_control
    # The plain name stays for what can't read the manifest, cached for a minute only.
    plain = Client().get("/static/css/site.css")
    assert plain.status_code == 200 and "immutable" not in plain["Cache-Control"]
