"""The board's admin pages (/manage/), its theme stylesheet and uploaded files."""

from django.urls import path
from django.views.generic import RedirectView

from web import styleguide
from web.board import api, views

urlpatterns = [
    path("manage/", RedirectView.as_view(pattern_name="manage-board"), name="manage"),
    path("manage/board/", views.board_settings_view, name="manage-board"),
    path("manage/categories/", views.categories_view, name="manage-categories"),
    path("manage/categories/<int:pk>/", views.category_view, name="manage-category"),
    path("manage/categories/<int:pk>/move/", views.category_move_view, name="manage-category-move"),
    path(
        "manage/categories/<int:pk>/retire/",
        views.category_retire_view,
        name="manage-category-retire",
    ),
    path(
        "manage/categories/<int:pk>/merge/", views.category_merge_view, name="manage-category-merge"
    ),
    path("theme.css", views.theme_css, name="board-theme"),
    path("styleguide/", styleguide.styleguide, name="styleguide"),
    path("media/<path:name>", views.media, name="media"),
]

api_urlpatterns = [path("board/", api.BoardApi.as_view(), name="api-board")]
