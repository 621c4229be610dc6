from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.comments import comment_post, comment_revise
from comments.models import BODY_MAX_LENGTH, Comment
from comments.services import comment_delete
from core import ratelimit
from core.api_errors import errors, service_errors
from core.pagination import StrictPagination
from core.roles import NotBanned
from core.text import TextSerializerField
from ideas.models import Idea
from web.comments.serializers import CommentInputSerializer, CommentOutputSerializer


class CommentPagination(StrictPagination):
    page_size = 50


class IdeaCommentsApi(APIView):
    """An idea's comments, oldest first; a reply names its top-level comment in `parent`."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly, NotBanned]
    pagination_class = CommentPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses={200: CommentOutputSerializer(many=True), **errors(400, 404)},
        description="The idea's comments, oldest first, 50 a page.",
    )
    def get(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        comments = Comment.objects.filter(idea=idea).viewable_by(request.user).thread()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(comments, request, view=self)
        data = CommentOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=CommentInputSerializer,
        responses={201: CommentOutputSerializer, **errors(400, 401, 403, 404, 429)},
        description="Comment on the idea, or reply to a comment (`parent`).",
    )
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.check_api(ratelimit.hit("comment", request.user.pk))
        try:
            comment = comment_post(author=request.user, idea=idea, **data.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        out = CommentOutputSerializer(comment, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class CommentEditInputSerializer(serializers.Serializer):
    body = TextSerializerField(max_length=BODY_MAX_LENGTH)


class CommentDetailApi(APIView):
    """The author edits a comment (for the edit window) or deletes it."""

    permission_classes = [permissions.IsAuthenticated, NotBanned]

    def _comment(self, request, pk: int) -> Comment:
        comments = Comment.objects.reachable_by(request.user).select_related("author")
        return get_object_or_404(comments, pk=pk)

    @extend_schema(
        request=CommentEditInputSerializer,
        responses={200: CommentOutputSerializer, **errors(400, 401, 403, 404)},
        description="The author edits the comment, within the edit window (403 afterwards).",
    )
    def patch(self, request, pk: int):
        comment = self._comment(request, pk)
        data = CommentEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            comment = comment_revise(comment=comment, user=request.user, **data.validated_data)
        return Response(CommentOutputSerializer(comment, context={"request": request}).data)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **errors(401, 403, 404)},
        description="The author deletes the comment; its replies keep their place.",
    )
    def delete(self, request, pk: int):
        comment = self._comment(request, pk)
        with service_errors():
            comment_delete(comment=comment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
