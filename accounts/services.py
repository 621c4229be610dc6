from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import ROLE_GROUPS, User


@transaction.atomic
def user_create(*, username: str, email: str, password: str) -> User:
    return User.objects.create_user(username=username, email=email, password=password)


def role_set(*, user: User, role: str, granted: bool = True) -> None:
    """Put the user in (or take them out of) the group behind a role: "pm" or "moderator"."""
    # get_or_create: the groups come from a data migration, but an admin may have deleted one.
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    if granted:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.__dict__.pop("_group_names", None)
