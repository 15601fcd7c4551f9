"""``jalon demo | serve | createsuperuser | worker | manage``: the web application.

Django is imported inside the commands only, so that ``jalon schedule`` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

SETTINGS = "jalon.web.settings"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def demo_command(
    force: Annotated[
        bool, typer.Option("--force", help="Load the demo even if the database has projects.")
    ] = False,
) -> None:
    """Migrate the database, then load the demo portfolio into it when it is empty."""
    _django()
    from django.db import connection

    _call("migrate", "--no-input", "--verbosity", "0")
    from jalon.web.demo import DEMO_PASSWORD, USERS, is_empty, load_demo

    typer.echo(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")
    if not is_empty() and not force:
        typer.echo("the database already has projects: demo not loaded")
    else:
        load_demo()
        typer.echo("demo portfolio loaded: ERP roll-out, mobile app, office move")
    typer.echo(f"demo logins (password '{DEMO_PASSWORD}', for the demo only):")
    for user in USERS:
        typer.echo(f"  {user.username:<8} {user.first} {user.last}: {user.role}")


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads per worker.")] = 4,
) -> None:
    """Serve the web application with gunicorn (static files by WhiteNoise)."""
    _django()
    _call("migrate", "--no-input", "--verbosity", "0")
    typer.echo(f"Jalon on http://{host}:{port}/ (Ctrl+C to stop)")
    # gunicorn replaces this process: signals and exit codes are its own
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "jalon.web.wsgi:application",
    ]
    os.execv(sys.executable, args)


def createsuperuser_command() -> None:
    """Create a PMO admin account (asks for the username and password)."""
    _django()
    _call("migrate", "--no-input", "--verbosity", "0")
    _call("createsuperuser")


def worker_command(
    once: Annotated[
        bool, typer.Option("--once", help="Run the tasks waiting now, then stop.")
    ] = False,
) -> None:
    """Run background tasks (django-tasks, database backend)."""
    _django()
    args = ["db_worker"]
    if once:
        args.append("--batch")
    _call(*args)


def manage_command(ctx: typer.Context) -> None:
    """Django's manage.py: `jalon manage check --deploy`, `jalon manage shell`, ..."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jalon manage", *ctx.args])


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
    app.command("serve")(serve_command)
    app.command("createsuperuser")(createsuperuser_command)
    app.command("worker")(worker_command)
    app.command(
        "manage",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        add_help_option=False,
    )(manage_command)
