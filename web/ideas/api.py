from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from actions import merging
from actions.ideas import idea_revise, idea_status_set, idea_submit
from core import pagecache, ratelimit
from core.api_errors import errors, service_errors
from core.http_cache import (
    CONDITIONAL_GET_PARAMETERS,
    LINK_PARAMETER,
    NOT_MODIFIED,
    ConditionalGetMixin,
)
from core.pagination import IdeaPagination, StrictPagination
from core.roles import PM_ONLY, NotBanned
from ideas import search
from ideas.models import DEFAULT_SORT, Category, Idea, Merge, Tag, viewer_votes
from ideas.services import idea_is_editable, idea_withdraw
from votes.selectors import rank_explanation
from web.ideas.roadmap import COLUMN_SIZE, RECENTLY_IMPLEMENTED, roadmap_columns
from web.ideas.serializers import (
    CategorySerializer,
    IdeaInputSerializer,
    IdeaMergeInputSerializer,
    IdeaOutputSerializer,
    IdeaQuerySerializer,
    IdeaSimilarOutputSerializer,
    IdeaSimilarQuerySerializer,
    IdeaStatusInputSerializer,
    IdeaUpdateInputSerializer,
    MergeOutputSerializer,
    MergeSuggestionOutputSerializer,
    RankingOutputSerializer,
    RoadmapOutputSerializer,
    RoadmapQuerySerializer,
    TagSerializer,
)


class IdeaListApi(ConditionalGetMixin, APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, NotBanned]
    pagination_class = IdeaPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[
            IdeaQuerySerializer,
            OpenApiParameter("page", int),
            *CONDITIONAL_GET_PARAMETERS,
            LINK_PARAMETER,
        ],
        responses={200: IdeaOutputSerializer(many=True), **NOT_MODIFIED, **errors(400)},
        description=(
            "The visible ideas, ranked, filtered and paginated. Send the ETag back in "
            "If-None-Match to get a 304 while the page is unchanged."
        ),
    )
    def get(self, request):
        query = IdeaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        paginator = self.pagination_class()

        def shared_page() -> dict:
            # Every viewer's page but for `my_vote`, put on below.
            page = paginator.paginate_queryset(_ideas_listed(params), request, view=self)
            rows = IdeaOutputSerializer(page, many=True, context={"request": request}).data
            return paginator.shared_page(rows)

        if params.get("q"):  # free text: a key per string would fill the cache
            shared = shared_page()
        else:
            canonical = {name: getattr(value, "slug", value) for name, value in params.items()} | {
                "page": request.query_params.get(paginator.page_query_param, "1")
            }
            shared = pagecache.shared(request, "api-ideas", canonical, shared_page)
        rows = paginator.restore_shared_page(request, shared, view=self)
        votes = viewer_votes(request.user, [row["id"] for row in rows])
        for row in rows:
            row["my_vote"] = votes.get(row["id"])
        return paginator.get_paginated_response(rows)

    @extend_schema(
        request=IdeaInputSerializer,
        responses={201: IdeaOutputSerializer, **errors(400, 401, 403, 429)},
        description="Submit an idea (category by slug).",
    )
    def post(self, request):
        data = IdeaInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.check_api(ratelimit.hit("idea", request.user.pk))
        with service_errors():  # a retired category, a closed Storm Session
            idea = idea_submit(author=request.user, **data.validated_data)
        ideas = Idea.objects.for_list().with_viewer_vote(request.user).prefetch_related("tags")
        idea = ideas.get(pk=idea.pk)
        out = IdeaOutputSerializer(idea, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


def _ideas_listed(params: dict):
    """The ideas GET /api/ideas/ lists for these (validated) query parameters, ranked."""
    ideas = Idea.objects.visible().for_shared_list().prefetch_related("tags")
    if "category" in params:
        # A merged category stands for the one its ideas went into.
        category = params["category"]
        ideas = ideas.filter(category_id=category.merged_into_id or category.pk)
    if "status" in params:
        ideas = ideas.filter(status=params["status"])
    if "tag" in params:
        ideas = ideas.filter(tags__slug=params["tag"])
    if "session" in params:
        ideas = ideas.filter(session=params["session"])
    return search.matching(ideas, params.get("q", "")).ranked(params.get("sort", DEFAULT_SORT))


def _idea_out(request, pk: int) -> dict:
    ideas = Idea.objects.for_list().with_viewer_vote(request.user).prefetch_related("tags")
    return IdeaOutputSerializer(ideas.get(pk=pk), context={"request": request}).data


class IdeaDetailApi(ConditionalGetMixin, APIView):
    @extend_schema(
        parameters=CONDITIONAL_GET_PARAMETERS,
        responses={200: IdeaOutputSerializer, **NOT_MODIFIED, **errors(404)},
        description=(
            "One idea. Send the ETag back in If-None-Match to get a 304 while it is unchanged."
        ),
    )
    def get(self, request, pk: int):
        ideas = Idea.objects.visible().for_list().with_viewer_vote(request.user)
        idea = get_object_or_404(ideas.prefetch_related("tags"), pk=pk)
        return Response(IdeaOutputSerializer(idea, context={"request": request}).data)

    @extend_schema(
        request=IdeaUpdateInputSerializer,
        responses={200: IdeaOutputSerializer, **errors(400, 401, 403, 404)},
        description=(
            "The author edits the idea (any of title, description, category, tags) until "
            "someone else votes on it or the edit window closes; 403 afterwards."
        ),
    )
    def patch(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        if not idea_is_editable(idea, request.user):
            raise PermissionDenied(
                "Only the author can edit an idea, until someone else votes on it."
            )
        data = IdeaUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = {
            "title": idea.title,
            "description": idea.description,
            "category": idea.category,
            "tags": list(idea.tags.values_list("name", flat=True)),
        }
        with service_errors():
            idea_revise(idea=idea, user=request.user, **{**current, **data.validated_data})
        return Response(_idea_out(request, idea.pk))


class IdeaSimilarApi(APIView):
    @extend_schema(
        parameters=[IdeaSimilarQuerySerializer],
        responses={200: IdeaSimilarOutputSerializer(many=True), **errors(400)},
        description=(
            "Up to 5 ideas on the board like a title being typed, best first: the duplicate "
            "check of the submit form. Back one of them rather than submitting it again."
        ),
    )
    def get(self, request):
        query = IdeaSimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ideas = Idea.objects.visible().for_list().with_viewer_vote(request.user)
        similar = search.similar(ideas, query.validated_data["title"])
        return Response(
            IdeaSimilarOutputSerializer(similar, many=True, context={"request": request}).data
        )


class IdeaRankingApi(APIView):
    @extend_schema(
        responses={200: RankingOutputSerializer, **errors(404)},
        description=(
            "Why the idea ranks where it does in Popular, as its page explains: its votes' "
            "worth today, its votes this week, its trend, and its place overall and in its "
            "category."
        ),
    )
    def get(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        return Response(RankingOutputSerializer(rank_explanation(idea)).data)


class IdeaWithdrawApi(APIView):
    permission_classes = [permissions.IsAuthenticated, NotBanned]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Withdrawn."), **errors(401, 403, 404)},
        description="The author withdraws the idea: kept, with its votes, and shown to nobody.",
    )
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        with service_errors():
            idea_withdraw(idea=idea, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdeaStatusApi(APIView):
    permission_classes = PM_ONLY

    @extend_schema(
        request=IdeaStatusInputSerializer,
        responses={200: IdeaOutputSerializer, **errors(400, 401, 403, 404)},
        description=(
            "A product manager sets the idea's status, with an optional official response "
            "(declining needs one). Followers are notified."
        ),
    )
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        data = IdeaStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            idea_status_set(idea=idea, actor=request.user, **data.validated_data)
        return Response(_idea_out(request, idea.pk))


class IdeaMergeApi(APIView):
    permission_classes = PM_ONLY

    @extend_schema(
        request=IdeaMergeInputSerializer,
        responses={201: MergeOutputSerializer, **errors(400, 401, 403, 404)},
        description=(
            "A product manager merges this idea into the idea `into`: votes, comments and "
            "followers move there. The merge's id undoes it."
        ),
    )
    def post(self, request, pk: int):
        merged = get_object_or_404(Idea.objects.filter(withdrawn_at__isnull=True), pk=pk)
        data = IdeaMergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kept = data.validated_data["into"]
        try:
            merge = merging.idea_merge(
                actor=request.user, merged=merged, kept=kept, reason=data.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            detail = serializers.as_serializer_error(exc)
            # The service names the ideas "kept" and "merged": the input names only `into`.
            for field in ("kept", "merged"):
                if field in detail:
                    detail.setdefault("into", []).extend(detail.pop(field))
            raise ValidationError(detail) from None
        return Response(MergeOutputSerializer(merge).data, status=status.HTTP_201_CREATED)


class MergeUndoApi(APIView):
    permission_classes = PM_ONLY

    @extend_schema(
        request=None,
        responses={200: MergeOutputSerializer, **errors(400, 401, 403, 404)},
        description="A product manager undoes a merge: both ideas are as they were.",
    )
    def post(self, request, pk: int):
        merge = get_object_or_404(Merge, pk=pk)
        with service_errors():
            merge = merging.idea_merge_undo(actor=request.user, merge=merge)
        return Response(MergeOutputSerializer(merge).data)


class MergeSuggestionListApi(APIView):
    permission_classes = PM_ONLY
    pagination_class = StrictPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses={200: MergeSuggestionOutputSerializer(many=True), **errors(400, 401, 403)},
        description=(
            "For product managers: pairs of open ideas that look alike, best first, each "
            "suggesting the better-supported one to keep. Merge one with POST "
            '/api/ideas/{merge.id}/merge/ and `{"into": keep.id}`.'
        ),
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(merging.suggested_merges(), request, view=self)
        data = MergeSuggestionOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class CategoryListApi(generics.ListAPIView):
    queryset = Category.objects.select_related("merged_into")
    serializer_class = CategorySerializer
    pagination_class = None


class TagPagination(StrictPagination):
    page_size = 100


class TagListApi(APIView):
    pagination_class = TagPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses={200: TagSerializer(many=True), **errors(400)},
        description="The tags on visible ideas, by name, a page of 100 at a time.",
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            Tag.objects.in_use().order_by("name", "id"), request, view=self
        )
        return paginator.get_paginated_response(TagSerializer(page, many=True).data)


class RoadmapApi(APIView):
    @extend_schema(
        parameters=[RoadmapQuerySerializer],
        responses={200: RoadmapOutputSerializer, **errors(400)},
        description=(
            "The public roadmap, as on /roadmap/: a column each for the visible ideas planned, "
            f"in progress and implemented in the last {RECENTLY_IMPLEMENTED.days} days, with "
            f"the count of each and its first {COLUMN_SIZE} ideas ranked by Popular."
        ),
    )
    def get(self, request):
        query = RoadmapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        columns = roadmap_columns(
            viewer=request.user, category=query.validated_data.get("category"), with_tags=True
        )
        out = RoadmapOutputSerializer({"columns": columns}, context={"request": request})
        return Response(out.data)
