"""The interchange format (version 0) as code: tables, vocabularies and normalisers."""

from baliza.contract.spec import Column, ColumnType, Table
from baliza.contract.tables import CONTRACT_VERSION, PROTECTING_TABLES, TABLES, TABLES_BY_NAME, get_table, load_order

__all__ = [
    "CONTRACT_VERSION",
    "PROTECTING_TABLES",
    "TABLES",
    "TABLES_BY_NAME",
    "Column",
    "ColumnType",
    "Table",
    "get_table",
    "load_order",
]
