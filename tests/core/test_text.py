"""core.text: which characters a text input may hold, and text seen through disguises; and
the walks that hold every input to it: every form field and input serializer field, every
API view's JSON parser, every username route."""

import importlib
import io
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.views import APIView

import web
from core.parsers import MAX_DEPTH, JSONParser
from core.text import (
    LineField,
    LineSerializerField,
    TextField,
    TextSerializerField,
    fold,
    printable,
    skeleton,
    validate_line,
    validate_text,
)

HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\ufffe"]


# ---- the rules ----


@pytest.mark.parametrize("char", HOSTILE)
def test_a_line_and_a_text_refuse_controls_surrogates_and_non_characters(char):
    for validate in (validate_line, validate_text):
        with pytest.raises(ValidationError) as refused:
            validate(f"abc{char}def")
        assert "at position 4." in refused.value.messages[0]


def test_the_message_says_which_kind_of_character_and_where():
    with pytest.raises(ValidationError) as refused:
        validate_line("Title\x07")
    assert refused.value.messages == ["Remove the control character at position 6."]
    with pytest.raises(ValidationError) as refused:
        validate_line("\ufffe")
    assert refused.value.messages == ["Remove the invalid character at position 1."]


@pytest.mark.parametrize("char", ["\n", "\r", "\t"])
def test_a_line_refuses_line_ends_and_tabs_a_text_keeps_them(char):
    with pytest.raises(ValidationError):
        validate_line(f"a{char}b")
    validate_text(f"a{char}b")


def test_plain_unicode_is_fine_in_both():
    for value in ("Café ☕ 日本語 emoji 🎉", "Ünïcödé — “quotes” ½", "\u200b zero width is text"):
        validate_line(value)
        validate_text(value)
        # ...and the form fields keep it as typed.
        assert LineField().clean(value) == value
        assert TextField().clean(value) == value


def test_the_form_fields_normalise_line_ends_and_say_where_the_character_is():
    assert TextField().clean("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree\tfour"
    with pytest.raises(ValidationError) as refused:
        LineField().clean("a\x00b")
    # One message, ours: Django's own "Null characters are not allowed." is dropped.
    assert refused.value.messages == ["Remove the control character at position 2."]


def test_the_serializer_fields_normalise_line_ends_and_say_where_the_character_is():
    assert TextSerializerField().run_validation("one\r\ntwo") == "one\ntwo"
    for char, kind in (("\x00", "control"), ("\ud800", "invalid")):
        with pytest.raises(DRFValidationError) as refused:
            LineSerializerField().run_validation(f"ab{char}")
        assert refused.value.detail == [f"Remove the {kind} character at position 3."]


def test_printable_strips_what_xml_cant_carry_and_keeps_the_rest():
    assert printable("a\x00b\x07c\x1bd\x7fe\x85f\ufffeg\uffffh\ud800i") == "abcdefghi"
    assert printable("line\nnext\r\n\ttab é 🎉") == "line\nnext\r\n\ttab é 🎉"
    assert printable(None) == ""


def test_fold_sees_through_invisible_fullwidth_and_lookalike_letters():
    plain = fold("casino")
    for disguised in (
        "cas\u200bino",  # zero-width space
        "ca\u00adsino",  # soft hyphen
        "\u202ecasino",  # right-to-left override
        "\uff43\uff41\uff53\uff49\uff4e\uff4f",  # fullwidth
        "c\u0430s\u0456n\u043e",  # Cyrillic a, i, o
        "CASINO",
        "\u0421\u0410SINO",  # Cyrillic capital ES and A
    ):
        assert fold(disguised) == plain, disguised
    assert fold("101") == "101"  # digits stay digits in a text
    assert skeleton("b0b1") == skeleton("bobl")  # but not in a name


# ---- the walks ----


def _web_modules(*names: str):
    for info in pkgutil.iter_modules(web.__path__):
        for name in names:
            try:
                yield importlib.import_module(f"web.{info.name}.{name}")
            except ModuleNotFoundError:
                continue


def _classes(modules, base: type):
    for module in modules:
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, base)
                and obj.__module__ == module.__name__
            ):
                yield obj


# What some forms need to be made; none touches the database.
FORM_KWARGS = {
    "FlagForm": {"target_id": "flag"},
    "DeleteAccountForm": {"user": None},
    "AuditFilterForm": {"actions": []},
}
FORMS = sorted(_classes(_web_modules("forms"), forms.BaseForm), key=lambda c: c.__qualname__)
INPUT_SERIALIZERS = sorted(
    (
        cls
        for cls in _classes(_web_modules("serializers", "api", "staff_api"), serializers.Serializer)
        if cls.__name__.endswith(("InputSerializer", "QuerySerializer"))
    ),
    key=lambda c: c.__qualname__,
)


def _is_password(name: str, field) -> bool:
    """Passwords are left as typed: never shown, never stored as text."""
    widget = getattr(field, "widget", None)
    return "password" in name or isinstance(widget, forms.PasswordInput)


def test_the_walks_find_the_forms_and_serializers():
    names = {cls.__name__ for cls in FORMS}
    assert {"IdeaForm", "CommentForm", "SignupForm", "BanForm", "StormForm"} <= names
    names = {cls.__name__ for cls in INPUT_SERIALIZERS}
    assert {"IdeaInputSerializer", "TokenInputSerializer", "CaseDecisionInputSerializer"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
def test_every_text_field_of_every_form_refuses_a_control_character(form_class):
    form = form_class(**FORM_KWARGS.get(form_class.__name__, {}))
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField) or _is_password(name, field):
            continue
        with pytest.raises(ValidationError):
            field.clean("ab\x07cd")


@pytest.mark.parametrize("serializer_class", INPUT_SERIALIZERS, ids=lambda c: c.__qualname__)
def test_every_text_field_of_every_input_serializer_refuses_a_control_character(
    serializer_class,
):
    for name, field in serializer_class().fields.items():
        field = getattr(field, "child", field)
        if (
            not isinstance(field, serializers.CharField)
            or field.read_only
            or _is_password(name, field)
        ):
            continue
        with pytest.raises(DRFValidationError):
            field.run_validation("ab\x07cd")


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_every_api_view_reads_json_with_the_sites_parser():
    views = {
        route: entry.callback.cls
        for route, entry in _patterns(get_resolver())
        if route.startswith("api/") and issubclass(getattr(entry.callback, "cls", object), APIView)
    }
    assert "api/auth/token/" in views and len(views) > 20
    for route, view in views.items():
        json_parsers = [p for p in view().get_parsers() if p.media_type == "application/json"]
        assert json_parsers and all(isinstance(p, JSONParser) for p in json_parsers), route


def test_every_username_route_refuses_control_characters_before_the_view():
    routes = [route for route, _entry in _patterns(get_resolver()) if "username>" in route]
    assert len(routes) >= 6
    assert all("<username:username>" in route for route in routes), routes


def test_the_parser_refuses_nesting_beyond_its_limit_but_not_up_to_it():
    def parse(body: str):
        return JSONParser().parse(io.BytesIO(body.encode()), "application/json", {})

    assert parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    for body in ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "[" * 100_000):
        with pytest.raises(Exception, match="JSON parse error") as refused:
            parse(body)
        assert refused.value.status_code == 400
