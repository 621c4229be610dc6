from rest_framework import serializers

from ideas.models import SORTS, TITLE_MAX_LENGTH, Category, Idea, Status


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "description"]


class IdeaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(max_length=10_000)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=5
    )


class IdeaOutputSerializer(serializers.ModelSerializer):
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

    def get_url(self, idea: Idea) -> str:
        request = self.context.get("request")
        path = idea.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_my_vote(self, idea: Idea) -> int | None:
        return getattr(idea, "viewer_vote", None)


class IdeaQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(choices=list(SORTS), required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False
    )
    status = serializers.ChoiceField(choices=Status.values, required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tag = serializers.SlugField(required=False, max_length=40)
