"""The audit log in plain language: "mo hid the idea “Dark mode”" rather than `idea.hidden`,
and a short plain-text excerpt of a reason written in Markdown (an official response)."""

from html import unescape

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.markdown import render_markdown
from core.models import AuditEntry
from ideas.models import Idea, Status

EXCERPT_CHARS = 200

# What each action did, said of its target ({target}); an actor's name comes before it.
VERBS = {
    "idea.hidden": gettext_lazy("hid the idea {target}"),
    "idea.restored": gettext_lazy("restored the idea {target}"),
    "idea.flags_dismissed": gettext_lazy("dismissed the flags on the idea {target}"),
    "idea.auto_hidden": gettext_lazy("hid the idea {target} after its flags"),
    "idea.held": gettext_lazy("held the idea {target} for review"),
    "idea.released": gettext_lazy("released the idea {target} from review"),
    "idea.merge_undone": gettext_lazy("undid the merge of {target}"),
    "comment.hidden": gettext_lazy("hid a comment: {target}"),
    "comment.restored": gettext_lazy("restored a comment: {target}"),
    "comment.flags_dismissed": gettext_lazy("dismissed the flags on a comment: {target}"),
    "comment.auto_hidden": gettext_lazy("hid a comment after its flags: {target}"),
    "comment.held": gettext_lazy("held a comment for review: {target}"),
    "comment.released": gettext_lazy("released a comment from review: {target}"),
    "user.banned": gettext_lazy("banned {target}"),
    "user.unbanned": gettext_lazy("lifted the ban on {target}"),
    "vote.recorded": gettext_lazy("recorded a customer's vote on {target}"),
    "stuffing.detected": gettext_lazy("opened a vote-stuffing case: {target}"),
    "stuffing.confirmed": gettext_lazy("confirmed the vote-stuffing case {target}"),
    "stuffing.released": gettext_lazy("released the vote-stuffing case {target}"),
    "stuffing.superseded": gettext_lazy("folded the vote-stuffing case {target} into a larger one"),
    "changelog.published": gettext_lazy("published the changelog entry {target}"),
    "changelog.saved": gettext_lazy("saved the changelog entry {target}"),
    "changelog.deleted": gettext_lazy("deleted the changelog entry {target}"),
    "category.created": gettext_lazy("created the category {target}"),
    "category.changed": gettext_lazy("changed the category {target}"),
    "category.moved": gettext_lazy("moved the category {target}"),
    "category.retired": gettext_lazy("retired the category {target}"),
    "category.restored": gettext_lazy("brought back the category {target}"),
    "board.settings_changed": gettext_lazy("changed the board settings"),
}


def action_label(action: str) -> str:
    """An action's name for the filter: "Hid the idea", "Changed the status"."""
    if action == "idea.status_set":
        return _("Changed an idea's status")
    if action == "idea.merged":
        return _("Merged an idea")
    if action == "category.merged":
        return _("Merged a category")
    verb = VERBS.get(action)
    if verb is None:
        return action
    words = str(verb).replace("{target}", "").replace(" :", "").strip(" :")
    return words[:1].upper() + words[1:]


def _status(value) -> str:
    try:
        return Status(value).label
    except ValueError:
        return str(value or "—")


def _link(entry: AuditEntry) -> SafeString | str:
    label = entry.target_label or f"#{entry.target_id}"
    try:
        if entry.target_type == "idea" and entry.target_id:
            return format_html(
                '“<a href="{}">{}</a>”', reverse("idea-detail", args=[entry.target_id]), label
            )
        if entry.target_type == "user" and entry.target_label:
            return format_html('<a href="{}">{}</a>', reverse("profile", args=[label]), label)
    except NoReverseMatch:
        pass
    return format_html("“{}”", label)


def sentence(entry: AuditEntry, titles: dict[int, str]) -> SafeString:
    """What happened, after the actor's name: "changed the status of “X” from A to B"."""
    target = _link(entry)
    if entry.action == "idea.status_set":
        text = format_html(
            _("changed the status of {target} from {old} to {new}"),
            target=target,
            old=_status(entry.before.get("status")),
            new=_status(entry.after.get("status")),
        )
        if entry.after.get("official_response"):
            text = format_html("{} {}", text, _("with an official response"))
        return text
    if entry.action == "idea.merged":
        kept = entry.after.get("merged_into")
        into = format_html("#{}", kept)
        if kept in titles:
            into = format_html(
                '“<a href="{}">{}</a>”', reverse("idea-detail", args=[kept]), titles[kept]
            )
        return format_html(_("merged {target} into {into}"), target=target, into=into)
    if entry.action == "category.merged":
        return format_html(
            _("merged the category {target} into “{into}”"),
            target=target,
            into=entry.after.get("into", "?"),
        )
    verb = VERBS.get(entry.action)
    if verb is None:
        return format_html("{} {}", entry.action, target if entry.target_type else "")
    return format_html(str(verb), target=target)


def excerpt(text: str) -> str:
    """A reason as a short line of plain text: Markdown rendered, then its tags dropped."""
    if not text:
        return ""
    plain = " ".join(unescape(strip_tags(render_markdown(text))).split())
    return Truncator(plain).chars(EXCERPT_CHARS)


def describe(entries: list[AuditEntry]) -> None:
    """Set `sentence` and `excerpt` on each entry (one query for the merges' kept ideas)."""
    kept = {
        e.after.get("merged_into")
        for e in entries
        if e.action == "idea.merged" and isinstance(e.after.get("merged_into"), int)
    }
    titles = dict(Idea.objects.filter(pk__in=kept).values_list("pk", "title")) if kept else {}
    for entry in entries:
        entry.sentence = sentence(entry, titles)
        entry.excerpt = excerpt(entry.reason)
