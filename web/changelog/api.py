"""The changelog in the API: published entries with the ideas they ship."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from changelog.models import Entry
from core.api_errors import errors
from core.pagination import StrictPagination
from ideas.models import Idea
from web.changelog.views import with_ideas


class ShippedIdeaSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = ["id", "title", "status", "score", "url"]

    def get_url(self, idea: Idea) -> str:
        return self.context["request"].build_absolute_uri(idea.get_absolute_url())


class EntryOutputSerializer(serializers.ModelSerializer):
    ideas = ShippedIdeaSerializer(source="shipped", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = ["id", "title", "body_html", "published_at", "updated_at", "ideas", "url"]

    def get_url(self, entry: Entry) -> str:
        return self.context["request"].build_absolute_uri(entry.get_absolute_url())


class ChangelogListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = StrictPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses={200: EntryOutputSerializer(many=True), **errors(400)},
        description="Published changelog entries, newest first, each with the ideas it ships.",
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            with_ideas(Entry.objects.published().newest_first()), request, view=self
        )
        data = EntryOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ChangelogEntryApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: EntryOutputSerializer, **errors(404)},
        description="One published changelog entry.",
    )
    def get(self, request, pk: int):
        entry = get_object_or_404(with_ideas(Entry.objects.published()), pk=pk)
        return Response(EntryOutputSerializer(entry, context={"request": request}).data)
