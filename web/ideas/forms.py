import re

from django import forms
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from board.selectors import board_settings
from core.text import LineField, TextField, shown, validate_line
from ideas.models import SORTS, TITLE_MAX_LENGTH, Category, Status
from ideas.services import MAX_TAGS
from storms.models import StormSession
from storms.services import storm_categories_only, storm_open_check, storm_submission_check

DESCRIPTION_MAX_LENGTH = 10_000
RESPONSE_MAX_LENGTH = 10_000
# The least a new or edited idea says (pages only; the API is unchanged): a title others can
# find and vote on ("Dark mode for the app", not "UI"), a description that says why.
TITLE_MIN_LENGTH = 10
TITLE_MIN_WORDS = 2
DESCRIPTION_MIN_LENGTH = 20
# Marks a field for the live "n of N" counter (static/js/counter.js).
COUNTED = {"data-counter": ""}
# What a Storm Session's slug can be: anything else is no session, and never reaches a query.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# The member-only list filters: their own ideas, ideas they voted on, ideas they follow.
SHOW_CHOICES = [
    ("mine", gettext_lazy("My ideas")),
    ("voted", gettext_lazy("Ideas I voted on")),
    ("following", gettext_lazy("Ideas I follow")),
]


class TagsField(forms.CharField):
    """Comma-separated tag names, as a list. The typed line is checked as a line (core.text)
    before it is split: the validators after would see a list."""

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        validate_line(text)
        return [name.strip() for name in text.split(",") if name.strip()]

    def prepare_value(self, value):
        return shown(value) if isinstance(value, str) else value

    def validate(self, value) -> None:
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(_("Use at most %(max)s tags.") % {"max": MAX_TAGS})
        for name in value:
            if len(name) > 40:
                raise forms.ValidationError(
                    _("“%(name)s…” is too long: 40 characters at most.") % {"name": name[:40]}
                )


# Scripts written without spaces between words (Chinese, Japanese): no words to count.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def validate_title_words(value: str) -> None:
    # A title too short is told so once, by min_length.
    if _UNSPACED_SCRIPT.search(value):
        return
    if len(value) >= TITLE_MIN_LENGTH and len(value.split()) < TITLE_MIN_WORDS:
        raise forms.ValidationError(
            _("Use at least %(min)s words, so others can tell what the idea is."),
            code="min_words",
            params={"min": TITLE_MIN_WORDS},
        )


class IdeaForm(forms.Form):
    title = LineField(
        label=gettext_lazy("Title"),
        min_length=TITLE_MIN_LENGTH,
        max_length=TITLE_MAX_LENGTH,
        validators=[validate_title_words],
        widget=forms.TextInput(attrs=COUNTED),
        help_text=format_lazy(
            gettext_lazy("One sentence of {min} to {max} characters: what you want."),
            min=TITLE_MIN_LENGTH,
            max=TITLE_MAX_LENGTH,
        ),
        error_messages={
            "required": gettext_lazy("Give your idea a title."),
            "min_length": gettext_lazy(
                "Say a little more: at least %(limit_value)d characters (this has %(show_value)d)."
            ),
            "max_length": gettext_lazy(
                "Shorten the title to %(limit_value)d characters (this has %(show_value)d)."
            ),
        },
    )
    description = TextField(
        label=gettext_lazy("Description"),
        min_length=DESCRIPTION_MIN_LENGTH,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, **COUNTED}),
        help_text=format_lazy(
            gettext_lazy(
                "What should we build, and what problem would it solve? Markdown works. "
                "{min} to {max} characters."
            ),
            min=DESCRIPTION_MIN_LENGTH,
            max="10,000",
        ),
        error_messages={
            "required": gettext_lazy("Describe your idea: what it is and why it matters."),
            "min_length": gettext_lazy(
                "Say a little more: what is it, and why does it matter? At least "
                "%(limit_value)d characters (this has %(show_value)d)."
            ),
            "max_length": gettext_lazy(
                "Shorten the description to %(limit_value)d characters (this has %(show_value)d)."
            ),
        },
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        # Retired categories take no new ideas (an edit may keep the idea's own: idea_edit).
        queryset=Category.objects.active(),
        to_field_name="slug",
        empty_label=gettext_lazy("Choose a category"),
        error_messages={
            "required": gettext_lazy("Choose the category that fits best."),
            "invalid_choice": gettext_lazy(
                "That category does not exist. Choose one from the list."
            ),
        },
    )
    tags = TagsField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=300,
        help_text=format_lazy(
            gettext_lazy("Optional: up to {max} words, separated by commas (battery, mobile)."),
            max=MAX_TAGS,
        ),
    )


class IdeaSubmitForm(IdeaForm):
    """The submit form: IdeaForm and, from /ideas/new/?session=SLUG, the Storm Session the
    idea goes into (storms.services.storm_submission_check says whether it may)."""

    session = LineField(required=False, max_length=60, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.storm_session
        allowed = list(session.categories.all()) if session is not None else []
        if allowed:
            # Only the session's categories: offering others would only be refused on submit.
            field = self.fields["category"]
            field.queryset = session.categories.all()
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": storm_categories_only(allowed),
            }

    @cached_property
    def storm_session(self) -> StormSession | None:
        slug = self["session"].value()
        if not slug or not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            return None  # none, or no session's slug (clean() says it doesn't exist)
        if not board_settings().storms_enabled:
            return None  # switched off: as if it didn't exist
        return StormSession.objects.filter(slug=slug).prefetch_related("categories").first()

    @cached_property
    def storm_session_closed(self) -> str:
        """Why the session takes no ideas now ("" while it does), to say before the form is
        filled in."""
        if self.storm_session is None:
            return ""
        try:
            storm_open_check(session=self.storm_session)
        except forms.ValidationError as error:
            return " ".join(error.messages)
        return ""

    def clean(self):
        data = super().clean()
        session = self.storm_session
        if self["session"].value() and session is None:
            self.add_error(None, _("This Storm Session does not exist."))
        elif session is not None:
            try:
                storm_submission_check(session=session, category=data.get("category"))
            except forms.ValidationError as error:
                # The session is a hidden field: its message goes at the top of the form.
                for field, errors in error.message_dict.items():
                    if field != "category":
                        self.add_error(None, errors)
                    elif "category" in data:
                        self.add_error("category", errors)
        data["session"] = session
        return data


class IdeaFilterForm(forms.Form):
    """The list's query string. Bad values are dropped, never an error page."""

    sort = forms.ChoiceField(choices=[(s, s) for s in SORTS], required=False)
    category = forms.SlugField(required=False)
    status = forms.ChoiceField(choices=Status.choices, required=False)
    tag = forms.SlugField(required=False, max_length=40)
    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False)
    q = LineField(required=False, max_length=200, strip=True)

    def cleaned(self) -> dict:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        for name in self.errors:
            data[name] = ""
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Status.choices)
    response = TextField(
        label=gettext_lazy("Official response"),
        required=False,
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, **COUNTED}),
        help_text=gettext_lazy(
            "Markdown. Shown prominently on the idea page; followers are notified. "
            "Declining needs one. Up to 10,000 characters."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.DECLINED and not (data.get("response") or "").strip():
            self.add_error("response", _("Say why the idea is declined: customers asked for that."))
        return data


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=gettext_lazy("Merge this idea into idea number"),
        min_value=1,
        help_text=gettext_lazy("The idea to keep: votes, comments and followers move there."),
        error_messages={"required": gettext_lazy("Give the number of the idea to keep.")},
    )
    reason = LineField(label=gettext_lazy("Reason (optional)"), required=False, max_length=500)
