from django.urls import path

from jalon.web.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.portfolio_view, name="portfolio"),
    path("projects/new/", views.project_create_view, name="create"),
    path("projects/<int:pk>/", views.project_detail_view, name="detail"),
    path("projects/<int:pk>/members/", views.members_view, name="members"),
    path(
        "projects/<int:pk>/members/<int:user_pk>/remove/",
        views.member_remove_view,
        name="member_remove",
    ),
]
