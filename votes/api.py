from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas.models import Idea
from votes.services import VoteState, vote_cast, vote_withdraw


class VoteInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1])


class VoteOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    promotes = serializers.IntegerField()
    demotes = serializers.IntegerField()
    my_vote = serializers.IntegerField(allow_null=True)


class IdeaVoteApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=VoteInputSerializer, responses=VoteOutputSerializer)
    def put(self, request, pk: int):
        data = VoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        idea = get_object_or_404(Idea, pk=pk)
        return self._respond(
            vote_cast(voter=request.user, idea=idea, value=data.validated_data["value"])
        )

    @extend_schema(request=None, responses=VoteOutputSerializer)
    def delete(self, request, pk: int):
        idea = get_object_or_404(Idea, pk=pk)
        return self._respond(vote_withdraw(voter=request.user, idea=idea))

    def _respond(self, state: VoteState) -> Response:
        return Response(VoteOutputSerializer(state).data)
