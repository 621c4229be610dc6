"""Atom feeds: new ideas, new ideas per category, and one idea's status changes. Items carry
the already-sanitised HTML of the description or official response.

Every feed is written without the characters XML 1.0 can't carry (core.text.printable): the
inputs refuse them, but a row stored before that, or through the admin, may hold one, and a
single one would make the feed a 500 for as long as its idea stays among the newest."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.text import printable
from ideas.models import Category, Idea, Status, StatusChange

FEED_SIZE = 50


def _printable(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return type(value)(_printable(item) for item in value)
    return value


class PrintableAtom1Feed(Atom1Feed):
    """Atom without control characters (but newline, carriage return and tab), surrogates,
    U+FFFE and U+FFFF: every string of the feed and of its entries (titles, summaries, names,
    categories) is cleaned on its way in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_printable(args), **{k: _printable(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_printable(args), **{k: _printable(v) for k, v in kwargs.items()})


class NewIdeasFeed(Feed):
    feed_type = PrintableAtom1Feed

    def title(self) -> str:
        return _("IdeaStorm: new ideas")

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
        return get_object_or_404(Category, slug=slug)

    def title(self, category: Category) -> str:
        return _("IdeaStorm: new ideas in %(category)s") % {"category": category.name}

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
        return _("IdeaStorm: status of “%(title)s”") % {"title": idea.title}

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


urlpatterns = [
    path("ideas/", require_safe(NewIdeasFeed()), name="feed-ideas"),
    path("categories/<slug:slug>/", require_safe(CategoryFeed()), name="feed-category"),
    path("ideas/<id:pk>/", require_safe(IdeaStatusFeed()), name="feed-idea"),
]
