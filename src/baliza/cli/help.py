"""`--help` in the command's language: Typer copies each command's docstring and each option's `help=` into the
Click objects once, in English; they are translated here when the help is written, in the language the
invocation chose (`baliza --lang es ksi --help`, else $BALIZA_LANG, $LC_ALL, $LC_MESSAGES, $LANG).

The English texts are the catalogue's msgids: `python -m baliza.i18n.extract` walks the command tree
(`help_texts`) and adds them. `install(app)` makes every command and group of the app use these classes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from baliza.cli import click_words
from baliza.cli.click_words import METAVARS, USAGE, panel_words
from baliza.i18n import N_, SOURCE_LANGUAGE, current, gettext, language


def invocation_language(argv: list[str] | None = None) -> str:
    """The language this invocation asked for: the language already chosen (by `--lang` before the
    command), else `--lang` anywhere on the command line, else the environment."""
    from baliza.cli.lang import from_environment

    if current() != SOURCE_LANGUAGE:
        return current()
    args = sys.argv[1:] if argv is None else argv
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1].lower()
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1].lower()
    return from_environment()


HELP_OPTION = N_("Show this message and exit.")  # Click's own --help option, worded here


@contextmanager
def _translated(command: Any, ctx: Any) -> Iterator[None]:
    """The command's help and its options' help in the current language while inside the block."""
    saved: list[tuple[Any, str, Any]] = []
    objects = [command, *command.params, command.get_help_option(ctx), *getattr(command, "commands", {}).values()]
    for obj in objects:
        for attribute in ("help", "short_help"):
            text = getattr(obj, attribute, None)
            if obj is not None and isinstance(text, str) and text:
                saved.append((obj, attribute, text))
                setattr(obj, attribute, gettext(text))
    try:
        yield
    finally:
        for obj, attribute, text in saved:
            setattr(obj, attribute, text)


def _format(command: Any, ctx: Any, formatter: Any, write: Any) -> None:
    with ExitStack() as stack:
        stack.enter_context(language(invocation_language()))
        stack.enter_context(_translated(command, ctx))
        stack.enter_context(panel_words())  # Typer's "Options", "Commands", "[default: ...]"
        write(ctx, formatter)


def _usage(command: Any, ctx: Any, formatter: Any) -> None:
    """'Usage: baliza ksi [OPTIONS]' with "Usage:" and the placeholders in the current language (help pages and
    error boxes)."""
    pieces = [gettext(METAVARS[piece]) if piece in METAVARS else piece for piece in command.collect_usage_pieces(ctx)]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=gettext(USAGE))


class TranslatedCommand(TyperCommand):
    """A command whose `--help` and usage line speak the invocation's language."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format(self, ctx, formatter, super().format_help)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)


class TranslatedGroup(TyperGroup):
    """A group whose `--help` (its own words and its commands' one-line help) speaks the invocation's language."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format(self, ctx, formatter, super().format_help)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)


def install(app: typer.Typer) -> None:
    """Make every command and group of `app` (and of its sub-apps) write its help, and Typer its own words and
    error boxes (`click_words`), in the chosen language."""
    click_words.install()
    app.info.cls = TranslatedGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer's default class, or none given
            command.cls = TranslatedCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            install(group.typer_instance)


def help_texts(app: typer.Typer | None = None) -> list[str]:
    """Every help text of the command tree, in English (for the catalogues)."""
    if app is None:
        from baliza.cli.app import app as baliza_app

        app = baliza_app
    found: list[str] = []

    def walk(command: Any) -> None:
        for obj in (command, *command.params):
            text = getattr(obj, "help", None)
            if isinstance(text, str) and text and text not in found:
                found.append(text)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found
