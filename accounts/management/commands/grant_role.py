from django.core.management.base import BaseCommand, CommandError

from accounts.models import ROLE_GROUPS, User
from accounts.services import role_set


class Command(BaseCommand):
    help = 'Put a user in the group "Product managers" (pm) or "Moderators" (moderator).'

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLE_GROUPS))
        parser.add_argument("--revoke", action="store_true", help="take the role away instead")

    def handle(self, *args, username, role, revoke, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        role_set(user=user, role=role, granted=not revoke)
        verb = "is no longer in" if revoke else "is now in"
        self.stdout.write(self.style.SUCCESS(f"{username} {verb} {ROLE_GROUPS[role]!r}."))
