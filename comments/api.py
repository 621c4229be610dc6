from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from comments.models import Comment
from comments.serializers import CommentInputSerializer, CommentOutputSerializer
from comments.services import comment_create
from ideas.api import IdeaPagination
from ideas.models import Idea
from moderation import ratelimit
from moderation.permissions import NotBanned


class CommentPagination(IdeaPagination):
    page_size = 50


class IdeaCommentsApi(APIView):
    """An idea's comments, oldest first; a reply names its top-level comment in `parent`."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly, NotBanned]

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses=CommentOutputSerializer(many=True),
    )
    def get(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        comments = Comment.objects.filter(idea=idea).viewable_by(request.user).thread()
        paginator = CommentPagination()
        page = paginator.paginate_queryset(comments, request, view=self)
        data = CommentOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=CommentInputSerializer, responses={201: CommentOutputSerializer})
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.check_api(ratelimit.hit("comment", request.user.pk))
        try:
            comment = comment_create(author=request.user, idea=idea, **data.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        out = CommentOutputSerializer(comment, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)
