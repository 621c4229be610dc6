import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas import search
from ideas.models import DEFAULT_SORT, Category, Idea
from ideas.serializers import (
    CategorySerializer,
    IdeaInputSerializer,
    IdeaOutputSerializer,
    IdeaQuerySerializer,
)
from ideas.services import idea_create
from moderation import ratelimit
from moderation.permissions import NotBanned


class IdeaPagination(PageNumberPagination):
    """Page numbers that are not positive integers, or past the end, are a 400 with the reason."""

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
            raise ValidationError({"page": ["A page is a whole number from 1."]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({"page": [f"There is no page {raw}."]}) from None


class IdeaListApi(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, NotBanned]

    @extend_schema(
        parameters=[IdeaQuerySerializer, OpenApiParameter("page", int)],
        responses=IdeaOutputSerializer(many=True),
    )
    def get(self, request):
        query = IdeaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        ideas = Idea.objects.visible().for_list().with_viewer_vote(request.user)
        ideas = ideas.prefetch_related("tags")
        if "category" in params:
            ideas = ideas.filter(category=params["category"])
        if "status" in params:
            ideas = ideas.filter(status=params["status"])
        if "tag" in params:
            ideas = ideas.filter(tags__slug=params["tag"])
        ideas = search.matching(ideas, params.get("q", "")).ranked(params.get("sort", DEFAULT_SORT))
        paginator = IdeaPagination()
        page = paginator.paginate_queryset(ideas, request, view=self)
        data = IdeaOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaOutputSerializer})
    def post(self, request):
        data = IdeaInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.check_api(ratelimit.hit("idea", request.user.pk))
        idea = idea_create(author=request.user, **data.validated_data)
        ideas = Idea.objects.for_list().with_viewer_vote(request.user).prefetch_related("tags")
        idea = ideas.get(pk=idea.pk)
        out = IdeaOutputSerializer(idea, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class IdeaDetailApi(APIView):
    @extend_schema(responses=IdeaOutputSerializer)
    def get(self, request, pk: int):
        ideas = Idea.objects.visible().for_list().with_viewer_vote(request.user)
        idea = get_object_or_404(ideas.prefetch_related("tags"), pk=pk)
        return Response(IdeaOutputSerializer(idea, context={"request": request}).data)


class CategoryListApi(generics.ListAPIView):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    pagination_class = None
