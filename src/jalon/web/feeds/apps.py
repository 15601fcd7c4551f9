from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "jalon.web.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds"
