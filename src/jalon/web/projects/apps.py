from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "jalon.web.projects"
    label = "projects"
    verbose_name = "Projects"
