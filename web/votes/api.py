from dataclasses import asdict

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api_errors import service_errors
from core.network import network_of
from core.roles import NotBanned
from ideas.models import Idea
from votes.services import VoteState, vote_cast, vote_withdraw


@extend_schema_serializer(
    examples=[
        OpenApiExample("Promote", value={"value": 1}, request_only=True),
        OpenApiExample("Demote", value={"value": -1}, request_only=True),
    ]
)
class VoteInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1])


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "After a promote",
            value={"score": 42, "promotes": 46, "demotes": 4, "my_vote": 1},
            response_only=True,
        )
    ]
)
class VoteOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    promotes = serializers.IntegerField()
    demotes = serializers.IntegerField()
    my_vote = serializers.IntegerField(allow_null=True)


class IdeaVoteApi(APIView):
    permission_classes = [permissions.IsAuthenticated, NotBanned]

    @extend_schema(request=VoteInputSerializer, responses=VoteOutputSerializer)
    def put(self, request, pk: int):
        data = VoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        value = data.validated_data["value"]
        network = network_of(request)
        return self._respond(
            lambda: vote_cast(voter=request.user, idea=pk, value=value, network=network)
        )

    @extend_schema(request=None, responses={200: VoteOutputSerializer})
    def delete(self, request, pk: int):
        return self._respond(lambda: vote_withdraw(voter=request.user, idea=pk))

    def _respond(self, write) -> Response:
        ratelimit.check_api(ratelimit.vote_hit(self.request))
        try:
            with service_errors():  # demoting switched off: 400 at "value"
                state: VoteState = write()
        except Idea.DoesNotExist:
            raise NotFound("No idea with this id.") from None
        # The output is a plain dataclass: no serializer needed on this hot path.
        return Response(asdict(state))
