from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import errors, service_errors
from core.pagination import StrictPagination
from core.roles import IsProductManager, NotBanned
from core.text import LineSerializerField, TextSerializerField
from ideas.models import Category
from storms.models import StormSession
from storms.services import storm_create, storm_fields, storm_update


class SessionOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    description = serializers.CharField()
    description_html = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    state = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    ideas_url = serializers.SerializerMethodField()

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_state(self, session: StormSession) -> str:
        """ "upcoming", "active" (taking ideas) or "closed"."""
        now = self.context.get("now") or timezone.now()
        if session.is_closed(now):
            return "closed"
        return "active" if session.is_active(now) else "upcoming"

    def get_categories(self, session: StormSession) -> list[str]:
        """The slugs of the categories its ideas may be in; empty means any."""
        return [category.slug for category in session.categories.all()]

    def get_url(self, session: StormSession) -> str:
        return self._absolute(session.get_absolute_url())

    def get_ideas_url(self, session: StormSession) -> str:
        """The session's ideas: the idea list filtered by it."""
        return self._absolute(f"{reverse('api-idea-list')}?session={session.slug}")


class SessionInputSerializer(serializers.Serializer):
    title = LineSerializerField(max_length=120)
    description = TextSerializerField(max_length=10_000, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    categories = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        many=True,
        required=False,
        help_text="Its ideas must be in one of these; none means any.",
    )

    def validate(self, data: dict) -> dict:
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": "The end must be after the start."})
        return data


class SessionListApi(APIView):
    pagination_class = StrictPagination  # read by the schema: the list is paginated

    def get_permissions(self):
        if self.request is not None and self.request.method == "POST":
            return [permissions.IsAuthenticated(), IsProductManager(), NotBanned()]
        return [permissions.AllowAny()]

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses={200: SessionOutputSerializer(many=True), **errors(400)},
        description="The Storm Sessions, latest start first.",
    )
    def get(self, request):
        sessions = StormSession.objects.prefetch_related("categories").order_by("-starts_at", "-id")
        paginator = StrictPagination()
        page = paginator.paginate_queryset(sessions, request, view=self)
        context = {"request": request, "now": timezone.now()}
        return paginator.get_paginated_response(
            SessionOutputSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        request=SessionInputSerializer,
        responses={201: SessionOutputSerializer, **errors(400, 401, 403)},
        description="A product manager opens a Storm Session (times in UTC unless given).",
    )
    def post(self, request):
        data = SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            session = storm_create(actor=request.user, **{"description": "", **data.validated_data})
        out = SessionOutputSerializer(session, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    def get_permissions(self):
        if self.request is not None and self.request.method == "PATCH":
            return [permissions.IsAuthenticated(), IsProductManager(), NotBanned()]
        return [permissions.AllowAny()]

    @extend_schema(
        responses={200: SessionOutputSerializer, **errors(404)},
        description="One Storm Session; `ideas_url` lists its ideas.",
    )
    def get(self, request, slug: str):
        session = get_object_or_404(StormSession.objects.prefetch_related("categories"), slug=slug)
        return Response(SessionOutputSerializer(session, context={"request": request}).data)

    @extend_schema(
        request=SessionInputSerializer,
        responses={200: SessionOutputSerializer, **errors(400, 401, 403, 404)},
        description=(
            "A product manager edits a Storm Session (any of its fields; times in UTC unless "
            "given). The slug stays. Moving a closed session's end into the future reopens it."
        ),
    )
    def patch(self, request, slug: str):
        session = get_object_or_404(StormSession, slug=slug)
        # Partial: the fields left out keep their value (a form-encoded body that leaves out
        # categories must not clear them); the service checks the times as they end up.
        data = SessionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            session = storm_update(
                session=session,
                actor=request.user,
                **{**storm_fields(session), **data.validated_data},
            )
        session = StormSession.objects.prefetch_related("categories").get(pk=session.pk)
        return Response(SessionOutputSerializer(session, context={"request": request}).data)
