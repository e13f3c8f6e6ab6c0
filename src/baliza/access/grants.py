"""Sharing grants: an owner agency shares a seizure and its chain, a case, or a whole dataset (a load)
with another agency, for a purpose, until an expiry. Revoking takes effect at once: scope is
computed from the live grants on every request.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from baliza.access.agencies import UnknownAgency, check_agency
from baliza.access.clock import as_utc, now
from baliza.access.state import StateStore, grants
from baliza.i18n import gettext as _

GRANT_KINDS: tuple[str, ...] = ("seizure", "case", "dataset")


@dataclass(frozen=True)
class Grant:
    grant_id: str
    owner_agency_id: str
    grantee_agency_id: str
    kind: str
    subject_id: str
    purpose: str
    expires_at: datetime
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()

    def to_dict(self) -> dict[str, object]:
        return {
            "grant_id": self.grant_id, "owner_agency_id": self.owner_agency_id,
            "grantee_agency_id": self.grantee_agency_id, "kind": self.kind, "subject_id": self.subject_id,
            "purpose": self.purpose, "expires_at": self.expires_at.isoformat(), "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None, "revoked_by": self.revoked_by,
            "active": self.active,
        }


class GrantError(ValueError):
    """A grant cannot be made or revoked as asked."""


def _grant(row: sa.Row[Any]) -> Grant:
    m = dict(row._mapping)
    for name in ("expires_at", "created_at", "revoked_at"):
        if m[name] is not None:
            m[name] = as_utc(m[name])
    return Grant(**m)


def add_grant(store: StateStore, owner_agency_id: str, grantee_agency_id: str, kind: str, subject_id: str,
              purpose: str, expires_at: datetime, created_by: str,
              known_agencies: Collection[str] | None = None) -> Grant:
    """Record a grant. With `known_agencies` (the warehouse's agency ids), both agencies must be among them
    exactly: a near-variant ("ag-pol") is refused with the right id named."""
    if kind not in GRANT_KINDS:
        raise GrantError(_("a grant is for one of: %(kinds)s", kinds=", ".join(GRANT_KINDS)))
    if not purpose.strip():
        raise GrantError(_("a grant needs a purpose"))
    if owner_agency_id == grantee_agency_id:
        raise GrantError(_("an agency already sees its own rows"))
    if not subject_id.strip() or not grantee_agency_id.strip():
        raise GrantError(_("a grant needs a subject and a receiving agency"))
    if known_agencies is not None:
        try:
            check_agency(owner_agency_id, known_agencies, "sharing agency")
            check_agency(grantee_agency_id, known_agencies, "receiving agency")
        except UnknownAgency as error:
            raise GrantError(str(error)) from None
    expires_at = as_utc(expires_at)
    if expires_at <= now():
        raise GrantError(_("the expiry must be in the future"))
    grant_id = secrets.token_hex(6)
    made = Grant(
        grant_id=grant_id, owner_agency_id=owner_agency_id, grantee_agency_id=grantee_agency_id, kind=kind,
        subject_id=subject_id, purpose=purpose.strip(), expires_at=expires_at, created_by=created_by,
        created_at=now(), revoked_at=None, revoked_by=None,
    )
    with store.engine.begin() as conn:
        conn.execute(grants.insert().values(**asdict(made)))
    return made


def get_grant(store: StateStore, grant_id: str) -> Grant | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(grants).where(grants.c.grant_id == grant_id)).first()
    return _grant(row) if row else None


def revoke_grant(store: StateStore, grant_id: str, revoked_by: str, owner_agency_id: str | None = None) -> Grant:
    """Revoke a live grant; with `owner_agency_id`, only that agency's own grant."""
    condition = sa.and_(grants.c.grant_id == grant_id, grants.c.revoked_at.is_(None))
    if owner_agency_id is not None:
        condition = sa.and_(condition, grants.c.owner_agency_id == owner_agency_id)
    with store.engine.begin() as conn:
        done = conn.execute(grants.update().where(condition).values(revoked_at=now(), revoked_by=revoked_by))
    if done.rowcount == 0:
        raise GrantError(_("no live grant %(grant)s of this agency", grant=repr(grant_id)))
    grant = get_grant(store, grant_id)
    assert grant is not None
    return grant


def list_grants(store: StateStore, agency_id: str | None = None) -> list[Grant]:
    """Grants given or received by `agency_id` (every grant when None), newest first."""
    query = sa.select(grants).order_by(grants.c.created_at.desc())
    if agency_id is not None:
        query = query.where(sa.or_(grants.c.owner_agency_id == agency_id, grants.c.grantee_agency_id == agency_id))
    with store.engine.connect() as conn:
        return [_grant(row) for row in conn.execute(query)]


# Built once: every request's scope runs it (see `access.tokens._TOKEN_USER`).
_GRANTS_TO = sa.select(grants).where(grants.c.grantee_agency_id == sa.bindparam("agency_id"),
                                     grants.c.revoked_at.is_(None), grants.c.expires_at > sa.bindparam("now"))


def active_grants_to(store: StateStore, agency_id: str) -> list[Grant]:
    """Live grants received by `agency_id`."""
    with store.engine.connect() as conn:
        return [_grant(row) for row in conn.execute(_GRANTS_TO, {"agency_id": agency_id, "now": now()})]
