"""Protected people: who they are, and how a person's row is shown to a principal.

A person is protected when `protected` is true, or when they appear in `farmer_enrolments` (the
livelihood programme) or `treatment_episodes` (the treatment programme). Every person's identifying
columns are encrypted at rest by the loader (`baliza.access.fieldcrypt`, values `enc:v1:...`; see
`baliza.load.protection` for why everyone's). A protected person's are decrypted only for a programme
officer of their programme, in the agency that holds their enrolment or episode (a grant shares rows,
never a protected identity: another agency's officer sees them masked, as do admins, oversight and every
other role), and only within `identity_reads`, which writes one audit entry (`read_identity`: who, which
people, when, through which route) for whatever was shown in clear. Outside it they stay masked, so a
page that forgets the audit shows nothing. Other people's are decrypted for whoever may read persons.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from baliza.access import fieldcrypt
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.access.scope import Scope
from baliza.contract import get_table
from baliza.warehouse.store import Warehouse

if TYPE_CHECKING:
    from baliza.access.state import StateStore

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
    """Persons a programme officer may see in clear: in its programme's table, in rows its own agency holds
    (rows shared with it by a grant do not count: a grant never discloses a protected identity)."""
    principal = scope.principal
    if not principal.may(Permission.READ_PROTECTED_PERSONS) or principal.programme not in PROGRAMME_TABLES:
        return set()
    held = scope.filter(wh, PROGRAMME_TABLES[principal.programme])
    return _ids(held.filter(held._agency_id == principal.agency_id))


@dataclass
class _IdentityReads:
    principal: Principal
    person_ids: list[str] = field(default_factory=list)


_reads: ContextVar[_IdentityReads | None] = ContextVar("baliza_identity_reads", default=None)


@contextmanager
def identity_reads(store: StateStore, principal: Principal, route: str, request_id: str = "-") -> Iterator[None]:
    """Within the block `present_persons` may show `principal` protected identities in clear; at its end one
    audit entry names them (`read_identity`, with `route`, the request id and the access used)."""
    from baliza.access.audit import record_read

    reads = _IdentityReads(principal)
    token = _reads.set(reads)
    try:
        yield
    finally:
        _reads.reset(token)
        if reads.person_ids:  # recorded even when the request failed after reading them
            record_read(store, principal, "read_identity", [f"persons/{p}" for p in reads.person_ids],
                        detail={"route": route, "request_id": request_id})


def _audited_reader(principal: Principal) -> _IdentityReads | None:
    reads = _reads.get()
    return reads if reads is not None and reads.principal == principal else None


def _decrypt(ring: fieldcrypt.KeyRing, value: Any) -> Any:
    """Decrypt a field sealed by the loader; a value that is not sealed is returned as is."""
    return ring.open(value) if fieldcrypt.is_encrypted(value) else value


def present_persons(wh: Warehouse, scope: Scope, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Person rows as `scope.principal` may see them: protected identities masked or decrypted."""
    principal: Principal = scope.principal
    ids = [r["person_id"] for r in rows]
    protected = protected_person_ids(wh, ids)
    reads = _audited_reader(principal)
    in_clear = programme_person_ids(wh, scope) & protected if protected and reads is not None else set()
    # a served snapshot's keys were read when it was opened (a key rotation may have removed them since)
    ring = getattr(wh, "keys", None) or fieldcrypt.KeyRing.for_warehouse(wh.home)
    shown = []
    for row in rows:
        row = dict(row)
        if row["person_id"] in in_clear and reads is not None:
            for column in PERSONAL_COLUMNS:
                row[column] = _decrypt(ring, row.get(column))
            row["protected"] = True
            reads.person_ids.append(row["person_id"])
        elif row["person_id"] in protected or not principal.may(Permission.READ_PERSONS):
            for column in PERSONAL_COLUMNS:
                row[column] = MASK if row.get(column) is not None else None
            row["protected"] = row["person_id"] in protected
        else:
            for column in PERSONAL_COLUMNS:
                row[column] = _decrypt(ring, row.get(column))
        shown.append(row)
    return shown
