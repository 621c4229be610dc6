from django.conf import settings
from django.db import models

from core.roles import is_moderator
from ideas.models import Idea

BODY_MAX_LENGTH = 5000
EDIT_WINDOW_MINUTES = 15


class CommentQuerySet(models.QuerySet):
    def thread(self) -> "CommentQuerySet":
        """Oldest first, with authors; comments.selectors groups replies under their parent."""
        return self.select_related("author").order_by("created_at", "id")

    def viewable_by(self, user) -> "CommentQuerySet":
        """Hidden and held comments are shown to moderators only, and a held one to its
        author too (marked as waiting for review)."""
        if is_moderator(user):
            return self
        shown = models.Q(hidden_at__isnull=True, held_at__isnull=True)
        if user is not None and user.is_authenticated:
            shown |= models.Q(hidden_at__isnull=True, author=user)
        return self.filter(shown)

    def reachable_by(self, user) -> "CommentQuerySet":
        """What a route that takes a comment's id (flag, edit, delete, the API) may load for this
        viewer: a comment they may see, on an idea whose page they may see, and not deleted
        unless it is their own. Anything else is a 404, whatever the route would do with it."""
        ideas = Idea.objects.viewable_by(user).filter(merged_into__isnull=True)
        comments = self.viewable_by(user).filter(idea__in=ideas)
        if user is not None and user.is_authenticated:
            return comments.filter(models.Q(deleted_at__isnull=True) | models.Q(author=user))
        return comments.filter(deleted_at__isnull=True)


class Comment(models.Model):
    """A comment on an idea, or a reply to one (one level: a reply's parent is top-level)."""

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: the row stays so replies keep their place ("comment deleted").
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Moderation, as on ideas: hidden by a moderator or by flags, or held for review.
    hidden_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_idea_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="comment_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on idea {self.idea_id}"
