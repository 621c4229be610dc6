"""Comment pages. Every write works as a plain form post (post/redirect/get back to the
comment on the idea page); with htmx the same endpoints answer with the thread fragment."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actions.comments import comment_post, comment_revise
from comments import services
from comments.models import Comment
from core import formtokens, pending, ratelimit, text
from core.http import forbidden, login_first
from core.pagecache import wants_fragment
from ideas.models import Idea
from web.comments.forms import CommentEditForm, CommentForm
from web.threads import form_messages, thread_html


def _anchor(comment: Comment, idea: Idea) -> str:
    return f"{idea.get_absolute_url()}#comment-{comment.pk}"


def _thread(request, idea: Idea, **kwargs) -> HttpResponse:
    response = HttpResponse(thread_html(request, idea, **kwargs))
    # The edit form targets itself (so its errors stay in place); a saved edit swaps the thread.
    response["HX-Retarget"] = "#comments"
    response["HX-Reswap"] = "outerHTML"
    return response


def _posted(request, idea: Idea, comment_id: int) -> HttpResponse:
    """The answer to a comment form posted twice: the thread with the first post's comment,
    as if this post had made it."""
    if request.htmx:
        return _thread(request, idea, focus_id=comment_id)
    return formtokens.see_other(f"{idea.get_absolute_url()}#comment-{comment_id}")


@require_POST
def post_comment(request, pk: int):
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    form = CommentForm(request.POST)
    if not request.user.is_authenticated and (form.is_valid() or not form.data.get("body")):
        # The text waits in the session and comes back in the form after the log-in
        # (web.pending); a visitor's text with errors is shown again first, like a member's.
        pending.remember_comment(request, idea_id=idea.pk, body=form.data.get("body", ""))
        return login_first(request, f"{idea.get_absolute_url()}#comments")
    # The form posted again (Back then Submit, a double click): answer as the first post was.
    token = formtokens.token_clean(request.POST.get(formtokens.FIELD_NAME))
    if earlier := formtokens.earlier_id(user=request.user, kind="comment", token=token):
        return _posted(request, idea, earlier)
    if form.is_valid():
        if exceeded := ratelimit.hit("comment", request.user.pk):
            return ratelimit.page_response(request, exceeded)
        try:
            outcome = formtokens.create_once(
                user=request.user,
                kind="comment",
                token=token,
                create=lambda: comment_post(
                    author=request.user,
                    idea=idea,
                    body=form.cleaned_data["body"],
                    parent=form.cleaned_data["parent"],
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome.created is None:  # a twin post, at the same moment, created it
                return _posted(request, idea, outcome.earlier_id)
            if request.htmx:
                return _thread(request, idea, focus_id=outcome.created.pk)
            return redirect(_anchor(outcome.created, idea))
    if request.htmx:
        # 200, not 400: htmx swaps only successful responses, and the errors are in the fragment.
        return _thread(request, idea, form=form)
    is_reply = bool(form.data.get("parent"))
    context = {
        "idea": idea,
        "title": _("Reply") if is_reply else _("Add a comment"),
        "action": reverse("comment-create", args=[idea.pk]),
        "field_id": "reply-body" if is_reply else "comment-body",
        "label": _("Reply") if is_reply else _("Comment"),
        "button": _("Post reply") if is_reply else _("Post comment"),
        "parent_id": form.data.get("parent", ""),
        "value": text.shown(form.data.get("body", "")),
        "errors": form_messages(form),
        "cancel_url": f"{idea.get_absolute_url()}#comments",
    }
    return render(request, "comments/comment_form_page.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def edit_comment(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.reachable_by(request.user).select_related("idea"), pk=pk
    )
    idea = comment.idea
    context = {
        "idea": idea,
        "title": _("Edit your comment"),
        "action": reverse("comment-edit", args=[comment.pk]),
        "field_id": f"comment-{comment.pk}-edit",
        "label": _("Comment"),
        "button": _("Save comment"),
        "value": comment.body,
        "cancel_url": _anchor(comment, idea),
        "hx_target": "this" if request.htmx else "",
        "autofocus": bool(request.htmx),
    }
    try:
        services.comment_check_editable(comment, request.user)
    except PermissionDenied as refusal:
        if wants_fragment(request):  # the reason at the top of the page, not inside the comment
            return forbidden(request, context={"message": str(refusal)})
        return render(
            request,
            "comments/comment_form_page.html",
            {**context, "refusal": str(refusal)},
            status=403,
        )
    status = 200
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                comment_revise(comment=comment, user=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.htmx:
                    return _thread(request, idea, focus_id=comment.pk)
                return redirect(_anchor(comment, idea))
        context.update(
            value=text.shown(form.data.get("body", "")), errors=form_messages(form), autofocus=True
        )
        status = 200 if request.htmx else 400
    template = "comments/comment_form_page.html"
    return render(request, f"{template}#form" if request.htmx else template, context, status=status)


@require_POST
def delete_comment(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.reachable_by(request.user).select_related("idea"), pk=pk
    )
    idea = comment.idea
    if not request.user.is_authenticated:
        return login_first(request, _anchor(comment, idea))
    services.comment_delete(comment=comment, user=request.user)
    if request.htmx:
        return _thread(request, idea, focus_id=comment.pk)
    return redirect(_anchor(comment, idea))
