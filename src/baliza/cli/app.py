"""The `baliza` command. Each command lives in its own module and registers itself here."""

from __future__ import annotations

import importlib

import typer

from baliza import __version__
from baliza.cli.help import install as install_help
from baliza.cli.lang import LangOption, chosen
from baliza.i18n import gettext as _
from baliza.i18n import language

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
    "baliza.cli.mapping",
    "baliza.cli.demo",
    "baliza.cli.justice",
    "baliza.cli.ksi",
    "baliza.cli.benchmark",
    "baliza.cli.entry_points",
    "baliza.cli.report",
    "baliza.cli.access",
    "baliza.cli.requests",
    "baliza.cli.serve",
    "baliza.cli.target",
    "baliza.cli.assets",
    "baliza.cli.trends",
    "baliza.cli.crypto",
    "baliza.cli.backup",
    "baliza.cli.markets",
    "baliza.cli.programmes",
    "baliza.cli.keys",
    "baliza.cli.people",
    "baliza.cli.export",
)


@app.callback()
def speak(ctx: typer.Context, lang: LangOption = None) -> None:
    """Every command speaks the language of `--lang`, else of the environment ($LC_ALL, $LANG)."""
    ctx.with_resource(language(chosen(lang)))


@app.command()
def version() -> None:
    """Print the version of Baliza and of the contract it reads."""
    from baliza.contract import CONTRACT_VERSION

    typer.echo(_("baliza %(version)s (interchange format version %(contract)s)", version=__version__,
                 contract=CONTRACT_VERSION))


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)
install_help(app)  # --help in the invocation's language (baliza.cli.help)


def main() -> None:
    from baliza.warehouse.engines import NotAFile
    from baliza.warehouse.protocol import NotOnThisEngine

    try:
        app()
    except (NotOnThisEngine, NotAFile) as error:  # --db names PostgreSQL or Spark for a file's own work
        from rich.markup import escape

        from baliza.cli.output import errors

        errors.print(f"[bold red]{escape(_('error:'))}[/] {escape(str(error))}", highlight=False)
        raise SystemExit(1) from None
