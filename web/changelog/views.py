"""The changelog: public entries (/changelog/), each on its own page, and for product managers
writing, scheduling and publishing them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.changelog import entry_publish
from changelog.models import Entry
from changelog.services import entry_delete, entry_save
from core import formtokens, pagecache
from core.forms import add_service_errors
from core.pagecache import cache_for_visitors
from core.pagination import page_of
from core.roles import is_product_manager, pm_required
from ideas.models import Idea
from web.changelog.forms import EntryForm

PAGE_SIZE = 10


def with_ideas(entries):
    """Each entry with the ideas it ships that everyone still sees, in one more query."""
    shown = Idea.objects.visible().select_related("category").order_by("-score", "id")
    return entries.prefetch_related(Prefetch("ideas", queryset=shown, to_attr="shipped"))


@require_GET
@cache_for_visitors(query={"page": pagecache.PAGE})
def changelog_list(request):
    entries = with_ideas(Entry.objects.published().newest_first().select_related("author"))
    page = page_of(entries, request.GET.get("page"), PAGE_SIZE)
    unpublished = []
    if is_product_manager(request.user):
        unpublished = list(
            Entry.objects.filter(published_at__isnull=True).order_by("publish_at", "-id")
        )
    return render(
        request,
        "changelog/list.html",
        {"page": page, "entries": page.items, "unpublished": unpublished},
    )


@require_GET
def entry_detail(request, pk: int, slug: str | None = None):
    entry = get_object_or_404(with_ideas(Entry.objects.select_related("author")), pk=pk)
    if not entry.is_published and not is_product_manager(request.user):
        raise Http404(_("No such changelog entry."))
    if slug is not None and slug != entry.slug:
        return redirect(entry, permanent=True)
    return render(request, "changelog/entry.html", {"entry": entry})


def _save(request, form, entry=None):
    data = form.cleaned_data
    when = data.get("when")
    publish_at = None
    if when == "schedule":
        publish_at = data["publish_at"]
    elif when == "now":
        publish_at = None  # set on publishing
    ideas = data.get("ideas") if not form.published else list(entry.ideas.all())
    entry = entry_save(
        actor=request.user,
        entry=entry,
        title=data["title"],
        body=data["body"],
        ideas=ideas,
        publish_at=publish_at if not form.published else entry.publish_at,
    )
    if when == "now" and entry.is_published:  # a double click: the first one published it
        messages.info(request, _("This entry was published a moment ago."))
    elif when == "now":
        told = entry_publish(entry=entry, actor=request.user)
        messages.success(
            request,
            _("Published. %(count)s people who voted on or follow its ideas are told.")
            % {"count": told},
        )
    elif when == "schedule":
        messages.success(request, _("Scheduled: it is published at the time you chose."))
    elif form.published:
        messages.success(request, _("The entry is saved."))
    else:
        messages.success(request, _("Saved as a draft: only product managers see it."))
    return entry


@pm_required
@require_http_methods(["GET", "POST"])
def entry_new(request):
    posted = request.method == "POST"
    # The form posted again (Back then Save, a double click): the entry the first post saved.
    token = formtokens.token_clean(request.POST.get(formtokens.FIELD_NAME))
    if earlier := formtokens.earlier_id(user=request.user, kind="changelog", token=token):
        return formtokens.see_other(reverse("changelog-entry-bare", args=[earlier]))
    form = EntryForm(
        request.POST if posted else None, initial={"ideas": request.GET.get("ideas", "")}
    )
    if posted and form.is_valid():
        try:
            # Saved and published together, or neither; with the form's token.
            outcome = formtokens.create_once(
                user=request.user,
                kind="changelog",
                token=token,
                create=lambda: _save(request, form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if outcome.created is None:  # a twin post, at the same moment, saved it
                return formtokens.see_other(
                    reverse("changelog-entry-bare", args=[outcome.earlier_id])
                )
            return redirect(outcome.created)
    return render(
        request, "changelog/form.html", {"form": form}, status=400 if form.errors else 200
    )


@pm_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    entry = get_object_or_404(Entry, pk=pk)
    initial = {
        "title": entry.title,
        "body": entry.body,
        "ideas": ", ".join(str(pk) for pk in entry.ideas.values_list("pk", flat=True)),
        "when": "schedule" if entry.publish_at else "draft",
        "publish_at": entry.publish_at,
    }
    posted = request.method == "POST"
    form = EntryForm(
        request.POST if posted else None, initial=initial, published=entry.is_published
    )
    if posted and form.is_valid():
        try:
            with transaction.atomic():
                entry = _save(request, form, entry)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(entry)
    return render(
        request,
        "changelog/form.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


@pm_required
@require_POST
def entry_delete_view(request, pk: int):
    entry = get_object_or_404(Entry, pk=pk)
    try:
        entry_delete(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(entry)
    messages.success(request, _("“%(title)s” is deleted.") % {"title": entry.title})
    return redirect("changelog")
