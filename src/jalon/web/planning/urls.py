from django.urls import path

from jalon.web.planning import views

app_name = "planning"
urlpatterns = [
    path("projects/import/", views.import_view, name="import"),
    path("projects/<int:pk>/export.<str:fmt>", views.export_view, name="export"),
    path("projects/<int:pk>/baseline/", views.baseline_view, name="baseline"),
]
