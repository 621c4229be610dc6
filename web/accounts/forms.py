from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import username_for_login
from accounts.validators import LOOKS_LIKE_A_MEMBER, lookalike_member, validate_username
from core.text import validate_line

WRONG_PASSWORD = _("That is not your password.")


class NewUsernameField(UsernameField):
    """A new username, checked as typed (accounts.validators). Django's field would turn a
    fullwidth or ligature name into plain letters without a word; this one refuses it."""

    default_validators = [validate_username]

    def to_python(self, value):
        return forms.CharField.to_python(self, value)


class LoginForm(AuthenticationForm):
    """The log-in form; a username holds no control character (core.text), so one typed in is
    refused at the field before anything is looked up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(validate_line)
        self.fields["username"].help_text = _("Or the email address you confirmed.")

    def clean_username(self) -> str:
        # Log in with an email the account verified, as with its username (the lockout
        # then counts against that account's username).
        return username_for_login(self.cleaned_data["username"])


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
        field_classes = {"username": NewUsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password (again)")
        self.fields["username"].widget.attrs.pop("autofocus", None)
        # One plain line each instead of Django's list of every password validator's rule;
        # the validators still explain a refused password at the field.
        self.fields["username"].help_text = _(
            "Shown beside your ideas and comments. Letters, digits and @ . + - _ only."
        )
        self.fields["password1"].help_text = _(
            "At least 8 characters, not only digits, and not a common password."
        )
        self.fields["password2"].help_text = ""

    def clean_username(self):
        username = super().clean_username()
        if username and lookalike_member(username):
            raise forms.ValidationError(LOOKS_LIKE_A_MEMBER, code="lookalike")
        return username

    def validate_unique(self) -> None:
        # clean_username checks the username's uniqueness (case-insensitively).
        try:
            self.instance.validate_unique(exclude={*self._get_validation_exclusions(), "username"})
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean_email(self) -> str:
        # Whether the address is someone's is not said here (that would tell anyone who asks):
        # the sign-up goes through, and the link sent to the address tells its owner instead.
        return self.cleaned_data["email"].strip()


class SettingsForm(forms.ModelForm):
    """A member's email and notification preferences."""

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta:
        model = User
        fields = ("email", "auto_follow", "email_frequency")
        labels = {
            "auto_follow": _("Follow the ideas I vote on or comment on"),
            "email_frequency": _("Email me about ideas I follow"),
        }
        help_texts = {
            "auto_follow": _("You can still follow or unfollow any idea from its page."),
        }
        widgets = {"email_frequency": forms.RadioSelect}

    def clean_email(self) -> str:
        # As at sign-up: a new address gets a link (or, if it is someone's, a note to them).
        return self.cleaned_data["email"].strip()


class DeleteAccountForm(forms.Form):
    """Asks for the password before the account is deleted."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type your password to confirm."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password
