"""Typer's and Click's own words in the invocation's language: "Usage:", the "Options" and "Commands" panels,
"[default: ...]", and the error boxes ("No such option", "Missing argument", "Invalid value for ...").

Typer carries its own copy of Click whose messages are English f-strings (no gettext to hook into), and its
Rich panels take their titles from module constants read when a panel is drawn. So the words are declared
here as catalogue msgids (`N_`) and put in place where Typer writes them: the usage line by
`help.TranslatedCommand.format_usage`, the panel titles around the writing of a help page or an error
(`panel_words`), and each error's message rebuilt from the exception's own fields (`error_message`). A
message of a shape not known here keeps Typer's English words inside the translated frame; nothing is lost.

`install()` is called once, with the command tree (`help.install`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from baliza.i18n import N_, gettext, language

USAGE = N_("Usage: ")
METAVARS: dict[str, str] = {  # a usage line's placeholders (Click's options_metavar and subcommand_metavar)
    "[OPTIONS]": N_("[OPTIONS]"),
    "COMMAND [ARGS]...": N_("COMMAND [ARGS]..."),
}
PANELS: dict[str, str] = {  # typer.rich_utils constant -> its words
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
CORE: dict[str, str] = {  # the words typer.core passes through gettext (errors are worded in `error_message`)
    "Aborted!": N_("Aborted!"),
    "(dynamic)": N_("(dynamic)"),
    "required": N_("required"),
    "default: {default}": N_("default: {default}"),
    "env var: {var}": N_("env var: {var}"),
}
_NOT_ONE_OF = re.compile(r"(?:Value error, )?'(?P<value>.*)' is not one of (?P<choices>.*)\.$", re.S)
_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$", re.S)
_NEEDS_VALUE = re.compile(r"Option (?P<option>'[^']*') requires (?:an argument|(?P<n>\d+) arguments)\.$")
_NO_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.$", re.S)
_NO_VALUE = re.compile(r"Option (?P<option>'[^']*') does not take a value\.$")


def error_language(error: Any) -> str:
    """The language the failed invocation asked for: its `--lang` (the root context's, when parsing got that
    far), else the command line and the environment (`help.invocation_language`)."""
    from baliza.cli.help import invocation_language

    ctx = getattr(error, "ctx", None)
    chosen = ctx.find_root().params.get("lang") if ctx is not None else None
    return str(getattr(chosen, "value", chosen)) if chosen else invocation_language()


def error_message(error: Any) -> str:
    """What went wrong, in the current language, from the exception's fields."""
    from typer._click import exceptions as click_errors

    if isinstance(error, click_errors.NoSuchOption) and error.message.startswith("No such option:"):
        said = gettext("No such option: %(option)s", option=error.option_name)
        if error.possibilities:
            said += " " + gettext("(Possible options: %(options)s)", options=", ".join(sorted(error.possibilities)))
        return said
    if isinstance(error, click_errors.MissingParameter) and not error.message:
        hint = _hint(error)
        kind = error.param_type or (error.param.param_type_name if error.param is not None else "")
        said = {"argument": gettext("Missing argument %(name)s.", name=hint),
                "option": gettext("Missing option %(name)s.", name=hint)}.get(
                    kind, gettext("Missing parameter %(name)s.", name=hint))
        extra = error.param.get_missing_message(ctx=error.ctx) if error.param is not None else ""
        return f"{said} {_choose_from(extra)}" if extra else said
    if isinstance(error, click_errors.BadParameter) and not isinstance(error, click_errors.MissingParameter):
        reason = _reason(error.message)
        hint = _hint(error)
        if hint:
            return gettext("Invalid value for %(name)s: %(reason)s", name=hint, reason=reason)
        return gettext("Invalid value: %(reason)s", reason=reason)
    return _usage_message(error.format_message())


def _hint(error: Any) -> str:
    from typer._click.exceptions import _join_param_hints

    hint = error.param_hint if error.param_hint is not None else (
        error.param.get_error_hint() if error.param is not None else None)
    return _join_param_hints(hint) or ""


def _choose_from(extra: str) -> str:
    if extra.startswith("Choose from:"):
        return gettext("Choose from: %(choices)s", choices=", ".join(c.strip(" ,\n\t") for c in
                                                                    extra.removeprefix("Choose from:").split(",")))
    return extra


def _reason(message: str) -> str:
    found = _NOT_ONE_OF.match(message)
    if found:
        return gettext("%(value)s is not one of %(choices)s.", value=repr(found["value"]), choices=found["choices"])
    return message


def _usage_message(message: str) -> str:
    if message == "Missing command.":
        return gettext("Missing command.")
    found = _NO_COMMAND.match(message)
    if found:
        return gettext("No such command %(name)s.", name=repr(found["name"]))
    found = _EXTRA.match(message)
    if found:
        return gettext("Got unexpected extra arguments (%(args)s).", args=found["args"])
    found = _NEEDS_VALUE.match(message)
    if found:
        if found["n"]:
            return gettext("Option %(option)s requires %(n)s arguments.", option=found["option"], n=found["n"])
        return gettext("Option %(option)s requires an argument.", option=found["option"])
    found = _NO_VALUE.match(message)
    if found:
        return gettext("Option %(option)s does not take a value.", option=found["option"])
    return message


@contextmanager
def panel_words() -> Iterator[None]:
    """Typer's panel titles and notes in the current language while inside the block."""
    from typer import rich_utils

    saved = {name: getattr(rich_utils, name) for name in PANELS}
    for name, words in PANELS.items():
        setattr(rich_utils, name, gettext(words))
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(rich_utils, name, value)


def _core_gettext(message: str) -> str:
    """typer.core's gettext: its few words from our catalogue, in the invocation's language."""
    from baliza.cli.help import invocation_language

    known = CORE.get(message)
    if not known:
        return message
    with language(invocation_language()):
        return gettext(known)


def install() -> None:
    """Put the words in place in Typer (once; the originals are kept and called)."""
    from typer import core, rich_utils

    if getattr(rich_utils.rich_format_error, "baliza_words", False):
        return
    format_error, abort_error = rich_utils.rich_format_error, rich_utils.rich_abort_error

    def rich_format_error(error: Any) -> None:
        with language(error_language(error)), panel_words():
            said = error_message(error)
            error.format_message = lambda: said  # this error, shown once: its message in the reader's words
            format_error(error)

    def rich_abort_error() -> None:
        from baliza.cli.help import invocation_language

        with language(invocation_language()), panel_words():
            abort_error()

    rich_format_error.baliza_words = True  # type: ignore[attr-defined]
    rich_utils.rich_format_error = rich_format_error
    rich_utils.rich_abort_error = rich_abort_error
    core._ = _core_gettext  # type: ignore[attr-defined]
