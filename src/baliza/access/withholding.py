"""Declared withholding: an agency says, per table, that other agencies may not even learn that its rows exist.

A chain normally tells a viewer that a link it may not read exists, where and when (hit/no-hit). Some
rows must not be announced at all: the parties of a case with protected witnesses, or whole tables an
agency keeps to itself. For those tables the chain says it is unknown beyond what the viewer holds, and
still invents no break. Declaring and lifting are audited; what is declared is read by the chain's
disclosure through `withheld_tables`.
"""

from __future__ import annotations

import sqlalchemy as sa

from baliza.access.audit import record
from baliza.access.clock import now
from baliza.access.principal import AccessDenied, Principal
from baliza.access.roles import Role
from baliza.access.scope import DIRECTORY_TABLES
from baliza.access.state import StateStore, withholdings
from baliza.contract import TABLES_BY_NAME
from baliza.i18n import gettext as _

# every table of the contract but the directory, which is open to everyone by design
WITHHOLDABLE: tuple[str, ...] = tuple(name for name in TABLES_BY_NAME if name not in DIRECTORY_TABLES)


class WithholdingError(ValueError):
    """A table cannot be withheld or disclosed as asked."""


def may_declare(principal: Principal) -> bool:
    """Only an agency's administrators declare what the agency withholds (a policy, not a daily task)."""
    return principal.role is Role.ADMIN


def _checked(table: str) -> str:
    table = table.strip()
    if table in DIRECTORY_TABLES:
        raise WithholdingError(_("%(table)s is the directory every agency reads: it cannot be withheld", table=table))
    if table not in WITHHOLDABLE:
        raise WithholdingError(_("no table %(table)s in the contract; one of: %(tables)s", table=repr(table),
                                 tables=", ".join(WITHHOLDABLE)))
    return table


def withhold(state: StateStore, agency_id: str, table: str, by: str) -> bool:
    """Declare that `agency_id`'s rows of `table` are not disclosed, not even as existing, to other agencies.

    Returns False when it was already declared (nothing changes, nothing is recorded).
    """
    table = _checked(table)
    w = withholdings
    with state.engine.begin() as conn:
        found = conn.execute(sa.select(w.c.table_name).where(w.c.agency_id == agency_id,
                                                             w.c.table_name == table)).first()
        if found is not None:
            return False
        conn.execute(w.insert().values(agency_id=agency_id, table_name=table, declared_by=by, declared_at=now()))
    record(state, by, agency_id, "withhold", f"withholding/{agency_id}/{table}")
    return True


def disclose(state: StateStore, agency_id: str, table: str, by: str) -> bool:
    """Lift a declaration: the existence of `agency_id`'s rows of `table` is disclosed again (hit/no-hit).

    Returns False when the table was not withheld.
    """
    table = _checked(table)
    w = withholdings
    with state.engine.begin() as conn:
        done = conn.execute(w.delete().where(w.c.agency_id == agency_id, w.c.table_name == table))
    if done.rowcount == 0:
        return False
    record(state, by, agency_id, "disclose", f"withholding/{agency_id}/{table}")
    return True


# Built once: every chain a server answers reads it (see `access.tokens._TOKEN_USER`).
_DECLARED = sa.select(withholdings.c.agency_id, withholdings.c.table_name)


def withheld_tables(state: StateStore) -> dict[str, set[str]]:
    """Every declaration: agency -> the tables whose rows it does not disclose."""
    out: dict[str, set[str]] = {}
    with state.engine.connect() as conn:
        for row in conn.execute(_DECLARED):
            out.setdefault(row.agency_id, set()).add(row.table_name)
    return out


def declare(state: StateStore, principal: Principal, table: str, withheld: bool) -> bool:
    """Withhold or disclose one of the principal's agency's tables, if the principal may declare."""
    if not may_declare(principal):
        raise AccessDenied(_("your role (%(role)s) may not declare what your agency withholds: its administrators do",
                             role=principal.role))
    change = withhold if withheld else disclose
    return change(state, principal.agency_id, table, principal.username)
