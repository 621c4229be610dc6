from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideastorm.urls import urlpatterns as app_urlpatterns


def trivial(request):
    return HttpResponse("ok")


class TrivialAuthApi(APIView):
    """The cheapest authenticated API call: token lookup, permission check, JSON out."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/trivial-auth/", TrivialAuthApi.as_view()),
    *app_urlpatterns,
]
