"""The `baliza` command. Each command lives in its own module and registers itself here."""

from __future__ import annotations

import importlib

import typer

from baliza import __version__

app = typer.Typer(
    name="baliza",
    help="Follow every seizure from entry point to verdict to recovered asset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that define commands; each has `register(app)`.
COMMAND_MODULES: tuple[str, ...] = (
    "baliza.cli.chain",
    "baliza.cli.generate",
    "baliza.cli.load",
    "baliza.cli.demo",
    "baliza.cli.justice",
    "baliza.cli.ksi",
    "baliza.cli.report",
    "baliza.cli.access",
    "baliza.cli.requests",
    "baliza.cli.serve",
    "baliza.cli.markets",
)


@app.command()
def version() -> None:
    """Print the version of Baliza and of the contract it reads."""
    from baliza.contract import CONTRACT_VERSION

    typer.echo(f"baliza {__version__} (interchange format version {CONTRACT_VERSION})")


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    app()
