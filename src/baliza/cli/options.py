"""Options shared by the commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: $BALIZA_DB, else ./baliza.duckdb).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
AllOption = Annotated[bool, typer.Option("--all", help="Everything, not the summary that fits a screen.")]
IdsOption = Annotated[bool, typer.Option("--ids", help="Add the ids beside the names.")]
