from django.urls import path

from jalon.web.feeds import views

app_name = "feeds"
urlpatterns = [
    path("feeds/", views.tokens_view, name="tokens"),
    path("feeds/<int:pk>/revoke/", views.token_revoke_view, name="revoke"),
    path("feeds/<str:secret>.ics", views.feed_view, name="feed"),
    path("projects/<int:pk>/calendar.ics", views.project_calendar_view, name="project"),
]
