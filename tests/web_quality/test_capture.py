"""The pages `make test` hands to the Nu HTML Checker: each full page once per route, status
and kind of viewer, with its URL; no htmx fragment."""

import json

from django.http import HttpResponse
from django.test import RequestFactory

from tests.web_quality import capture


def test_each_full_page_is_kept_once_with_its_url_and_fragments_never(
    client, db, monkeypatch, tmp_path
):
    monkeypatch.setenv(capture.ENV, str(tmp_path))
    monkeypatch.setattr(capture, "_seen", set())
    capture.install()

    client.get("/accounts/login/")
    client.get("/accounts/login/?next=/ideas/")  # the same page again
    client.get("/no-such-page/")
    request = RequestFactory().get("/ideas/similar/")
    capture.keep(request, HttpResponse("<ul><li>An idea</li></ul>", content_type="text/html"))

    kept = sorted(json.loads(p.read_text())["key"] for p in tmp_path.glob("*.json"))
    assert kept == ["GET /accounts/login/ 200 visitor", "GET <no route> 404 visitor"]
    assert len(list(tmp_path.glob("*.html"))) == 2
