from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from actions.moderation import (
    BAN_REASON_MAX_LENGTH,
    REASON_MAX_LENGTH,
    case_review,
    content_hide,
    content_restore,
    flags_dismiss,
    moderation_bulk,
)
from comments.models import Comment
from core import ratelimit
from core.api_errors import errors, service_errors
from core.models import AuditEntry
from core.pagination import StrictPagination
from core.roles import MODERATORS_ONLY, NotBanned
from core.text import LineSerializerField
from ideas.models import Idea
from moderation.bans import ban_create, ban_lift
from moderation.models import NOTE_MAX_LENGTH, Flag, StuffingCase
from moderation.queue import (
    SORTS,
    TABS,
    open_flag_counts,
    queue_items,
    queue_rows,
    stuffing_cases,
)
from moderation.services import flag_create
from web.moderation.forms import ACTION_CHOICES, AUDIT_TARGET_TYPES


class FlagInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    note = LineSerializerField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class FlagOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class _FlagApi(APIView):
    permission_classes = [permissions.IsAuthenticated, NotBanned]

    def _create(self, request, target: Idea | Comment) -> Response:
        data = FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.check_api(ratelimit.hit("flag", request.user.pk))
        try:
            flag = flag_create(flagger=request.user, target=target, **data.validated_data)
        except DjangoValidationError as exc:
            # The service's refusals, in DRF's shape: per field, or under non_field_errors.
            raise ValidationError(serializers.as_serializer_error(exc)) from None
        return Response(FlagOutputSerializer(flag).data, status=status.HTTP_201_CREATED)


class IdeaFlagsApi(_FlagApi):
    @extend_schema(
        request=FlagInputSerializer,
        responses={201: FlagOutputSerializer, **errors(400, 401, 403, 404, 429)},
        description="Flag the idea for a moderator (once per member).",
    )
    def post(self, request, pk: int):
        return self._create(request, get_object_or_404(Idea.objects.visible(), pk=pk))


class CommentFlagsApi(_FlagApi):
    @extend_schema(
        request=FlagInputSerializer,
        responses={201: FlagOutputSerializer, **errors(400, 401, 403, 404, 429)},
        description="Flag the comment for a moderator (once per member).",
    )
    def post(self, request, pk: int):
        return self._create(
            request,
            get_object_or_404(
                Comment.objects.reachable_by(request.user).select_related("idea"), pk=pk
            ),
        )


class QueueQuerySerializer(serializers.Serializer):
    tab = serializers.ChoiceField(
        choices=[tab for tab in TABS if tab != "stuffing"], required=False, default=TABS[0]
    )
    sort = serializers.ChoiceField(choices=SORTS, required=False, default=SORTS[0])


class QueueItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["idea", "comment"])
    id = serializers.IntegerField(source="target.pk")
    idea = serializers.IntegerField(source="idea.pk")
    title = serializers.CharField(source="idea.title", help_text="The idea's title.")
    excerpt = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    open_flags = serializers.SerializerMethodField()
    reasons = serializers.ListField(child=serializers.CharField())
    state = serializers.SerializerMethodField()
    at = serializers.DateTimeField(help_text="When it entered this tab.")

    def get_excerpt(self, item) -> str:
        text = item.target.description if item.kind == "idea" else item.target.body
        return text[:200]

    def get_author(self, item) -> str | None:
        author = item.target.author
        return author.display_name if author is not None else None

    def get_open_flags(self, item) -> int:
        return len(item.open_flags)

    def get_state(self, item) -> str:
        """ "hidden", "held" (waiting for review) or "visible"."""
        return _state(item.target)


def _state(target: Idea | Comment) -> str:
    if target.hidden_at:
        return "hidden"
    return "held" if target.held_at else "visible"


class QueuePagination(StrictPagination):
    page_size = 20


class ModerationQueueApi(APIView):
    permission_classes = MODERATORS_ONLY
    pagination_class = QueuePagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[QueueQuerySerializer, OpenApiParameter("page", int)],
        responses={200: QueueItemSerializer(many=True), **errors(400, 401, 403)},
        description=(
            "The moderation queue: flagged, held (waiting for review) or hidden ideas and "
            "comments, newest or most flagged first (moderators)."
        ),
    )
    def get(self, request):
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = queue_rows(query.validated_data["tab"], query.validated_data["sort"])
        paginator = QueuePagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        items = queue_items(page)
        return paginator.get_paginated_response(QueueItemSerializer(items, many=True).data)


class ModerationInputSerializer(serializers.Serializer):
    reason = LineSerializerField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ModerationStateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["idea", "comment"])
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["hidden", "held", "visible"])
    open_flags = serializers.IntegerField()


class _ModerationActApi(APIView):
    """One moderator action on one idea or comment; subclasses name the kind and the action."""

    permission_classes = MODERATORS_ONLY
    kind: str
    act = None

    def post(self, request, pk: int):
        if self.kind == "idea":
            targets = Idea.objects.filter(withdrawn_at__isnull=True)
        else:
            targets = Comment.objects.filter(idea__withdrawn_at__isnull=True)
        target = get_object_or_404(targets, pk=pk)
        data = ModerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            type(self).act(moderator=request.user, target=target, **data.validated_data)
        open_flags = Flag.objects.filter(resolved_at__isnull=True, **{self.kind: target}).count()
        out = {
            "kind": self.kind,
            "id": target.pk,
            "state": _state(target),
            "open_flags": open_flags,
        }
        return Response(ModerationStateSerializer(out).data)


def _act_schema(kind: str, what: str):
    return extend_schema_view(
        post=extend_schema(
            request=ModerationInputSerializer,
            responses={200: ModerationStateSerializer, **errors(400, 401, 403, 404)},
            description=f"{what} (moderators). Resolves the {kind}'s open flags; audited.",
        )
    )


@_act_schema(
    "idea", "Hide the idea from everyone but moderators; a reason is needed unless it is flagged"
)
class IdeaHideApi(_ModerationActApi):
    kind, act = "idea", content_hide


@_act_schema("idea", "Show a hidden or held idea again (approves a held one)")
class IdeaRestoreApi(_ModerationActApi):
    kind, act = "idea", content_restore


@_act_schema("idea", "Dismiss the idea's open flags and leave it as it is")
class IdeaDismissApi(_ModerationActApi):
    kind, act = "idea", flags_dismiss


@_act_schema(
    "comment",
    "Hide the comment from everyone but moderators; a reason is needed unless it is flagged",
)
class CommentHideApi(_ModerationActApi):
    kind, act = "comment", content_hide


@_act_schema("comment", "Show a hidden or held comment again (approves a held one)")
class CommentRestoreApi(_ModerationActApi):
    kind, act = "comment", content_restore


@_act_schema("comment", "Dismiss the comment's open flags and leave it as it is")
class CommentDismissApi(_ModerationActApi):
    kind, act = "comment", flags_dismiss


BULK_MAX = 100
MAX_ID = 2**63 - 1  # a 64-bit id column: a larger number is a 400, not a database error


def _ids(kind: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=BULK_MAX,
        required=False,
        default=list,
        help_text=f"The ids of the {kind}s to act on.",
    )


class BulkModerationInputSerializer(ModerationInputSerializer):
    action = serializers.ChoiceField(choices=ACTION_CHOICES)
    ideas = _ids("idea")
    comments = _ids("comment")

    def validate(self, data: dict) -> dict:
        count = len(set(data["ideas"])) + len(set(data["comments"]))
        if not count:
            raise serializers.ValidationError("Select at least one idea or comment.")
        if count > BULK_MAX:
            raise serializers.ValidationError(f"Select at most {BULK_MAX} items at once.")
        return data


class BulkModerationOutputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTION_CHOICES)
    items = ModerationStateSerializer(many=True, help_text="Each item acted on, as it is now.")


# The input's lists of ids, the kind each names, and where that kind is looked up.
BULK_KINDS = {
    "ideas": ("idea", Idea.objects.filter(withdrawn_at__isnull=True)),
    "comments": ("comment", Comment.objects.filter(idea__withdrawn_at__isnull=True)),
}


def _kind(target: Idea | Comment) -> str:
    return "idea" if isinstance(target, Idea) else "comment"


def _by_place(ids: list[int], messages: dict[int, str]) -> dict[int, list[str]]:
    """The messages about some ids, keyed by the ids' places in the input's list."""
    return {i: [messages[pk]] for i, pk in enumerate(ids) if pk in messages}


def _bulk_targets(chosen: dict) -> list[Idea | Comment]:
    """The ideas, then the comments, named in the input, each once. Unknown ids are a 400
    under their field and place."""
    targets, unknown = [], {}
    for field, (kind, rows) in BULK_KINDS.items():
        found = rows.in_bulk(chosen[field])
        missing = {
            pk: f"There is no {kind} with the id {pk}." for pk in chosen[field] if pk not in found
        }
        if missing:
            unknown[field] = _by_place(chosen[field], missing)
        targets += [found[pk] for pk in dict.fromkeys(chosen[field]) if pk in found]
    if unknown:
        raise ValidationError(unknown)
    return targets


def _refusals(chosen: dict, skipped: list[tuple[Idea | Comment, str]]) -> dict:
    """What the action did not apply to, and why: under the field and place, as a 400."""
    refused: dict[str, dict[int, str]] = {}
    for target, why in skipped:
        refused.setdefault(f"{_kind(target)}s", {})[target.pk] = why
    return {field: _by_place(chosen[field], why) for field, why in refused.items()}


class ModerationBulkApi(APIView):
    permission_classes = MODERATORS_ONLY

    @extend_schema(
        request=BulkModerationInputSerializer,
        responses={200: BulkModerationOutputSerializer, **errors(400, 401, 403)},
        description=(
            f"Hide, restore or dismiss the flags of up to {BULK_MAX} ideas and comments at once "
            "(moderators), as the queue's bulk action does; each one is audited. All or "
            "nothing: an unknown id, or an item the action does not apply to (hiding what is "
            "hidden), is a 400 with the reason under its field and place, and nothing changes."
        ),
    )
    def post(self, request):
        data = BulkModerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = data.validated_data
        targets = _bulk_targets(chosen)
        with service_errors(), transaction.atomic():
            result = moderation_bulk(
                moderator=request.user,
                action=chosen["action"],
                targets=targets,
                reason=chosen["reason"],
            )
            if result.skipped:
                # The page skips what the action does not apply to; the API undoes it all.
                raise ValidationError(_refusals(chosen, result.skipped))
        flags = open_flag_counts(
            ideas=[t.pk for t in result.done if isinstance(t, Idea)],
            comments=[t.pk for t in result.done if isinstance(t, Comment)],
        )
        items = [
            {
                "kind": _kind(target),
                "id": target.pk,
                "state": _state(target),
                "open_flags": flags.get((_kind(target), target.pk), 0),
            }
            for target in result.done
        ]
        out = {"action": chosen["action"], "items": items}
        return Response(BulkModerationOutputSerializer(out).data)


def _ban_days() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=3650,
        allow_null=True,
        required=False,
        default=None,
        help_text="How many days; null (or left out) bans until a moderator lifts it.",
    )


class BanInputSerializer(serializers.Serializer):
    reason = LineSerializerField(max_length=BAN_REASON_MAX_LENGTH)
    days = _ban_days()


class BanOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    banned = serializers.BooleanField(source="is_banned")
    banned_until = serializers.DateTimeField(
        allow_null=True, help_text="Null when not banned; 9999-12-31 until lifted."
    )
    ban_reason = serializers.CharField()


class LiftBanInputSerializer(serializers.Serializer):
    reason = LineSerializerField(max_length=500, required=False, allow_blank=True, default="")


def _member(username: str) -> User:
    return get_object_or_404(User, username=username, deleted_at__isnull=True)


class UserBanApi(APIView):
    permission_classes = MODERATORS_ONLY

    @extend_schema(
        request=BanInputSerializer,
        responses={201: BanOutputSerializer, **errors(400, 401, 403, 404)},
        description="Ban the member for some days or until lifted (moderators). A banned member "
        "reads but cannot post, vote, comment, flag or follow.",
    )
    def post(self, request, username: str):
        person = _member(username)
        data = BanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            ban_create(moderator=request.user, user=person, **data.validated_data)
        person.refresh_from_db(fields=["banned_until", "ban_reason"])
        return Response(BanOutputSerializer(person).data, status=status.HTTP_201_CREATED)


class UserBanLiftApi(APIView):
    permission_classes = MODERATORS_ONLY

    @extend_schema(
        request=LiftBanInputSerializer,
        responses={200: BanOutputSerializer, **errors(400, 401, 403, 404)},
        description="End the member's current ban now (moderators).",
    )
    def post(self, request, username: str):
        person = _member(username)
        data = LiftBanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            ban_lift(moderator=request.user, user=person, **data.validated_data)
        person.refresh_from_db(fields=["banned_until", "ban_reason"])
        return Response(BanOutputSerializer(person).data)


class AuditQuerySerializer(serializers.Serializer):
    action = LineSerializerField(max_length=40, required=False, help_text="e.g. idea.hidden")
    actor = LineSerializerField(max_length=150, required=False, help_text="A username.")
    target_type = serializers.ChoiceField(
        choices=[value for value, _ in AUDIT_TARGET_TYPES if value], required=False
    )


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name", help_text="Empty for the system.")
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.IntegerField(allow_null=True)
    target_label = serializers.CharField()
    reason = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class AuditPagination(StrictPagination):
    page_size = 50


class AuditListApi(APIView):
    permission_classes = MODERATORS_ONLY
    pagination_class = AuditPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[AuditQuerySerializer, OpenApiParameter("page", int)],
        responses={200: AuditEntrySerializer(many=True), **errors(400, 401, 403)},
        description="The audit log, newest first, 50 a page (moderators).",
    )
    def get(self, request):
        query = AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        chosen = query.validated_data
        entries = AuditEntry.objects.order_by("-created_at", "-id")
        if chosen.get("action"):
            entries = entries.filter(action=chosen["action"])
        if chosen.get("actor"):
            entries = entries.filter(actor_name__iexact=chosen["actor"].strip())
        if chosen.get("target_type"):
            entries = entries.filter(target_type=chosen["target_type"])
        paginator = AuditPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class StuffingCaseQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["open", "decided"],
        required=False,
        help_text="open: waiting for a moderator; decided: confirmed or released. Both when "
        "left out, open ones first.",
    )


class StuffingCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.ChoiceField(choices=StuffingCase.Rule.choices)
    why = serializers.CharField(source="get_rule_display", help_text="The rule, in words.")
    state = serializers.ChoiceField(choices=StuffingCase.State.choices)
    network = serializers.CharField(help_text="The network the votes came from.")
    idea = serializers.IntegerField(
        source="idea_id", allow_null=True, help_text="A burst's idea; null for a ring."
    )
    idea_title = serializers.SerializerMethodField()
    accounts = serializers.SerializerMethodField()
    votes = serializers.IntegerField(
        source="vote_count", help_text="The votes it holds out of every score (none once released)."
    )
    evidence = serializers.JSONField(help_text="What the detector saw: counts, times, ideas.")
    detected_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.SerializerMethodField()

    def get_idea_title(self, case: StuffingCase) -> str | None:
        return case.idea.title if case.idea_id else None

    def get_accounts(self, case: StuffingCase) -> list[str]:
        """The usernames of the accounts whose votes it holds."""
        return [user.username for user in case.accounts.all()]

    def get_decided_by(self, case: StuffingCase) -> str | None:
        return case.decided_by.username if case.decided_by_id else None


class StuffingCaseListApi(APIView):
    permission_classes = MODERATORS_ONLY
    pagination_class = QueuePagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[StuffingCaseQuerySerializer, OpenApiParameter("page", int)],
        responses={200: StuffingCaseSerializer(many=True), **errors(400, 401, 403)},
        description=(
            "The vote-stuffing cases the detector opened, open ones first, then the newest "
            "(moderators). An open case's votes count in no score until it is decided."
        ),
    )
    def get(self, request):
        query = StuffingCaseQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cases = stuffing_cases()
        if query.validated_data.get("state") == "open":
            cases = cases.filter(state=StuffingCase.State.OPEN)
        elif query.validated_data.get("state") == "decided":
            cases = cases.exclude(state=StuffingCase.State.OPEN)
        paginator = QueuePagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(StuffingCaseSerializer(page, many=True).data)


class CaseDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=["confirm", "release"],
        help_text="confirm: its votes stay out of every score; release: they count again.",
    )
    reason = LineSerializerField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    ban_accounts = serializers.BooleanField(
        required=False, default=False, help_text="When confirming: ban its accounts too."
    )
    ban_reason = LineSerializerField(
        max_length=BAN_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the accounts are banned; the reason above when left out.",
    )
    ban_days = _ban_days()


class NotBannedSerializer(serializers.Serializer):
    username = serializers.CharField()
    reason = serializers.CharField(help_text="Why the ban was refused (a moderator, say).")


class CaseDecisionOutputSerializer(serializers.Serializer):
    case = StuffingCaseSerializer()
    banned = serializers.ListField(
        child=serializers.CharField(), help_text="The usernames of the accounts banned."
    )
    not_banned = NotBannedSerializer(many=True)


class StuffingCaseDecideApi(APIView):
    permission_classes = MODERATORS_ONLY

    @extend_schema(
        request=CaseDecisionInputSerializer,
        responses={200: CaseDecisionOutputSerializer, **errors(400, 401, 403, 404)},
        description=(
            "Confirm or release a vote-stuffing case, and when confirming optionally ban its "
            "accounts (moderators); audited. A released case, or confirming a confirmed one, "
            "is a 400."
        ),
    )
    def post(self, request, pk: int):
        case = get_object_or_404(StuffingCase, pk=pk)
        data = CaseDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = data.validated_data
        with service_errors():
            result = case_review(
                moderator=request.user,
                case=case,
                confirm=chosen["decision"] == "confirm",
                reason=chosen["reason"],
                ban_accounts=chosen["ban_accounts"],
                ban_reason=chosen["ban_reason"],
                ban_days=chosen["ban_days"],
            )
        out = {
            "case": stuffing_cases().get(pk=case.pk),
            "banned": [user.username for user in result.banned],
            "not_banned": [
                {"username": user.username, "reason": why} for user, why in result.not_banned
            ],
        }
        return Response(CaseDecisionOutputSerializer(out).data)
