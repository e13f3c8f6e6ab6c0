"""Options shared by the commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

# A path or an engine's address (postgresql://..., spark:///folder): a string, so that Typer leaves the
# address whole (a Path would fold its "//").
DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Warehouse: a DuckDB file, postgresql://user:password@host/database?schema=NAME "
                 "or spark:///folder (default: $BALIZA_DB, else ./baliza.duckdb).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
AllOption = Annotated[bool, typer.Option("--all", help="Everything, not the summary that fits a screen.")]
IdsOption = Annotated[bool, typer.Option("--ids", help="Add the ids beside the names.")]
