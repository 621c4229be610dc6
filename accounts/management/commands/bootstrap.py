"""The first administrator of a board without a password typed anywhere: `manage.py bootstrap
EMAIL` makes a superuser for that address (or finds the one it has) and prints a one-time
sign-in link to it (accounts.recovery): it works once, for LOGIN_LINK_MINUTES, at
IDEASTORM_SITE_URL. Run it again for a new link."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.recovery import LOGIN_LINK_MINUTES, login_link_token
from accounts.services import EmailTaken, user_email_mark_verified
from accounts.usernames import username_for
from core.mail import mail_absolute


class Command(BaseCommand):
    help = (
        "Create (or find) the superuser for EMAIL and print a one-time sign-in link to log in "
        f"as them (it lasts {LOGIN_LINK_MINUTES} minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the administrator's email address")

    def handle(self, *args, email: str, **options):
        email = User.objects.normalize_email(email.strip())
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        with transaction.atomic():
            user, created = self._superuser(email)
            try:
                # The person running this vouches for the address; a sign-in link needs it.
                user_email_mark_verified(user=user)
            except EmailTaken:
                raise CommandError(
                    f"Another account has verified {email}: choose another address."
                ) from None
        token = login_link_token(user=user)
        link = mail_absolute(reverse("login-link-confirm", args=[token]))
        verb = "Created" if created else "Found"
        self.stdout.write(self.style.SUCCESS(f"{verb} the superuser {user.username!r} ({email})."))
        self.stdout.write(
            f"Open this link within {LOGIN_LINK_MINUTES} minutes to log in; it works once:\n"
            f"  {link}\n"
            "Then set a password under Settings (or run this command again for a new link)."
        )

    def _superuser(self, email: str) -> tuple[User, bool]:
        accounts = User.objects.filter(
            email__iexact=email, deleted_at__isnull=True, recorded_customer=False
        ).order_by("-is_superuser", "pk")
        existing = accounts.first()
        if existing is None:
            username = username_for(email, "admin")
            return User.objects.create_superuser(username=username, email=email), True
        if existing.is_demo:
            raise CommandError(
                f"{email} belongs to the demo account {existing.username!r}, whose password is "
                "public: choose another address."
            )
        if not existing.is_superuser:
            raise CommandError(
                f"{email} belongs to {existing.username!r}, who is not a superuser: choose "
                "another address, or make them one in /admin/."
            )
        if not existing.is_active:
            raise CommandError(f"The superuser {existing.username!r} ({email}) is deactivated.")
        return existing, False
