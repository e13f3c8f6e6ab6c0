"""Finding the files of a load: one file per contract table in each dataset folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from baliza.contract import TABLES_BY_NAME, Table
from baliza.load.errors import LoadError
from baliza.load.manifest import MANIFEST_NAME, Manifest, read_manifest

FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class SourceFile:
    """One file of a dataset: which table it holds, in which format, under which manifest."""

    path: Path
    table: Table
    format: str
    manifest: Manifest

    @property
    def name(self) -> str:
        return str(self.path)


def discover(paths: list[Path]) -> tuple[list[SourceFile], list[str]]:
    """The table files in `paths` (folders, or single files named `<table>.<csv|parquet|xlsx>`).

    Files that are not named after a contract table are reported as warnings, not loaded.
    """
    sources: list[SourceFile] = []
    warnings: list[str] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            manifest = read_manifest(path)
            candidates = sorted(p for p in path.iterdir() if p.is_file())
        elif path.is_file():
            manifest = read_manifest(path.parent)
            candidates = [path]
        else:
            raise LoadError(f"{path}: no such file or folder")
        found = 0
        for candidate in candidates:
            if candidate.name == MANIFEST_NAME or candidate.name.startswith("."):
                continue
            table = TABLES_BY_NAME.get(candidate.stem.strip().lower())
            file_format = FORMATS.get(candidate.suffix.lower())
            if table is None or file_format is None:
                warnings.append(
                    f"{candidate}: not loaded (expected <table>.csv, .parquet or .xlsx named after a contract table)"
                )
                continue
            sources.append(SourceFile(candidate, table, file_format, manifest))
            found += 1
        if path.is_dir() and found == 0:
            warnings.append(f"{path}: no table files found")
    return sources, warnings
