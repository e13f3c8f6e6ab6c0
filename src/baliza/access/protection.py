"""Protected people: who they are, and how a person's row is shown to a principal.

A person is protected when `protected` is true, or when they appear in `farmer_enrolments` (the
livelihood programme) or `treatment_episodes` (the treatment programme). Every person's identifying
columns are encrypted at rest by the loader (`baliza.access.fieldcrypt`, values `enc:v1:...`; see
`baliza.load.protection` for why everyone's). A protected person's are decrypted only for a programme
officer of their programme, in the agency that runs their enrolment or episode (or one it shared
with); everyone else sees them masked. Other people's are decrypted for whoever may read persons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baliza.access import fieldcrypt
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.access.scope import Scope
from baliza.contract import get_table
from baliza.warehouse.store import Warehouse

MASK = "[protected]"
PERSONAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in get_table("persons").columns if c.personal)
PROGRAMME_TABLES: dict[str, str] = {"livelihood": "farmer_enrolments", "treatment": "treatment_episodes"}


def _ids(table: Any, column: str = "person_id") -> set[str]:
    return {v for v in table.select(column).distinct().to_pyarrow()[column].to_pylist() if v}


def protected_person_ids(wh: Warehouse, person_ids: list[str] | None = None) -> set[str]:
    """Persons who are protected (flag or programme), optionally among `person_ids` only."""
    persons = wh.table("persons")
    flagged = persons.filter(persons.protected.fill_null(False))
    found = set()
    for table in (flagged, wh.table("farmer_enrolments"), wh.table("treatment_episodes")):
        if person_ids is not None:
            table = table.filter(table.person_id.isin(person_ids))
        found |= _ids(table)
    return found


def programme_person_ids(wh: Warehouse, scope: Scope) -> set[str]:
    """Persons a programme officer may see in clear: in its programme's table, within its scope."""
    principal = scope.principal
    if not principal.may(Permission.READ_PROTECTED_PERSONS) or principal.programme not in PROGRAMME_TABLES:
        return set()
    return _ids(scope.filter(wh, PROGRAMME_TABLES[principal.programme]))


def _decrypt(db_path: Path, value: Any) -> Any:
    """Decrypt a field encrypted by the loader; a value that is not encrypted is returned as is."""
    if not fieldcrypt.is_encrypted(value):
        return value
    return fieldcrypt.decrypt(fieldcrypt.key_for(db_path), value)


def present_persons(wh: Warehouse, scope: Scope, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Person rows as `scope.principal` may see them: protected identities masked or decrypted."""
    principal: Principal = scope.principal
    ids = [r["person_id"] for r in rows]
    protected = protected_person_ids(wh, ids)
    in_clear = programme_person_ids(wh, scope) & protected if protected else set()
    shown = []
    for row in rows:
        row = dict(row)
        if row["person_id"] in in_clear:
            for column in PERSONAL_COLUMNS:
                row[column] = _decrypt(wh.path, row.get(column))
            row["protected"] = True
        elif row["person_id"] in protected or not principal.may(Permission.READ_PERSONS):
            for column in PERSONAL_COLUMNS:
                row[column] = MASK if row.get(column) is not None else None
            row["protected"] = row["person_id"] in protected
        else:
            for column in PERSONAL_COLUMNS:
                row[column] = _decrypt(wh.path, row.get(column))
        shown.append(row)
    return shown
