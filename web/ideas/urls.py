"""Ideas' pages (home, list, roadmap, submit, detail, edit, status, merges), feeds and API."""

from django.urls import include, path

from web.ideas import api, roadmap, views

urlpatterns = [
    path("", views.home, name="home"),
    path("ideas/", views.idea_list, name="idea-list"),
    path("roadmap/", roadmap.roadmap, name="roadmap"),
    path("ideas/new/", views.idea_new, name="idea-new"),
    path("ideas/similar/", views.idea_similar, name="idea-similar"),
    path("ideas/merges/", views.merge_suggestions, name="merge-suggestions"),
    path("ideas/merges/<id:pk>/undo/", views.merge_undo_view, name="merge-undo"),
    path("ideas/<id:pk>/", views.idea_detail, name="idea-detail"),
    path("ideas/<id:pk>/edit/", views.idea_edit, name="idea-edit"),
    path("ideas/<id:pk>/withdraw/", views.idea_withdraw_view, name="idea-withdraw"),
    path("ideas/<id:pk>/restore/", views.idea_restore_view, name="idea-restore"),
    path("ideas/<id:pk>/status/", views.idea_status, name="idea-status"),
    path("ideas/<id:pk>/merge/", views.idea_merge_view, name="idea-merge"),
    # Last: any other app's /ideas/<id>/<word>/ must be included before this URLconf.
    path("ideas/<id:pk>/<slug:slug>/", views.idea_detail, name="idea-detail-slug"),
    path("feeds/", include("web.ideas.feeds")),
]

api_urlpatterns = [
    path("ideas/", api.IdeaListApi.as_view(), name="api-idea-list"),
    path("ideas/similar/", api.IdeaSimilarApi.as_view(), name="api-idea-similar"),
    path("ideas/<id:pk>/", api.IdeaDetailApi.as_view(), name="api-idea-detail"),
    path("ideas/<id:pk>/ranking/", api.IdeaRankingApi.as_view(), name="api-idea-ranking"),
    path("ideas/<id:pk>/withdraw/", api.IdeaWithdrawApi.as_view(), name="api-idea-withdraw"),
    path("ideas/<id:pk>/status/", api.IdeaStatusApi.as_view(), name="api-idea-status"),
    path("ideas/<id:pk>/merge/", api.IdeaMergeApi.as_view(), name="api-idea-merge"),
    path("merges/<id:pk>/undo/", api.MergeUndoApi.as_view(), name="api-merge-undo"),
    path("merges/suggestions/", api.MergeSuggestionListApi.as_view(), name="api-merge-suggestions"),
    path("categories/", api.CategoryListApi.as_view(), name="api-category-list"),
    path("tags/", api.TagListApi.as_view(), name="api-tag-list"),
    path("roadmap/", api.RoadmapApi.as_view(), name="api-roadmap"),
]
