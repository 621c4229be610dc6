from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from comments.models import Comment
from ideas.models import Idea
from moderation import ratelimit
from moderation.models import NOTE_MAX_LENGTH, Flag
from moderation.permissions import NotBanned
from moderation.services import flag_create


class FlagInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class FlagOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class _FlagApi(APIView):
    permission_classes = [permissions.IsAuthenticated, NotBanned]

    def _create(self, request, target: Idea | Comment) -> Response:
        data = FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.check_api(ratelimit.hit("flag", request.user.pk))
        try:
            flag = flag_create(flagger=request.user, target=target, **data.validated_data)
        except DjangoValidationError as exc:
            # The service's refusals, in DRF's shape: per field, or under non_field_errors.
            raise ValidationError(serializers.as_serializer_error(exc)) from None
        return Response(FlagOutputSerializer(flag).data, status=status.HTTP_201_CREATED)


class IdeaFlagsApi(_FlagApi):
    @extend_schema(request=FlagInputSerializer, responses={201: FlagOutputSerializer})
    def post(self, request, pk: int):
        return self._create(request, get_object_or_404(Idea.objects.visible(), pk=pk))


class CommentFlagsApi(_FlagApi):
    @extend_schema(request=FlagInputSerializer, responses={201: FlagOutputSerializer})
    def post(self, request, pk: int):
        return self._create(
            request,
            get_object_or_404(
                Comment.objects.filter(idea__withdrawn_at__isnull=True).select_related("idea"),
                pk=pk,
            ),
        )
