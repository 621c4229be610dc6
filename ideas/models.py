from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from core.roles import is_moderator

TITLE_MAX_LENGTH = 120


class CategoryQuerySet(models.QuerySet):
    def active(self) -> "CategoryQuerySet":
        """The categories new ideas may go into: not retired (a merged one is retired too)."""
        return self.filter(retired_at__isnull=True)


class Category(models.Model):
    """Managed by admins at /manage/categories/ (ideas.categories). A retired category keeps
    its ideas and its URL and takes no new ideas; a merged one is retired, its ideas moved to
    `merged_into`, and its URL leads there."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(retired_at__isnull=False),
                name="category_merged_is_retired",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="category_not_merged_into_self",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class TagQuerySet(models.QuerySet):
    def in_use(self) -> "TagQuerySet":
        """Tags on at least one visible idea: a tag used only on hidden, held or withdrawn ideas
        would tell of them."""
        return self.filter(Exists(Idea.objects.visible().filter(tags=OuterRef("pk"))))


class Tag(models.Model):
    """A free label ideas share across categories ("mobile", "battery"). Made on first use."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", "New"
    UNDER_REVIEW = "under-review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in-progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    DECLINED = "declined", "Declined"
    DUPLICATE = "duplicate", "Duplicate"
    ARCHIVED = "archived", "Archived"


OPEN_STATUSES = (Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS)

SORTS = {
    # name -> ORDER BY, each served by an index (see Idea.Meta) and ending in the unique id so
    # pages never overlap.
    "popular": ("-popular_key", "-id"),
    "top": ("-score", "-wilson", "-id"),
    "new": ("-created_at", "-id"),
    "trending": ("-trend", "-popular_key", "-id"),
}
SORT_LABELS = {
    "popular": gettext_lazy("Popular"),
    "top": gettext_lazy("Top"),
    "new": gettext_lazy("New"),
    "trending": gettext_lazy("Trending"),
}
DEFAULT_SORT = "popular"


def _votes():
    """The Vote model, reached by its relation to ideas: votes sits above ideas and imports it."""
    return Idea._meta.get_field("votes").related_model


class IdeaQuerySet(models.QuerySet):
    def ranked(self, sort: str) -> "IdeaQuerySet":
        return self.order_by(*SORTS[sort])

    def visible(self) -> "IdeaQuerySet":
        """What visitors and members see: not withdrawn, hidden or held for review."""
        return self.filter(
            withdrawn_at__isnull=True,
            hidden_at__isnull=True,
            held_at__isnull=True,
            merged_into__isnull=True,
        )

    # Who may see an idea is decided here and nowhere else: `visible()` for lists, feeds, search
    # and every route that acts on an idea; `viewable_by(user)` for the idea page (and what a
    # comment's routes may reach, comments.models.CommentQuerySet.reachable_by).

    def viewable_by(self, user) -> "IdeaQuerySet":
        """What the idea page shows this viewer: the visible ideas, the viewer's own held ones
        (marked as waiting for review), and to moderators hidden and held ones too. A merged
        idea is here too: its page redirects to the idea it was merged into."""
        ideas = self.filter(withdrawn_at__isnull=True)
        if is_moderator(user):
            return ideas
        shown = Q(hidden_at__isnull=True, held_at__isnull=True)
        if user is not None and user.is_authenticated:
            shown |= Q(hidden_at__isnull=True, author=user)
        return ideas.filter(shown)

    def open(self) -> "IdeaQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def for_list(self) -> "IdeaQuerySet":
        return self.select_related("category", "author")

    def with_viewer_vote(self, user) -> "IdeaQuerySet":
        """Annotate `viewer_vote` (1, -1 or None) for the user, in the same query."""
        if not user.is_authenticated:
            return self.annotate(viewer_vote=models.Value(None, models.SmallIntegerField()))
        mine = _votes().objects.filter(idea=OuterRef("pk"), voter=user)
        return self.annotate(viewer_vote=Subquery(mine.values("value")[:1]))

    def for_shared_list(self) -> "IdeaQuerySet":
        """for_list() for rows cached and shared between viewers (core.pagecache.shared): the
        author's password hash and address stay out of the cache."""
        return self.for_list().defer("author__password", "author__email")

    def voted_by(self, user) -> "IdeaQuerySet":
        return self.filter(Exists(_votes().objects.filter(idea=OuterRef("pk"), voter=user)))


def viewer_votes(user, idea_ids: list[int]) -> dict[int, int]:
    """The user's votes on these ideas (1 or -1, by idea id; none for a visitor), in one query:
    for rows every viewer shares (IdeaQuerySet.with_viewer_vote does it in the list's own
    query). In plain SQL: it runs on every member's list page, and the ORM took longer to
    build it than the database to answer it (the unique (voter, idea) index)."""
    if not user.is_authenticated or not idea_ids:
        return {}
    table = _votes()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT idea_id, value FROM {table} WHERE voter_id = %s "
            f"AND idea_id IN ({', '.join(['%s'] * len(idea_ids))})",
            [user.pk, *idea_ids],
        )
        return dict(cursor.fetchall())


def put_viewer_votes(ideas: list, user) -> list:
    """Set `viewer_vote` (1, -1 or None) on each of these ideas for the user (viewer_votes)."""
    votes = viewer_votes(user, [idea.pk for idea in ideas])
    for idea in ideas:
        idea.viewer_vote = votes.get(idea.pk)
    return ideas


class Idea(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(help_text="Markdown")
    description_html = models.TextField(editable=False, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="ideas")
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # The latest official response (Markdown), shown prominently; StatusChange keeps them all.
    response = models.TextField(blank=True)
    response_html = models.TextField(blank=True, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The Storm Session it was submitted into, if any.
    session = models.ForeignKey(
        "storms.StormSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    # Merged into another idea (actions.merging): it redirects there and leaves every list.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_ideas",
        db_index=False,
    )
    # Withdrawn by its author: kept (with its votes), shown to nobody.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Moderation: hidden by a moderator (or by enough flags), or held for review before it is
    # shown (a new account's first post, or a spam rule). Moderators still see both.
    hidden_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # Denormalised from the votes table; votes.services keeps them exact, the reconcile job
    # repairs any drift.
    promotes = models.PositiveIntegerField(default=0)
    demotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    # Ranking figures (votes/ranking.py explains them): the Popular key, the Wilson lower bound
    # that breaks Top ties, the trend z-score from the trending job, and the last vote's time,
    # which tells the reconcile job what changed.
    popular_key = models.FloatField(default=0.0)
    wilson = models.FloatField(default=0.0)
    trend = models.FloatField(default=0.0)
    last_voted_at = models.DateTimeField(null=True, blank=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        # Every vote rewrites the row (no HOT update: ranked columns are indexed), so each index
        # here costs every vote. A category filter walks these same indexes: no Sort either.
        indexes = [
            models.Index(fields=["-popular_key", "-id"], name="idea_popular_idx"),
            models.Index(fields=["-score", "-wilson", "-id"], name="idea_top_idx"),
            models.Index(fields=["-created_at", "-id"], name="idea_new_idx"),
            models.Index(fields=["-trend", "-popular_key", "-id"], name="idea_trending_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score=models.F("promotes") - models.F("demotes")),
                name="idea_score_is_net",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("idea-detail-slug", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "idea"


class StatusChange(models.Model):
    """One step of an idea's status history, with the official response given with it."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_status = models.CharField(max_length=20, choices=Status.choices)
    new_status = models.CharField(max_length=20, choices=Status.choices)
    response = models.TextField(blank=True)
    response_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"], name="statuschange_idea_idx")]

    def __str__(self) -> str:
        return f"idea {self.idea_id}: {self.old_status} -> {self.new_status}"


class IdeaSearch(models.Model):
    """The search document of an idea, apart from the idea row: a vote rewrites that row, and
    a GIN index there would be rewritten with it. Written by ideas.services on create and
    edit. On PostgreSQL `document` is a tsvector (GIN) and `title` has a trigram index; both
    come from migration 0002, the SQLite fallback searches the idea's columns."""

    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, primary_key=True, related_name="search_doc"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    document = SearchVectorField(null=True)

    def __str__(self) -> str:
        return self.title


class Merge(models.Model):
    """A duplicate merged into the idea kept, with what moved, so undo restores both exactly
    (actions.merging)."""

    kept = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="merges_in")
    merged = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="merges_out")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What moved: vote rows (id, old idea), votes dropped because the voter had voted on the
    # kept idea too (their full rows), comments and follows moved, the merged idea's status.
    moved = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"idea {self.merged_id} into {self.kept_id}"
