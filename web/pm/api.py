"""The product managers' reads over the API: the latest top-requests snapshot, the exports
of ideas and of their votes by customer segment (streamed JSON, typed in the schema) and the
dashboard's board-wide figures."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import errors
from core.roles import PM_ONLY
from ideas.models import Category, Idea, Status
from pm.export import SEGMENT_KEYS, json_stream, segments_json_stream
from pm.selectors import board_overview, latest_snapshot
from web.pm.forms import IdeaFilterForm


class SnapshotQuerySerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        help_text="A category's own list; the overall list when left out.",
    )


class SnapshotEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    title = serializers.CharField(source="idea.title")
    score = serializers.IntegerField(help_text="The net score when the snapshot was taken.")
    previous_rank = serializers.IntegerField(
        allow_null=True, help_text="The rank in the snapshot before; null when new to the list."
    )
    category = serializers.SlugField(source="idea.category.slug")


class SnapshotOutputSerializer(serializers.Serializer):
    period = serializers.DateTimeField()
    taken_at = serializers.DateTimeField()
    category = serializers.SlugField(allow_null=True, help_text="The list's category, or null.")
    entries = SnapshotEntrySerializer(many=True)


class LatestSnapshotApi(APIView):
    permission_classes = PM_ONLY

    @extend_schema(
        parameters=[SnapshotQuerySerializer],
        responses={200: SnapshotOutputSerializer, **errors(400, 401, 403, 404)},
        description=(
            "The latest top product requests (taken hourly): rank, idea, score and the rank "
            "before, overall or within a category. 404 before the first snapshot."
        ),
    )
    def get(self, request):
        query = SnapshotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        category = query.validated_data.get("category")
        snapshot = latest_snapshot()
        if snapshot is None:
            raise NotFound("No snapshot has been taken yet.")
        entries = (
            snapshot.entries.filter(category=category, idea__in=Idea.objects.visible())
            .select_related("idea", "idea__category")
            .order_by("rank")
        )
        data = {
            "period": snapshot.period,
            "taken_at": snapshot.taken_at,
            "category": category.slug if category else None,
            "entries": entries,
        }
        return Response(SnapshotOutputSerializer(data).data)


class SegmentVotesSerializer(serializers.Serializer):
    promotes = serializers.IntegerField()
    demotes = serializers.IntegerField()


# One property per segment key ("small-business" is no Python name: hence type()).
VotesBySegmentSerializer = type(
    "VotesBySegmentSerializer",
    (serializers.Serializer,),
    {key: SegmentVotesSerializer() for key in SEGMENT_KEYS},
)

UTC_HELP = "ISO 8601 in UTC to the second, e.g. 2024-05-01T09:30:00Z."


class IdeaExportRowSerializer(serializers.Serializer):
    """Documents a row of pm.export.idea_records (the rows are written there, not here)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The idea's page.")
    category = serializers.CharField(help_text="The category's name.")
    tags = serializers.ListField(child=serializers.CharField(), help_text="Tag names, A to Z.")
    status = serializers.ChoiceField(choices=Status.choices)
    created_at = serializers.CharField(help_text=UTC_HELP)
    score = serializers.IntegerField(help_text="Promotes minus demotes.")
    promotes = serializers.IntegerField()
    demotes = serializers.IntegerField()
    votes_by_segment = VotesBySegmentSerializer(
        help_text="Per customer segment; `unknown` for members without one. Quarantined "
        "votes are left out."
    )
    responded_at = serializers.CharField(
        allow_null=True, help_text="The first official response; null before one. " + UTC_HELP
    )
    session = serializers.CharField(allow_null=True, help_text="The Storm Session's title.")


class SegmentExportRowSerializer(serializers.Serializer):
    """Documents a row of pm.export.segment_records."""

    idea = serializers.IntegerField(help_text="The idea's id.")
    title = serializers.CharField()
    url = serializers.URLField(help_text="The idea's page.")
    category = serializers.CharField(help_text="The category's name.")
    status = serializers.ChoiceField(choices=Status.choices)
    segment = serializers.ChoiceField(
        choices=SEGMENT_KEYS, help_text="The voters' customer segment; `unknown`: none set."
    )
    segment_label = serializers.CharField()
    promotes = serializers.IntegerField()
    demotes = serializers.IntegerField()


EXPORT_FILTERS = [
    OpenApiParameter("category", str, description="A category's slug."),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("tag", str, description="A tag's slug."),
    OpenApiParameter("created_from", OpenApiTypes.DATE),
    OpenApiParameter("created_to", OpenApiTypes.DATE),
    OpenApiParameter("session", str, description="A Storm Session's slug."),
]


def _export(request, *, stream, what: str) -> StreamingHttpResponse:
    """The visible ideas the dashboard's filters pick, streamed by `stream` as a JSON file."""
    filters = IdeaFilterForm(request.query_params)
    if not filters.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filters.errors.items()})
    ideas = filters.apply(Idea.objects.visible())
    origin = request.build_absolute_uri("/")[:-1]
    response = StreamingHttpResponse(stream(ideas, origin=origin), content_type="application/json")
    name = f"ideastorm-{what}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class IdeaExportApi(APIView):
    """The same export as /pm/export.json (and /pm/export.csv for a spreadsheet)."""

    permission_classes = PM_ONLY

    @extend_schema(
        parameters=EXPORT_FILTERS,
        responses={
            200: OpenApiResponse(
                response=IdeaExportRowSerializer(many=True),
                description="A JSON array of the visible ideas, best first, streamed, with "
                "votes by customer segment. The CSV of the same is at /pm/export.csv "
                "(session login).",
            ),
            **errors(400, 401, 403),
        },
        description="Export the visible ideas, filtered, as JSON (product managers).",
    )
    def get(self, request):
        return _export(request, stream=json_stream, what="ideas")


class SegmentExportApi(APIView):
    """Votes by customer segment: the same as /pm/export-segments.csv."""

    permission_classes = PM_ONLY

    @extend_schema(
        parameters=EXPORT_FILTERS,
        responses={
            200: OpenApiResponse(
                response=SegmentExportRowSerializer(many=True),
                description="A JSON array, streamed: for each visible idea (best first) one "
                "row per customer segment, zeros included. The CSV of the same is at "
                "/pm/export-segments.csv (session login).",
            ),
            **errors(400, 401, 403),
        },
        description=(
            "Export promotes and demotes by customer segment of the visible ideas, filtered "
            "as the idea export is (product managers)."
        ),
    )
    def get(self, request):
        return _export(request, stream=segments_json_stream, what="votes-by-segment")


class StatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    ideas = serializers.IntegerField()


class OverviewSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="The days new_ideas and votes cover, today included.")
    new_ideas = serializers.IntegerField()
    votes = serializers.IntegerField(help_text="Promotes and demotes (quarantined ones left out).")
    threshold = serializers.IntegerField(help_text="The net score that is owed an answer.")
    above_threshold = serializers.IntegerField(help_text="Visible ideas at the threshold or above.")
    answered_above_threshold = serializers.IntegerField()
    waiting = serializers.IntegerField(
        help_text="Open ideas at the threshold or above with no official response yet."
    )
    response_rate = serializers.FloatField(
        allow_null=True,
        help_text="answered_above_threshold / above_threshold, from 0 to 1; null when no idea "
        "reaches the threshold.",
    )
    median_response_seconds = serializers.FloatField(
        allow_null=True,
        help_text="The median time from an idea's creation to its first official response; "
        "null before any response.",
    )
    per_status = StatusCountSerializer(many=True, help_text="Visible ideas per status.")
    computed_at = serializers.DateTimeField(help_text="The figures are cached a few minutes.")


class OverviewApi(APIView):
    permission_classes = PM_ONLY

    @extend_schema(
        responses={200: OverviewSerializer, **errors(401, 403)},
        description=(
            "The board at a glance, as the /pm/ dashboard shows it (product managers): new "
            "ideas and votes this week, ideas owed an answer, the response rate, the median "
            "time to a first response, and ideas per status."
        ),
    )
    def get(self, request):
        overview = board_overview()
        figures = overview["figures"]
        median = figures.median_response
        data = {
            "days": figures.days,
            "new_ideas": figures.new_ideas,
            "votes": figures.votes,
            "threshold": figures.threshold,
            "above_threshold": figures.above_threshold,
            "answered_above_threshold": figures.answered_above_threshold,
            "waiting": figures.waiting,
            "response_rate": figures.response_rate,
            "median_response_seconds": median.total_seconds() if median is not None else None,
            "per_status": [
                {"status": status, "label": label, "ideas": n}
                for status, label, n in figures.per_status
            ],
            "computed_at": overview["overview_at"],
        }
        return Response(OverviewSerializer(data).data)
