"""Single sign-on's use case: a new member whose address the provider vouches for
(web.accounts.sso decides when one is made)."""

from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from accounts.verification import EmailLink
from actions.accounts import email_confirm


@transaction.atomic
def member_sign_up_sso(*, username: str, email: str) -> User:
    """A new member with no password (they log in with the provider) and their address verified
    now, as an opened link would verify it: votes a product manager recorded for that address
    become theirs. Raises ValidationError for an address banned from signing up again, and
    accounts.services.EmailTaken for one another account has verified."""
    user = user_create(username=username, email=email, password=None)
    email_confirm(link=EmailLink(user=user, email=user.email, replaces=None))
    return user
