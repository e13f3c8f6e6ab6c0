"""The building blocks of the interchange format: column and table specifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """The types a contract column may have (see the contract's header)."""

    ID = "id"
    REF = "ref"
    STRING = "string"
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    COUNTRY = "country"
    ENUM = "enum"
    LIST = "list"


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: ColumnType
    required: bool = False
    values: tuple[str, ...] = ()
    """Allowed values, for enums."""
    references: str | None = None
    """The referenced table, for `ref:<table>` columns."""
    personal: bool = False
    """Identifying personal data: encrypted at rest for protected people, never logged."""

    @property
    def is_text_like(self) -> bool:
        return self.type in {
            ColumnType.ID,
            ColumnType.REF,
            ColumnType.STRING,
            ColumnType.TEXT,
            ColumnType.ENUM,
            ColumnType.COUNTRY,
        }


@dataclass(frozen=True)
class Table:
    """One contract table: its key and its columns, in the contract's order."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})
        missing = [k for k in self.key if k not in self._by_name]
        if missing:
            raise ValueError(f"table {self.name}: key columns {missing} are not columns")

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def has_column(self, name: str) -> bool:
        return name in self._by_name

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def references(self) -> tuple[Column, ...]:
        """Columns that point at another table's key."""
        return tuple(c for c in self.columns if c.references)
