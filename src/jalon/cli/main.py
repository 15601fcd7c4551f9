"""The ``jalon`` command: one Typer app, one module per command or command group.

Top-level commands (``schedule``, ``validate``, ``convert``) live in modules of the same
name; future groups (``jalon level``, ``jalon import``, ``jalon serve``) get their own
module with a ``typer.Typer()`` added here with ``app.add_typer(module.app, name=...)``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from jalon import __version__
from jalon.cli import bench
from jalon.cli.common import tolerate_narrow_encodings
from jalon.cli.convert import convert_command
from jalon.cli.importexport import register as register_importexport
from jalon.cli.level import level_command, overallocations_command
from jalon.cli.schedule import schedule_command
from jalon.cli.validate import validate_command
from jalon.cli.web import register as register_web

app = typer.Typer(
    name="jalon",
    help="Jalon: schedule, check and convert project plans (MS Project semantics).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

app.command("schedule")(schedule_command)
app.command("validate")(validate_command)
app.command("convert")(convert_command)
app.command("level")(level_command)
app.command("overallocations")(overallocations_command)
app.add_typer(bench.app, name="bench")
register_web(app)  # demo, serve, createsuperuser, worker, manage
register_importexport(app)  # import, export


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"jalon {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Show Jalon's version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Jalon: schedule, check and convert project plans (MS Project semantics)."""


def main() -> None:
    """Console-script entry point (``jalon = "jalon.cli.main:main"``)."""
    tolerate_narrow_encodings()
    app(prog_name="jalon")


if __name__ == "__main__":
    main()
