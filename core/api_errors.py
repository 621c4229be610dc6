"""One JSON shape for every API error: `{"detail", "code", "errors"}`, where `errors` holds a
validation error's messages per field. The DRF exception handler, the Django error views for
/api/ paths, and the schema that documents the shape."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.http import forbidden

INVALID_DETAIL = "The input is not valid: see the errors for each field."


def error_body(detail: str, code: str, errors: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": str(detail), "code": str(code)}
    if errors is not None:
        body["errors"] = errors
    return body


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (status, Retry-After, WWW-Authenticate, rollback), with the body in our
    shape. Anything DRF does not handle stays a 500, answered by `server_error`."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if not isinstance(exc.detail, list | dict):
        response.data = error_body(
            exc.detail, getattr(exc.detail, "code", None) or exc.default_code
        )
        return response
    errors = exc.detail
    if isinstance(errors, list):
        errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
    non_field = errors.get(api_settings.NON_FIELD_ERRORS_KEY, [])
    # A lone refusal of the whole request ("You have already flagged this.") is the detail.
    alone = len(errors) == 1 and len(non_field) == 1 and isinstance(non_field[0], str)
    response.data = error_body(non_field[0] if alone else INVALID_DETAIL, "invalid", errors)
    return response


# Django's own error views (a URL that matches nothing, an uncaught exception, a request too
# large) answer in the same shape under /api/, and with the site's pages elsewhere.


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("The request could not be read.", "bad_request"), status=400)
    try:
        return render(request, "400.html", status=400)
    except Exception:
        # The request itself may be what is wrong (a host not allowed, a broken header), and
        # the site's frame reads it: a page that needs nothing, then.
        return HttpResponseBadRequest(plain_page("Bad request", "We couldn't read that request."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        body = error_body(exceptions.PermissionDenied.default_detail, "permission_denied")
        return JsonResponse(body, status=403)
    return forbidden(request, context={"message": str(exception)})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form from an expired session or an old page. The API's views do
    their own CSRF check (DRF's SessionAuthentication), in the API's error shape."""
    message = _(
        "Your session has expired or the form is out of date. Reload the page and try again."
    )
    return forbidden(request, context={"message": message})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(exceptions.NotFound.default_detail, "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        body = error_body("Something went wrong on our side.", "server_error")
        return JsonResponse(body, status=500)
    try:
        html = loader.get_template("500.html").render(_server_error_context())
    except Exception:
        # Even the template failed (a broken install): a page that needs nothing at all.
        html = plain_page("Something went wrong", "We have been told and will look into it.")
    return HttpResponseServerError(html)


def plain_page(heading: str, sentence: str) -> str:
    """An error page with no template, stylesheet or query, for when those are what failed."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{heading}</title>'
        f'</head><body><main><h1>{heading}</h1><p>{sentence} <a href="/">Home</a></p></main>'
        "</body></html>"
    )


PAGE_STYLESHEETS = ("css/site.css",)


def _server_error_context() -> dict[str, Any]:
    """What the 500 page shows, none of it from the database or the cache (either may be what
    failed): the site's name from the settings, the stylesheets and icons from the static
    files, each with a fallback in case the manifest is what broke."""
    context: dict[str, Any] = {
        "board_name": settings.IDEASTORM_SITE_NAME,
        "stylesheets": [],
        "sprite": "",
    }
    for name in PAGE_STYLESHEETS:
        try:
            context["stylesheets"].append(staticfiles_storage.url(name))
        except ValueError:
            context["stylesheets"].append(settings.STATIC_URL + name)
    try:
        context["sprite"] = staticfiles_storage.url("icons/sprite.svg")
    except ValueError:
        context["sprite"] = ""  # no icon then
    return context


# The schema.

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Messages per field; errors about the request as a whole are under non_field_errors. "
        "A list or nested field has an object of the same shape, keyed by index or name."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {}},
        ]
    },
}


@extend_schema_field(FIELD_ERRORS_SCHEMA)
class FieldErrorsField(serializers.DictField):
    pass


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Invalid input",
            value={
                "detail": "Check the fields below.",
                "code": "invalid",
                "errors": {"title": ["Ensure this field has no more than 120 characters."]},
            },
            response_only=True,
            status_codes=["400"],
        ),
        OpenApiExample(
            "Not found",
            value={"detail": "No idea with this id.", "code": "not_found"},
            response_only=True,
            status_codes=["404"],
        ),
    ]
)
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one sentence.")
    code = serializers.CharField(help_text="A stable code: invalid, not_found, throttled, ...")
    errors = FieldErrorsField(
        required=False,
        help_text="Only on a 400 for invalid input. " + FIELD_ERRORS_SCHEMA["description"],
    )


ERROR_RESPONSES = {
    400: "Invalid input (see errors), or a body that could not be read.",
    401: "The credentials are missing or wrong (this API answers 403 for these).",
    403: "The credentials are missing or wrong, or this account may not do this.",
    404: "Nothing with this id, or nothing this account may see.",
    415: "The body's Content-Type is missing or not application/json.",
    429: "Too many requests: wait for Retry-After seconds.",
}


class ErrorResponsesSchema(AutoSchema):
    """Adds the error responses an operation can give, in the error shape: 400 where there
    is input, 401/403 where there is authentication, 404 where the path names something, 415
    where there is a body, 429 on writes or throttled views.

    It also marks a model serializer's own fields required in a response: DRF writes every
    one, but drf-spectacular would leave those with a model default (status, score) optional,
    so generated clients typed them `T | undefined`. Fields a serializer declares keep what
    they say (the error's `errors` is really optional). Those model fields lose the integer
    bounds the database's column type gives them (they differ between SQLite and PostgreSQL,
    and bound no output), so the schema is the same file on every database."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        serializer = force_instance(serializer)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            implicit = set(schema["properties"]) - set(serializer._declared_fields)
            schema["required"] = sorted({*schema.get("required", ()), *implicit})
            for name in implicit:
                prop = schema["properties"][name]
                if prop.get("type") == "integer":
                    for key in ("minimum", "maximum", "format"):
                        prop.pop(key, None)
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        statuses = []
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            statuses.append(400)
        if self.view.get_authenticators():
            statuses += [401, 403]
        if any(p["in"] == "path" for p in parameters):
            statuses.append(404)
        if "requestBody" in operation:
            statuses.append(415)
        if method not in SAFE_METHODS or self.view.throttle_classes:
            statuses.append(429)
        responses = operation.setdefault("responses", {})
        for status in statuses:
            responses.setdefault(str(status), {"description": ERROR_RESPONSES[status]})
        # Every error response, added here or declared by the view, carries the error shape.
        for status, response in responses.items():
            if not status.isdigit() or int(status) < 400:
                continue
            if "content" not in response:
                description = response.get("description") or ERROR_RESPONSES.get(int(status), "")
                response.update(
                    self._get_response_for_code(
                        OpenApiResponse(ErrorSerializer, description=description), status
                    )
                )
            if status == "429":
                response["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}
                }
        return operation


# One wording for the documented errors: the schema class above adds the same ones where a
# view does not declare them.
ERRORS = {
    code: OpenApiResponse(response=ErrorSerializer, description=description)
    for code, description in ERROR_RESPONSES.items()
}


def errors(*codes: int) -> dict:
    """The documented error responses of an operation."""
    return {code: ERRORS[code] for code in codes}


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's refusals in DRF's shape: ValidationError is a 400 with a message per field
    (or under non_field_errors), PermissionDenied a 403 with its reason."""
    try:
        yield
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(serializers.as_serializer_error(exc)) from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None
