from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "jalon.web.planning"
    label = "planning"
    verbose_name = "Planning"
