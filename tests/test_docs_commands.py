"""Every command of `baliza` is documented in the README (a command nobody can find does not exist)."""

from pathlib import Path

import typer.main

from baliza.cli.app import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    command = typer.main.get_command(app)
    names = sorted(command.commands)  # type: ignore[attr-defined]
    assert len(names) > 10
    missing = [name for name in names if f"baliza {name}" not in text]
    assert not missing, f"commands missing from README.md: {missing}"
