from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts import views as accounts_views
from ideas import api as ideas_api
from ideas import views as ideas_views
from ideas.converters import IdConverter
from votes import api as votes_api
from votes import views as votes_views

register_converter(IdConverter, "id")


@extend_schema(exclude=True)  # an index of links, not an endpoint to document
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    return Response(
        {
            "ideas": reverse("api-idea-list", request=request),
            "categories": reverse("api-category-list", request=request),
            "token": reverse("api-token", request=request),
            "schema": reverse("api-schema", request=request),
            "docs": reverse("api-docs", request=request),
        }
    )


api_patterns = [
    path("", api_root, name="api-root"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("ideas/", ideas_api.IdeaListApi.as_view(), name="api-idea-list"),
    path("ideas/<id:pk>/", ideas_api.IdeaDetailApi.as_view(), name="api-idea-detail"),
    path("ideas/<id:pk>/vote/", votes_api.IdeaVoteApi.as_view(), name="api-idea-vote"),
    path("categories/", ideas_api.CategoryListApi.as_view(), name="api-category-list"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file: no inline script for the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", ideas_views.home, name="home"),
    # Each app routes its own pages and API endpoints; these come before ideas.urls, whose
    # /ideas/<id>/<slug>/ would otherwise take /ideas/<id>/flag/ and the like.
    path("", include("comments.urls")),
    path("", include("notifications.urls")),
    path("", include("moderation.urls")),
    path("pm/", include("pm.urls")),
    path("sessions/", include("storms.urls")),
    path("ideas/", include("ideas.urls")),
    path("accounts/", include("accounts.urls")),
    path("users/<str:username>/", accounts_views.profile, name="profile"),
    path("feeds/", include("ideas.feeds")),
    path("api/", include(api_patterns)),
    path("healthz", votes_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
