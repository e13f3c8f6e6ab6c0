"""Printing for the CLI: Rich for people, plain JSON for machines."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape

from baliza.i18n import gettext as _

console = Console()
errors = Console(stderr=True)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to standard output (nothing else goes there with --json)."""
    sys.stdout.write(json.dumps(payload, default=_default, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Say what went wrong in one clear line and stop (exit code 1 unless told)."""
    import typer

    errors.print(f"[bold red]{escape(_('error:'))}[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)
