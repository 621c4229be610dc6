"""Atom feeds: new ideas, new ideas per category, one idea's status changes, and the roadmap.
Items carry the already-sanitised HTML of the description or official response.

Every feed is written without the characters XML 1.0 can't carry (core.text.printable): the
inputs refuse them, but a row stored before that, or through the admin, may hold one, and a
single one would make the feed a 500 for as long as its idea stays among the newest."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from board.selectors import board_settings
from core.feeds import PrintableAtom1Feed
from ideas.models import Category, Idea, Status, StatusChange
from web.ideas.roadmap import RECENTLY_IMPLEMENTED, roadmap_ideas, with_status_since

FEED_SIZE = 50


class NewIdeasFeed(Feed):
    feed_type = PrintableAtom1Feed

    def title(self) -> str:
        return _("%(board)s: new ideas") % {"board": board_settings().name}

    def subtitle(self) -> str:
        return _("The newest ideas on the board.")

    def link(self) -> str:
        return reverse("idea-list") + "?sort=new"

    def items(self):
        return Idea.objects.visible().for_list().ranked("new")[:FEED_SIZE]

    def item_title(self, idea: Idea) -> str:
        return idea.title

    def item_description(self, idea: Idea) -> str:
        return idea.description_html

    def item_pubdate(self, idea: Idea):
        return idea.created_at

    def item_updateddate(self, idea: Idea):
        return idea.updated_at

    def item_author_name(self, idea: Idea) -> str:
        return idea.author.display_name if idea.author else "deleted user"

    def item_categories(self, idea: Idea) -> tuple[str, ...]:
        return (idea.category.name,)


class CategoryFeed(NewIdeasFeed):
    def get_object(self, request, slug: str) -> Category:
        category = get_object_or_404(Category.objects.select_related("merged_into"), slug=slug)
        # A merged category's feed goes on with the category its ideas went into.
        return category.merged_into or category

    def title(self, category: Category) -> str:
        return _("%(board)s: new ideas in %(category)s") % {
            "board": board_settings().name,
            "category": category.name,
        }

    def subtitle(self, category: Category) -> str:
        return category.description or _("The newest ideas in %(category)s.") % {
            "category": category.name
        }

    def link(self, category: Category) -> str:
        return reverse("idea-list") + f"?sort=new&category={category.slug}"

    def items(self, category: Category):
        ideas = Idea.objects.visible().filter(category=category)
        return ideas.for_list().ranked("new")[:FEED_SIZE]


class IdeaStatusFeed(Feed):
    """What the product team decided about one idea, newest first."""

    feed_type = PrintableAtom1Feed

    def get_object(self, request, pk: int) -> Idea:
        return get_object_or_404(Idea.objects.visible(), pk=pk)

    def title(self, idea: Idea) -> str:
        return _("%(board)s: status of “%(title)s”") % {
            "board": board_settings().name,
            "title": idea.title,
        }

    def subtitle(self, idea: Idea) -> str:
        return _("Status changes and official responses for this idea.")

    def link(self, idea: Idea) -> str:
        return idea.get_absolute_url()

    def items(self, idea: Idea):
        changes = StatusChange.objects.filter(idea=idea).select_related("actor", "idea")
        return changes.order_by("-created_at", "-id")[:FEED_SIZE]

    def item_title(self, change: StatusChange) -> str:
        if change.old_status == change.new_status:
            return _("Official response: %(status)s") % {"status": Status(change.new_status).label}
        return _("%(old)s → %(new)s") % {
            "old": Status(change.old_status).label,
            "new": Status(change.new_status).label,
        }

    def item_description(self, change: StatusChange) -> str:
        return change.response_html

    def item_link(self, change: StatusChange) -> str:
        # One link per change, so each entry has its own id.
        return f"{change.idea.get_absolute_url()}#status-{change.pk}"

    def item_pubdate(self, change: StatusChange):
        return change.created_at

    def item_author_name(self, change: StatusChange) -> str | None:
        return change.actor.display_name if change.actor else None


class RoadmapFeed(Feed):
    """What is planned, in progress and recently implemented (the roadmap's columns), the latest
    moves first. An idea gets a new entry each time it changes column."""

    feed_type = PrintableAtom1Feed

    def title(self) -> str:
        return _("%(board)s: roadmap") % {"board": board_settings().name}

    def subtitle(self) -> str:
        return _(
            "Ideas planned, in progress and implemented in the last %(days)d days, the latest "
            "moves first."
        ) % {"days": RECENTLY_IMPLEMENTED.days}

    def link(self) -> str:
        return reverse("roadmap")

    def items(self):
        ideas = with_status_since(roadmap_ideas()).for_list()
        return ideas.order_by("-status_since", "-id")[:FEED_SIZE]

    def item_title(self, idea: Idea) -> str:
        return _("%(status)s: %(title)s") % {
            "status": idea.get_status_display(),
            "title": idea.title,
        }

    def item_description(self, idea: Idea) -> str:
        return idea.response_html or idea.description_html

    def item_link(self, idea: Idea) -> str:
        # One entry (the link is its id) per idea and status: a move to another column is news.
        return f"{idea.get_absolute_url()}#roadmap-{idea.status}"

    def item_pubdate(self, idea: Idea):
        return idea.status_since

    def item_updateddate(self, idea: Idea):
        return idea.status_since

    def item_author_name(self, idea: Idea) -> str:
        return idea.author.display_name if idea.author else "deleted user"

    def item_categories(self, idea: Idea) -> tuple[str, ...]:
        return (idea.get_status_display(), idea.category.name)


urlpatterns = [
    path("ideas/", require_safe(NewIdeasFeed()), name="feed-ideas"),
    path("categories/<slug:slug>/", require_safe(CategoryFeed()), name="feed-category"),
    path("ideas/<id:pk>/", require_safe(IdeaStatusFeed()), name="feed-idea"),
    path("roadmap/", require_safe(RoadmapFeed()), name="feed-roadmap"),
]
