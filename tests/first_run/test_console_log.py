"""The console (LOGGING in ideastorm/settings.py) stays quiet about a visitor's 4xx: no
traceback for an ordinary 403 or a suspicious request, while a 500 keeps its traceback."""

import io
import logging

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, HttpResponseServerError
from django.test import RequestFactory
from django.utils.log import CallbackFilter, log_response


@pytest.fixture
def console():
    """A console handler made as the settings' is (format and filter), on Django's request and
    security loggers, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(CallbackFilter(settings.LOGGING["filters"]["console_keeps"]["callback"]))
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def failed(exception: Exception):
    try:
        raise exception
    except type(exception) as caught:
        return caught


def test_a_403_prints_no_traceback(console):
    request = RequestFactory().get("/moderation/")
    log_response(
        "Forbidden (Permission denied): %s",
        request.path,
        response=HttpResponseForbidden(),
        request=request,
        exception=failed(PermissionDenied("Only moderators can see this page.")),
    )
    assert "Traceback" not in console.getvalue()
    assert "Forbidden" not in console.getvalue()


def test_a_suspicious_request_is_one_line(console):
    request = RequestFactory().get("/")
    log_response(
        "Invalid HTTP_HOST header: %s",
        "evil.example",
        response=HttpResponseForbidden(),
        request=request,
        logger=logging.getLogger("django.security.DisallowedHost"),
        exception=failed(ValueError("bad host")),
    )
    assert "Invalid HTTP_HOST header: evil.example" in console.getvalue()
    assert "Traceback" not in console.getvalue()


def test_a_500_keeps_its_traceback(console):
    request = RequestFactory().get("/")
    log_response(
        "Internal Server Error: %s",
        request.path,
        response=HttpResponseServerError(),
        request=request,
        exception=failed(ZeroDivisionError("boom")),
    )
    assert "Internal Server Error: /" in console.getvalue()
    assert "Traceback" in console.getvalue()
