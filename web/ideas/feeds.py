"""Atom feeds: new ideas, new ideas per category, one idea's status changes and official
responses, every idea's (the updates feed), and the roadmap. Items carry the
already-sanitised HTML of the description or official response.

Ids are permanent (core.feeds.tag_uri, by number: an idea renamed keeps its entry) and every
URL is built from IDEASTORM_SITE_URL, whatever Host the request named; every entry has an
`updated` date, and so the feed (the latest of its entries').

Every feed is written without the characters XML 1.0 can't carry (core.text.printable): the
inputs refuse them, but a row stored before that, or through the admin, may hold one, and a
single one would make the feed a 500 for as long as its idea stays among the newest."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from board.selectors import board_settings
from core.feeds import SiteFeed, site_url, tag_uri
from ideas.models import Category, Idea, Status, StatusChange
from web.ideas.roadmap import RECENTLY_IMPLEMENTED, roadmap_ideas, with_status_since

FEED_SIZE = 50


class BoardFeed(SiteFeed):
    def author_name(self) -> str:
        # The feed's author, for entries without one (RFC 4287 4.1.1: a feed names an author
        # unless every entry does).
        return board_settings().name


class NewIdeasFeed(BoardFeed):
    def title(self) -> str:
        return _("%(board)s: new ideas") % {"board": board_settings().name}

    def subtitle(self) -> str:
        return _("The newest ideas on the board.")

    def link(self) -> str:
        return site_url(reverse("idea-list") + "?sort=new")

    def feed_url(self) -> str:
        return site_url(reverse("feed-ideas"))

    def feed_guid(self) -> str:
        return tag_uri("feed/ideas")

    def items(self):
        return Idea.objects.visible().for_list().ranked("new")[:FEED_SIZE]

    def item_title(self, idea: Idea) -> str:
        return idea.title

    def item_description(self, idea: Idea) -> str:
        return idea.description_html

    def item_guid(self, idea: Idea) -> str:
        return tag_uri(f"idea/{idea.pk}")

    def item_pubdate(self, idea: Idea):
        return idea.created_at

    def item_updateddate(self, idea: Idea):
        return max(idea.updated_at, idea.created_at)

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
        return site_url(reverse("idea-list") + f"?sort=new&category={category.slug}")

    def feed_url(self, category: Category) -> str:
        return site_url(reverse("feed-category", args=[category.slug]))

    def feed_guid(self, category: Category) -> str:
        # By number: a category renamed (its slug too) is the same feed.
        return tag_uri(f"feed/category/{category.pk}")

    def items(self, category: Category):
        ideas = Idea.objects.visible().filter(category=category)
        return ideas.for_list().ranked("new")[:FEED_SIZE]


class StatusChangeItems:
    """Entries for status changes and official responses (a change to the same status)."""

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
        return site_url(f"{change.idea.get_absolute_url()}#status-{change.pk}")

    def item_guid(self, change: StatusChange) -> str:
        return tag_uri(f"idea/{change.idea_id}/status/{change.pk}")

    def item_pubdate(self, change: StatusChange):
        return change.created_at

    def item_updateddate(self, change: StatusChange):
        # A change is never edited: its date is its last update.
        return change.created_at

    def item_author_name(self, change: StatusChange) -> str | None:
        return change.actor.display_name if change.actor else None

    def item_categories(self, change: StatusChange) -> tuple[str, ...]:
        return (Status(change.new_status).label,)


class IdeaStatusFeed(StatusChangeItems, BoardFeed):
    """What the product team decided about one idea, newest first."""

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
        return site_url(idea.get_absolute_url())

    def feed_url(self, idea: Idea) -> str:
        return site_url(reverse("feed-idea", args=[idea.pk]))

    def feed_guid(self, idea: Idea) -> str:
        return tag_uri(f"feed/idea/{idea.pk}")

    def items(self, idea: Idea):
        changes = StatusChange.objects.filter(idea=idea).select_related("actor", "idea")
        return changes.order_by("-created_at", "-id")[:FEED_SIZE]


class UpdatesFeed(StatusChangeItems, BoardFeed):
    """Every status change and official response on the board, newest first: the per-idea
    feeds in one, for those who follow the product team rather than one idea."""

    def title(self) -> str:
        return _("%(board)s: status changes and official responses") % {
            "board": board_settings().name
        }

    def subtitle(self) -> str:
        return _("What the product team decided and answered, on every idea.")

    def link(self) -> str:
        return site_url(reverse("idea-list"))

    def feed_url(self) -> str:
        return site_url(reverse("feed-updates"))

    def feed_guid(self) -> str:
        return tag_uri("feed/updates")

    def items(self):
        changes = StatusChange.objects.filter(idea__in=Idea.objects.visible())
        changes = changes.select_related("actor", "idea")
        return changes.order_by("-created_at", "-id")[:FEED_SIZE]

    def item_title(self, change: StatusChange) -> str:
        return _("%(title)s: %(change)s") % {
            "title": change.idea.title,
            "change": super().item_title(change),
        }


class RoadmapFeed(BoardFeed):
    """What is planned, in progress and recently implemented (the roadmap's columns), the latest
    moves first. An idea gets a new entry each time it changes column."""

    def title(self) -> str:
        return _("%(board)s: roadmap") % {"board": board_settings().name}

    def subtitle(self) -> str:
        return _(
            "Ideas planned, in progress and implemented in the last %(days)d days, the latest "
            "moves first."
        ) % {"days": RECENTLY_IMPLEMENTED.days}

    def link(self) -> str:
        return site_url(reverse("roadmap"))

    def feed_url(self) -> str:
        return site_url(reverse("feed-roadmap"))

    def feed_guid(self) -> str:
        return tag_uri("feed/roadmap")

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
        return site_url(f"{idea.get_absolute_url()}#roadmap-{idea.status}")

    def item_guid(self, idea: Idea) -> str:
        # One entry per idea and column: a move to another column is news.
        return tag_uri(f"idea/{idea.pk}/roadmap/{idea.status}")

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
    path("updates/", require_safe(UpdatesFeed()), name="feed-updates"),
]
