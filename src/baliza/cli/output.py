"""Printing for the CLI: Rich for people, plain JSON for machines."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any

from rich.console import Console

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


def fail(message: str, code: int = 1) -> None:
    """Say what went wrong in one clear line and stop."""
    import typer

    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)
