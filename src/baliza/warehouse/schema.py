"""The warehouse's tables: one per contract table, plus the bookkeeping of loads.

Every contract table carries bookkeeping columns (prefixed `_`): which agency reported the row,
which load brought it, and the file and line it came from. A replaced row moves to
`<table>__history` with when and by which load it was replaced.
"""

from __future__ import annotations

from baliza.contract import TABLES, Column, ColumnType, Table

SQL_TYPES: dict[ColumnType, str] = {
    ColumnType.ID: "VARCHAR",
    ColumnType.REF: "VARCHAR",
    ColumnType.STRING: "VARCHAR",
    ColumnType.TEXT: "VARCHAR",
    ColumnType.INT: "BIGINT",
    ColumnType.DECIMAL: "DOUBLE",
    ColumnType.BOOL: "BOOLEAN",
    ColumnType.DATE: "DATE",
    ColumnType.DATETIME: "TIMESTAMP",  # stored in UTC
    ColumnType.COUNTRY: "VARCHAR",
    ColumnType.ENUM: "VARCHAR",
    ColumnType.LIST: "VARCHAR[]",
}

BOOKKEEPING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_agency_id", "VARCHAR"),  # the agency that reported (owns) the row
    ("_load_id", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_source_line", "BIGINT"),
    ("_row_hash", "UBIGINT"),  # hash of the contract columns: an unchanged row reloaded adds nothing
)
HISTORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_replaced_at", "TIMESTAMP"),
    ("_replaced_by_load", "BIGINT"),
)

META_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS loads (
        load_id BIGINT PRIMARY KEY,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        agency_id VARCHAR,
        dataset VARCHAR,
        sources VARCHAR[],
        summary JSON,
        status VARCHAR NOT NULL
    )""",
    # the date the loaded datasets cover to (their manifests' period end): deadlines are judged against it
    "ALTER TABLE loads ADD COLUMN IF NOT EXISTS period_to DATE",
    """CREATE TABLE IF NOT EXISTS quarantine (
        load_id BIGINT NOT NULL,
        table_name VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        line BIGINT,
        column_name VARCHAR,
        value VARCHAR,
        reason VARCHAR NOT NULL,
        raw JSON
    )""",
    # keyed blind indexes (HMAC) of each loaded person's sealed identifying cells, for exact lookups and
    # links (baliza.load.protection); protected people have none
    """CREATE TABLE IF NOT EXISTS person_lookups (
        person_id VARCHAR NOT NULL,
        full_name VARCHAR,
        birth_date VARCHAR,
        id_document VARCHAR,
        phone VARCHAR,
        surname_address VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS normalisations (
        load_id BIGINT NOT NULL,
        table_name VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        line BIGINT,
        column_name VARCHAR NOT NULL,
        original VARCHAR,
        normalised VARCHAR,
        rule VARCHAR NOT NULL
    )""",
)


def history_table_name(table: str) -> str:
    return f"{table}__history"


def sql_type(column: Column) -> str:
    """The warehouse type of a column. Personal columns are VARCHAR: they hold AES-GCM tokens
    (`enc:v1:...`), so a personal date (birth_date) is sealed as ISO text."""
    return "VARCHAR" if column.personal else SQL_TYPES[column.type]


def column_definitions(table: Table) -> list[str]:
    return [f'"{c.name}" {sql_type(c)}' for c in table.columns] + [
        f'"{name}" {sql}' for name, sql in BOOKKEEPING_COLUMNS
    ]


def table_ddl(table: Table) -> str:
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({", ".join(column_definitions(table))})'


def history_ddl(table: Table) -> str:
    columns = column_definitions(table) + [f'"{name}" {sql}' for name, sql in HISTORY_COLUMNS]
    return f'CREATE TABLE IF NOT EXISTS "{history_table_name(table.name)}" ({", ".join(columns)})'


def all_ddl() -> list[str]:
    """Statements that create every table the warehouse needs; safe to run again."""
    statements = list(META_DDL)
    for table in TABLES:
        statements.append(table_ddl(table))
        statements.append(history_ddl(table))
    return statements
