from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import errors
from core.pagination import StrictPagination
from core.roles import NotBanned
from ideas.models import Idea
from notifications.services import follow_set, notifications_mark_read


class FollowOutputSerializer(serializers.Serializer):
    idea = serializers.IntegerField(source="idea_id")
    following = serializers.BooleanField()


class IdeaFollowApi(APIView):
    permission_classes = [permissions.IsAuthenticated, NotBanned]

    @extend_schema(
        request=None,
        responses={200: FollowOutputSerializer, **errors(401, 403, 404)},
        description="Follow the idea: hear of its status changes, responses and comments.",
    )
    def put(self, request, pk: int):
        return self._set(request, pk, following=True)

    @extend_schema(
        request=None,
        responses={200: FollowOutputSerializer, **errors(401, 403, 404)},
        description="Unfollow the idea, even one you follow by voting or commenting on it.",
    )
    def delete(self, request, pk: int):
        return self._set(request, pk, following=False)

    def _set(self, request, pk: int, *, following: bool) -> Response:
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        follow = follow_set(user=request.user, idea=idea, following=following)
        return Response(FollowOutputSerializer(follow).data)


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    message = serializers.CharField()
    idea = serializers.IntegerField(source="idea_id")
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_actor(self, notification) -> str | None:
        actor = notification.actor
        return actor.display_name if actor is not None else None

    def get_url(self, notification) -> str:
        path = notification.idea.get_absolute_url()
        if notification.comment_id:
            path += f"#comment-{notification.comment_id}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class NotificationListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = StrictPagination  # read by the schema: the list is paginated

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses={200: NotificationOutputSerializer(many=True), **errors(400, 401, 403)},
        description="Your notifications, newest first, 20 a page.",
    )
    def get(self, request):
        notifications = request.user.notifications.select_related("idea", "actor").order_by(
            "-created_at", "-id"
        )
        paginator = StrictPagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        data = NotificationOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class NotificationsReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; all of yours when left out.",
    )


class NotificationsReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")


class NotificationsReadApi(APIView):
    """Open to a banned member, as the page is (web.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=NotificationsReadInputSerializer,
        responses={200: NotificationsReadOutputSerializer, **errors(400, 401, 403)},
        description="Mark your notifications read: those in `ids`, or all of them.",
    )
    def post(self, request):
        data = NotificationsReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response(NotificationsReadOutputSerializer({"marked": marked}).data)


class NotificationReadApi(APIView):
    """Open to a banned member, as marking them all read is
    (web.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        # Not the default: that is also the name of the POST that marks them all read.
        operation_id="notification_read",
        request=None,
        responses={200: NotificationOutputSerializer, **errors(401, 403, 404)},
        description=(
            "Mark one of your notifications read, as opening it on the site does; another "
            "member's is a 404. Answers the notification, with its `url` to go to."
        ),
    )
    def post(self, request, pk: int):
        notifications = request.user.notifications.select_related("idea", "actor")
        notification = get_object_or_404(notifications, pk=pk)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        out = NotificationOutputSerializer(notification, context={"request": request})
        return Response(out.data)
