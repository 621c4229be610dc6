from django.contrib.auth.models import AbstractUser
from django.db import models

PRODUCT_MANAGERS = "Product managers"
MODERATORS = "Moderators"
ROLE_GROUPS = {"pm": PRODUCT_MANAGERS, "moderator": MODERATORS}


class User(AbstractUser):
    """A member of the board. Custom from day one so fields can be added without pain."""

    class EmailFrequency(models.TextChoices):
        EACH = "each", "Each event"
        DAILY = "daily", "A daily digest"
        NEVER = "never", "Never"

    # Voting on or commenting on an idea follows it, unless the member turns that off.
    auto_follow = models.BooleanField("Follow the ideas I vote on or comment on", default=True)
    email_frequency = models.CharField(
        "Email me about ideas I follow",
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.EACH,
    )
    # A deleted account keeps its row (its ideas, comments and votes stay, under "deleted
    # user"); its name, email and password are wiped.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The current ban, if any (moderation.Ban keeps the history). Here on the row that every
    # request loads anyway, so checking it costs no query.
    banned_until = models.DateTimeField(null=True, blank=True)
    ban_reason = models.CharField(max_length=300, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def is_banned(self) -> bool:
        from django.utils import timezone

        return self.banned_until is not None and self.banned_until > timezone.now()

    @property
    def display_name(self) -> str:
        return "deleted user" if self.deleted_at else self.username

    def _in_group(self, name: str) -> bool:
        if not self.is_authenticated:
            return False
        if self.is_superuser:
            return True
        # Cached per instance: templates ask several times per page.
        cache = self.__dict__.setdefault("_group_names", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self.__dict__["_group_names"] = cache
        return name in cache

    @property
    def is_product_manager(self) -> bool:
        return self._in_group(PRODUCT_MANAGERS)

    @property
    def is_moderator(self) -> bool:
        return self._in_group(MODERATORS)


class LoginThrottle(models.Model):
    """Failed log-ins per username, in the database so the lockout holds with Redis down.
    accounts.lockout reads and writes it."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures} failures"
