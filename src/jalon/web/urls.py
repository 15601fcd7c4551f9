"""URL map: one include per app."""

from django.urls import include, path

from jalon.web.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("jalon.web.accounts.urls")),
    path("", include("jalon.web.projects.urls")),
    path("", include("jalon.web.planning.urls")),
    path("", include("jalon.web.feeds.urls")),
]
