"""Forms of the password reset and sign-in link pages (web.accounts.recovery)."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_password_set


class EmailLinkForm(forms.Form):
    """The address to send a reset or sign-in link to."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(SetPasswordForm):
    """Django's new-password form (the validators, typed twice); saving goes through the
    service, which also revokes the API token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password (again)")

    def save(self, commit: bool = True) -> User:
        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])
