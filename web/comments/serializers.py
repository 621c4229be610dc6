from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from comments.models import BODY_MAX_LENGTH, Comment
from core.text import TextSerializerField


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A reply",
            value={"body": "Yes, and on the tablets too.", "parent": 7},
            request_only=True,
        )
    ]
)
class CommentInputSerializer(serializers.Serializer):
    body = TextSerializerField(max_length=BODY_MAX_LENGTH)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.all(), required=False, allow_null=True
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A comment",
            value={
                "id": 8,
                "idea": 12,
                "parent": 7,
                "author": "bob",
                "body": "Yes, and on the tablets too.",
                "body_html": "<p>Yes, and on the tablets too.</p>",
                "created_at": "2026-02-17T08:15:00Z",
                "edited_at": None,
                "deleted": False,
                "url": "https://ideas.example.com/ideas/12/#comment-8",
            },
            response_only=True,
        )
    ]
)
class CommentOutputSerializer(serializers.Serializer):
    """A deleted comment keeps its place in the thread but shows neither body nor author."""

    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_author(self, comment: Comment) -> str | None:
        author = comment.author
        if comment.deleted_at or author is None or author.deleted_at:
            return None
        return author.username

    def get_body(self, comment: Comment) -> str:
        return "" if comment.deleted_at else comment.body

    def get_body_html(self, comment: Comment) -> str:
        return "" if comment.deleted_at else comment.body_html

    def get_deleted(self, comment: Comment) -> bool:
        return comment.deleted_at is not None

    def get_url(self, comment: Comment) -> str:
        path = f"{reverse('idea-detail', args=[comment.idea_id])}#comment-{comment.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
