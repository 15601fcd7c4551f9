"""URL map: one include per app."""

from django.urls import include, path

from jalon.web.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("jalon.web.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the EN/FR switcher
    path("", include("jalon.web.projects.urls")),
    path("", include("jalon.web.planning.urls")),
    path("", include("jalon.web.feeds.urls")),
]
