from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef

PRODUCT_MANAGERS = "Product managers"
MODERATORS = "Moderators"
ROLE_GROUPS = {"pm": PRODUCT_MANAGERS, "moderator": MODERATORS}


class MemberManager(UserManager):
    def with_roles(self):
        """Users with their group names, in the same query: the header asks for the roles on
        every page, and a second query per request is one too many."""
        memberships = User.groups.through.objects.filter(user_id=OuterRef("pk"))
        return self.annotate(
            role_pm=Exists(memberships.filter(group__name=PRODUCT_MANAGERS)),
            role_moderator=Exists(memberships.filter(group__name=MODERATORS)),
        )


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

    class Segment(models.TextChoices):
        CONSUMER = "consumer", "Consumer"
        SMALL_BUSINESS = "small-business", "Small business"
        ENTERPRISE = "enterprise", "Enterprise"

    # Set by an admin; product managers see demand by segment. The public ranking ignores it.
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    # An account made for a customer whose vote a product manager recorded from a call or an
    # email (votes.staff): no password; signing up with the same email claims it.
    recorded_customer = models.BooleanField(default=False)
    # When the member proved they read `email` (a signed link sent to it, or an SSO provider
    # that vouches for it). Null: unverified; cleared whenever the address changes.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = MemberManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def is_banned(self) -> bool:
        from django.utils import timezone

        return self.banned_until is not None and self.banned_until > timezone.now()

    @property
    def email_verified(self) -> bool:
        return bool(self.email) and self.email_verified_at is not None

    @property
    def display_name(self) -> str:
        return "deleted user" if self.deleted_at else self.username

    def _in_group(self, name: str) -> bool:
        if not self.is_authenticated:
            return False
        if self.is_superuser:
            return True
        # Cached per instance: templates ask several times per page. A user loaded by
        # with_roles() (every request's user: accounts.lockout) already has them.
        cache = self.__dict__.setdefault("_group_names", None)
        if cache is None and "role_pm" in self.__dict__:
            cache = {
                name
                for name, has in (
                    (PRODUCT_MANAGERS, self.role_pm),
                    (MODERATORS, self.role_moderator),
                )
                if has
            }
            self.__dict__["_group_names"] = cache
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


class BannedEmail(models.Model):
    """What is kept of a banned member who deleted their account: a keyed hash of the email
    (never the address) and the ban's end, so signing up again with it is refused until then."""

    email_hash = models.CharField(max_length=64, unique=True)
    banned_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"banned email until {self.banned_until:%Y-%m-%d}"
