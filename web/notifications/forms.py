from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class EmailFrequencyForm(forms.Form):
    """How often a member is emailed, on the page their emails link to (no log-in)."""

    email_frequency = forms.ChoiceField(
        label=_("Email me about ideas I follow"),
        choices=User.EmailFrequency.choices,
        widget=forms.RadioSelect,
    )
