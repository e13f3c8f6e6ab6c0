"""What a load did, per table and per file, as the CLI and the other parts read it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TableReport:
    rows: int = 0
    """Rows read from the files of this table."""
    accepted: int = 0
    quarantined: int = 0
    normalised: int = 0
    """Accepted rows in which at least one cell was normalised (each change is in `normalisations`)."""
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    spellings: dict[str, int] = field(default_factory=dict)
    """Vocabulary spellings the load understood, and how often: {"substance_group: cocaína → cocaine_type": 3}."""
    conversions: dict[str, int] = field(default_factory=dict)
    """Cells a mapping converted, by column and rule: {"seized_at: mapping_date_format": 1000} (a sample of
    each is in `normalisations`; see `baliza.load.mapping.conversions`)."""


@dataclass
class FileReport:
    path: str
    table: str
    format: str
    rows: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    load_id: int
    agency: str | None = None
    dataset: str | None = None
    tables: dict[str, TableReport] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    protected_rows_encrypted: int = 0
    """Persons rows an earlier Baliza left with personal cells in clear, sealed by this load (which then
    rebuilt the warehouse file)."""
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def quarantined(self) -> int:
        return sum(t.quarantined for t in self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "agency": self.agency,
            "dataset": self.dataset,
            "tables": {name: {k: v for k, v in asdict(t).items()  # spellings and conversions listed when any
                              if k not in ("spellings", "conversions") or v}
                       for name, t in self.tables.items()},
            "files": [asdict(f) for f in self.files],
            "warnings": self.warnings,
            "rows_read": self.rows_read,
            "protected_rows_encrypted": self.protected_rows_encrypted,
            "seconds": round(self.seconds, 3),
        }
