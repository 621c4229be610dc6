"""The API's side of votes a product manager records for a customer (votes.staff)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import errors, service_errors
from core.roles import PM_ONLY
from core.text import LineSerializerField, TextSerializerField
from ideas.models import Idea
from votes.staff import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, RecordedVote, vote_record_for_customer


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A customer's promote",
            value={"email": "jo@example.com", "value": 1, "note": "Phone call, 3 May"},
            request_only=True,
        )
    ]
)
class RecordedVoteInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The customer's email.")
    name = LineSerializerField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's name, for an account made for them.",
    )
    value = serializers.ChoiceField(choices=[1, -1], help_text="1 promotes, -1 demotes.")
    note = TextSerializerField(
        max_length=NOTE_MAX_LENGTH,
        help_text="Where the vote comes from: a call, an email, a meeting.",
    )


class RecordedVoteOutputSerializer(serializers.Serializer):
    customer = serializers.CharField(source="customer.username", help_text="Their username.")
    email = serializers.EmailField(source="customer.email")
    account_created = serializers.BooleanField(
        help_text="An account was made for them: they claim it by signing up with that email."
    )
    outcome = serializers.ChoiceField(
        choices=["recorded", "switched", "unchanged"],
        help_text="A new vote, their vote turned the other way, or the vote they already had.",
    )
    message = serializers.CharField()
    value = serializers.IntegerField(source="state.my_vote", help_text="Their vote now.")
    score = serializers.IntegerField(source="state.score")
    promotes = serializers.IntegerField(source="state.promotes")
    demotes = serializers.IntegerField(source="state.demotes")


class RecordedVoteApi(APIView):
    permission_classes = PM_ONLY

    @extend_schema(
        request=RecordedVoteInputSerializer,
        responses={
            201: RecordedVoteOutputSerializer,
            200: RecordedVoteOutputSerializer,
            **errors(400, 401, 403, 404),
        },
        description=(
            "A product manager records a customer's vote from a call or an email: the vote of "
            "the member with that email, or of an account made for them. A customer counts "
            "once: 201 for a new vote, 200 when it switched or was already so. Audited."
        ),
    )
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible(), pk=pk)
        data = RecordedVoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            recorded: RecordedVote = vote_record_for_customer(
                staff=request.user, idea=idea, **data.validated_data
            )
        created = recorded.outcome == "recorded"
        return Response(
            RecordedVoteOutputSerializer(recorded).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
