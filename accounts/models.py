import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connections, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

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

    def get_with_roles(self, pk) -> "User | None":
        """The user with this id and its roles, as with_roles() reads them, or None: every
        logged-in request's first query (accounts.lockout). In SQL written out, because the
        ORM took 2.5 ms to build the annotated query for a 0.1 ms lookup."""
        model = self.model
        fields = list(model._meta.concrete_fields)
        memberships = model.groups.through._meta.db_table
        groups = model.groups.field.related_model._meta.db_table
        role = (
            f"EXISTS (SELECT 1 FROM {memberships} m JOIN {groups} g ON g.id = m.group_id "
            "WHERE m.user_id = u.id AND g.name = %s)"
        )
        columns = ", ".join(f'u."{field.column}"' for field in fields)
        sql = f"SELECT {columns}, {role}, {role} FROM {model._meta.db_table} u WHERE u.id = %s"
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [PRODUCT_MANAGERS, MODERATORS, pk])
            row = cursor.fetchone()
        if row is None:
            return None
        connection = connections[self.db]
        values = list(row[: len(fields)])
        for i, field in enumerate(fields):
            # What the ORM does to each value read (SQLite's booleans and times, for one).
            column = field.get_col(model._meta.db_table)
            for convert in connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            ):
                values[i] = convert(values[i], column, connection)
        user = model.from_db(self.db, [field.attname for field in fields], values)
        user.role_pm, user.role_moderator = bool(row[-2]), bool(row[-1])
        return user


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
    # Moved on by "Log out everywhere" (accounts.sessions): it takes part in the session auth
    # hash, so every session made before, recorded or not, fails its next request's check.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # An account `seed_demo` made: its password is public, so it logs in with it only in demo
    # mode or with DEBUG on (accounts.lockout).
    is_demo = models.BooleanField(default=False, editable=False)

    objects = MemberManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # An address belongs to one account once it is verified (case aside). Unverified
            # accounts may share one: signing up tells nobody whether an address is taken, and
            # whoever proves the mailbox first owns it.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(email_verified_at__isnull=False) & ~models.Q(email=""),
                name="accounts_user_verified_email_unique",
            ),
        ]

    @property
    def is_banned(self) -> bool:
        return self.banned_until is not None and self.banned_until > timezone.now()

    @property
    def email_verified(self) -> bool:
        return bool(self.email) and self.email_verified_at is not None

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's HMAC of the password, with session_epoch in it once it has moved (at 0 it
        is Django's own, so sessions from before the field stay valid). Django's
        get_session_auth_hash and its SECRET_KEY_FALLBACKS twin both call this, so a password
        change still ends the other sessions."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "ideastorm.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

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


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class LoginSessionQuerySet(models.QuerySet):
    def of(self, user: User) -> "LoginSessionQuerySet":
        """The member's sessions that can still be used: not expired, and made under their
        current password and session epoch (a password change elsewhere ended the others,
        whether or not those devices came back to find out)."""
        return self.filter(
            user=user,
            auth_digest=sha256_hex(user.get_session_auth_hash()),
            expires_at__gt=timezone.now(),
        )

    def expired(self) -> "LoginSessionQuerySet":
        return self.filter(expires_at__lte=timezone.now())


class LoginSession(models.Model):
    """A browser session a member logged in to (any way: password, link, single sign-on), so
    Settings can list and end them (accounts.sessions). Keeps a SHA-256 of the session key,
    never the key; the browser and system it named, and its network, never the address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    # SHA-256 of the session's auth hash when last seen: rows under an older password or
    # session epoch are sessions Django no longer accepts.
    auth_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    device = models.CharField(max_length=200, blank=True)  # core.useragent.summarise
    network = models.CharField(max_length=50, blank=True)  # core.network.network_of

    objects = LoginSessionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.device or 'unknown device'}, {self.last_seen_at:%Y-%m-%d}"
