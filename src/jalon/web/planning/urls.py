from django.urls import path

from jalon.web.planning import calendar_views, editor, progress_views, resource_views, views

app_name = "planning"
urlpatterns = [
    path("projects/import/", views.import_view, name="import"),
    path("projects/<int:pk>/export.<str:fmt>", views.export_view, name="export"),
    path("projects/<int:pk>/baseline/", views.baseline_view, name="baseline"),
    # the planning editor (grid + Gantt) and the history: planning/editor.py
    path("projects/<int:pk>/plan/", editor.plan_view, name="plan"),
    path("projects/<int:pk>/plan/rows/", editor.rows_view, name="plan_rows"),
    path("projects/<int:pk>/plan/gantt.json", editor.gantt_json_view, name="gantt_json"),
    path("projects/<int:pk>/plan/edit/", editor.task_edit_view, name="task_edit"),
    path("projects/<int:pk>/plan/add/", editor.task_add_view, name="task_add"),
    path("projects/<int:pk>/plan/drag/", editor.gantt_drag_view, name="gantt_drag"),
    path("projects/<int:pk>/plan/link/", editor.link_add_view, name="link_add"),
    path("projects/<int:pk>/plan/<str:action>/", editor.task_action_view, name="task_action"),
    path("projects/<int:pk>/history/", editor.history_view, name="history"),
    # progress and status date: planning/progress_views.py
    path("projects/<int:pk>/progress/", progress_views.progress_view, name="progress"),
    path(
        "projects/<int:pk>/progress/status-date/",
        progress_views.status_date_view,
        name="status_date",
    ),
    # people and assignments: planning/resource_views.py
    path("projects/<int:pk>/resources/", resource_views.resources_view, name="resources"),
    path(
        "projects/<int:pk>/resources/new/",
        resource_views.resource_create_view,
        name="resource_create",
    ),
    path(
        "projects/<int:pk>/resources/<int:resource_pk>/",
        resource_views.resource_edit_view,
        name="resource_edit",
    ),
    path(
        "projects/<int:pk>/assignments/<int:assignment_pk>/",
        resource_views.assignment_edit_view,
        name="assignment_edit",
    ),
    path(
        "projects/<int:pk>/assignments/<int:assignment_pk>/delete/",
        resource_views.assignment_delete_view,
        name="assignment_delete",
    ),
    # calendars: planning/calendar_views.py
    path("projects/<int:pk>/calendars/", calendar_views.calendars_view, name="calendars"),
    path(
        "projects/<int:pk>/calendars/project/",
        calendar_views.project_calendar_view,
        name="project_calendar",
    ),
    path(
        "projects/<int:pk>/calendars/new/",
        calendar_views.calendar_create_view,
        name="calendar_create",
    ),
    path(
        "projects/<int:pk>/calendars/<int:calendar_pk>/",
        calendar_views.calendar_edit_view,
        name="calendar_edit",
    ),
    path(
        "projects/<int:pk>/calendars/<int:calendar_pk>/delete/",
        calendar_views.calendar_delete_view,
        name="calendar_delete",
    ),
]
