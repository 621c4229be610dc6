from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import formtokens
from core.pagecache import wants_fragment
from core.pagination import page_of
from core.roles import is_product_manager
from ideas.models import SORT_LABELS, Idea
from storms.models import StormSession
from storms.services import storm_create, storm_fields, storm_update
from web.storms.forms import StormForm

PAGE_SIZE = 20
SESSION_SORTS = ("popular", "top")
CLOSED_TOP = 10
PAST_SHOWN = 50


def product_manager_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_product_manager(request.user):
            raise PermissionDenied(_("Only product managers run Storm Sessions."))
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
def storm_list(request):
    now = timezone.now()
    context = {
        "now": now,
        "active": StormSession.objects.active(now).order_by("ends_at"),
        "upcoming": StormSession.objects.upcoming(now),
        "past": StormSession.objects.past(now)[:PAST_SHOWN],
        "can_create": is_product_manager(request.user),
    }
    return render(request, "storms/storm_list.html", context)


@require_GET
def storm_detail(request, slug: str):
    session = get_object_or_404(StormSession, slug=slug)
    now = timezone.now()
    closed = session.is_closed(now)
    sort = "top" if closed or request.GET.get("sort") == "top" else "popular"
    ideas = (
        Idea.objects.visible()
        .for_list()
        .with_viewer_vote(request.user)
        .filter(session=session)
        .ranked(sort)
    )
    if closed:  # read-only: its top ideas
        page = page_of(ideas, 1, CLOSED_TOP)
    else:
        page = page_of(ideas, request.GET.get("page"), PAGE_SIZE)
    context = {
        "session": session,
        "now": now,
        "categories": list(session.categories.all()),
        "closed": closed,
        "active": session.is_active(now),
        "page": page,
        "ideas": page.items,
        "sort": sort,
        "sorts": [(s, SORT_LABELS[s]) for s in SESSION_SORTS],
        "can_edit": is_product_manager(request.user),
    }
    template = "storms/storm_detail.html"
    if wants_fragment(request) and not closed:
        template += "#ideas"
    return render(request, template, context)


def _to_session(pk: int):
    session = get_object_or_404(StormSession, pk=pk)
    return formtokens.see_other(session.get_absolute_url())


def _save(request, form: StormForm, session: StormSession):
    try:
        return storm_update(session=session, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
    return None


def _add_errors(form: StormForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@product_manager_required
@require_http_methods(["GET", "POST"])
def storm_new(request):
    # The form posted again (Back then Create, a double click): the session the first made.
    token = formtokens.token_clean(request.POST.get(formtokens.FIELD_NAME))
    if earlier := formtokens.earlier_id(user=request.user, kind="storm", token=token):
        return _to_session(earlier)
    form = StormForm(request.POST or None)
    saved = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = formtokens.create_once(
                user=request.user,
                kind="storm",
                token=token,
                create=lambda: storm_create(actor=request.user, **form.cleaned_data),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if outcome.created is None:  # a twin post, at the same moment, made it
                return _to_session(outcome.earlier_id)
            saved = outcome.created
    if saved:
        now = timezone.now()
        if saved.is_active(now):
            messages.success(request, _("The Storm Session is open: it takes ideas now."))
        elif saved.starts_at > now:
            messages.success(request, _("The Storm Session is scheduled."))
        else:
            messages.success(request, _("The Storm Session is saved; its dates are past."))
        return redirect(saved)
    return render(
        request, "storms/storm_form.html", {"form": form}, status=400 if form.errors else 200
    )


@product_manager_required
@require_http_methods(["GET", "POST"])
def storm_edit(request, slug: str):
    session = get_object_or_404(StormSession, slug=slug)
    form = StormForm(request.POST or None, initial=storm_fields(session))
    saved = _save(request, form, session) if request.method == "POST" and form.is_valid() else None
    if saved:
        messages.success(request, _("The Storm Session is updated."))
        return redirect(saved)
    return render(
        request,
        "storms/storm_form.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )
