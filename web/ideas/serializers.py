from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from core.text import LineSerializerField, TextSerializerField
from ideas.models import SORTS, TITLE_MAX_LENGTH, Category, Idea, Merge, Status, Tag
from storms.models import StormSession
from web.ideas.forms import RESPONSE_MAX_LENGTH


class CategorySerializer(serializers.ModelSerializer):
    retired = serializers.BooleanField(
        source="is_retired", read_only=True, help_text="A retired category takes no new ideas."
    )
    merged_into = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The category this one was merged into (its ideas are there now).",
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "description", "retired", "merged_into"]


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


IDEA_EXAMPLE = {
    "id": 12,
    "title": "Pre-install Ubuntu as a factory option",
    "description": "Give us the choice of Ubuntu at order time, tested at the factory.",
    "description_html": "<p>Give us the choice of Ubuntu at order time, tested at the factory.</p>",
    "category": "software",
    "tags": ["linux"],
    "status": "planned",
    "score": 41,
    "response_html": "<p>Coming to three consumer models in May.</p>",
    "responded_at": "2026-05-02T09:30:00Z",
    "promotes": 45,
    "demotes": 4,
    "author": "alice",
    "created_at": "2026-02-16T14:03:00Z",
    "url": "https://ideas.example.com/ideas/12/pre-install-ubuntu-as-a-factory-option/",
    "my_vote": 1,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new idea",
            value={
                "title": "Pre-install Ubuntu as a factory option",
                "description": "Give us the choice of Ubuntu at order time.",
                "category": "software",
                "tags": ["linux"],
            },
            request_only=True,
        )
    ]
)
class IdeaInputSerializer(serializers.Serializer):
    title = LineSerializerField(max_length=TITLE_MAX_LENGTH)
    description = TextSerializerField(max_length=10_000)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    tags = serializers.ListField(
        child=LineSerializerField(max_length=40), required=False, max_length=5
    )


# The `url` and `my_vote` of an idea in a serializer's output. (A comment, not a docstring:
# the schema would take a docstring as the description of every serializer using it.)
class IdeaLinks:
    def get_url(self, idea: Idea) -> str:
        return _absolute(self, idea.get_absolute_url())

    def get_my_vote(self, idea: Idea) -> int | None:
        return getattr(idea, "viewer_vote", None)


@extend_schema_serializer(
    examples=[OpenApiExample("An idea", value=IDEA_EXAMPLE, response_only=True)]
)
class IdeaOutputSerializer(IdeaLinks, serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    author = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id", "title", "description", "description_html", "category", "tags", "status",
            "score", "response_html", "responded_at",
            "promotes", "demotes", "author", "created_at", "url", "my_vote",
        ]  # fmt: skip

    def get_author(self, idea: Idea) -> str | None:
        return idea.author.username if idea.author_id else None


class IdeaQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(choices=list(SORTS), required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False
    )
    status = serializers.ChoiceField(choices=Status.values, required=False)
    q = LineSerializerField(required=False, allow_blank=True, max_length=200)
    tag = serializers.SlugField(required=False, max_length=40)
    session = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=StormSession.objects.all(),
        required=False,
        help_text="A Storm Session's slug: only the ideas submitted into it.",
    )


class IdeaUpdateInputSerializer(IdeaInputSerializer):
    """An edit: any of the fields; those left out keep their value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class IdeaStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    response = TextSerializerField(
        max_length=RESPONSE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    def validate(self, data: dict) -> dict:
        if data["status"] == Status.DECLINED and not data.get("response", "").strip():
            raise serializers.ValidationError({"response": "Say why the idea is declined."})
        return data


class IdeaMergeInputSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(
        queryset=Idea.objects.filter(withdrawn_at__isnull=True),
        help_text="The id of the idea to keep.",
        error_messages={"does_not_exist": "There is no idea with that number."},
    )
    reason = LineSerializerField(max_length=500, required=False, allow_blank=True, default="")


class MergeOutputSerializer(serializers.ModelSerializer):
    kept = serializers.IntegerField(source="kept_id")
    merged = serializers.IntegerField(source="merged_id")

    class Meta:
        model = Merge
        fields = ["id", "kept", "merged", "created_at", "undone_at"]


class IdeaSimilarQuerySerializer(serializers.Serializer):
    title = LineSerializerField(
        max_length=200,
        allow_blank=True,
        help_text="The title being typed; under 3 characters finds none.",
    )


class IdeaSimilarOutputSerializer(IdeaLinks, serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = ["id", "title", "status", "score", "category", "url", "my_vote"]


class RankingOutputSerializer(serializers.Serializer):
    """votes.selectors.RankExplanation: the figures of the idea page's "Why this rank"."""

    decayed_score = serializers.FloatField(
        help_text="What its votes are worth in fresh votes today: a vote counts fully when "
        "cast and half as much every half_life_days after."
    )
    half_life_days = serializers.FloatField()
    votes_last_7_days = serializers.IntegerField()
    trend = serializers.FloatField(
        help_text="How far the last 24 hours' votes are above its usual day, in standard "
        "deviations; 0 when not trending."
    )
    popular_rank = serializers.IntegerField(help_text="Its place in Popular, from 1.")
    ideas_total = serializers.IntegerField(help_text="Ideas ranked (refreshed every few minutes).")
    category_rank = serializers.IntegerField(help_text="Its place in Popular within its category.")
    category_total = serializers.IntegerField()


class MergeSuggestionIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    score = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, idea: dict) -> str:
        return _absolute(self, reverse("idea-detail", kwargs={"pk": idea["pk"]}))


class MergeSuggestionOutputSerializer(serializers.Serializer):
    """actions.merging.suggested_merges: a pair of look-alike open ideas."""

    merge = MergeSuggestionIdeaSerializer(help_text="The idea to merge away.")
    keep = MergeSuggestionIdeaSerializer(help_text="The better-supported idea to keep.")
    likeness = serializers.FloatField(help_text="From 0 to 1: how alike the two ideas look.")


class RoadmapQuerySerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        help_text="A category's slug: only its ideas, and the counts of its ideas.",
    )


class RoadmapColumnSerializer(serializers.Serializer):
    """web.ideas.roadmap.Column: one column of the roadmap."""

    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="The column's ideas, shown or not.")
    ideas = IdeaOutputSerializer(
        many=True, help_text="Its first ideas (up to 20), ranked by Popular."
    )


class RoadmapOutputSerializer(serializers.Serializer):
    columns = RoadmapColumnSerializer(many=True)
