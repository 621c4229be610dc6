from django import forms

from comments.models import BODY_MAX_LENGTH, Comment
from core.text import TextField

# "+1" is a comment; "k" is a slip of the finger.
BODY_MIN_LENGTH = 2


class CommentEditForm(forms.Form):
    body = TextField(
        min_length=BODY_MIN_LENGTH,
        max_length=BODY_MAX_LENGTH,
        error_messages={
            "required": "Write something first.",
            "min_length": "Write at least %(limit_value)s characters.",
            "max_length": "Keep it under %(limit_value)s characters (this is %(show_value)s).",
        },
    )


class CommentForm(CommentEditForm):
    # A reply names the comment it answers; comment_create checks it is on the same idea.
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.all(),
        required=False,
        error_messages={"invalid_choice": "That comment does not exist."},
    )
