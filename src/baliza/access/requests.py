"""Access requests: an agency that sees a link of a chain held by another agency asks for it, with a purpose.

The holding (owner) agency's administrators and analysts, who may manage its grants, approve the request,
which makes a grant from the owner to the requester's agency, or refuse it with a reason the requester
reads. Nobody asks their own agency; one request for the same thing waits at a time. Every step goes into
the audit log.

A request for a seizure asks for the owner's part of that seizure's chain: the seizure may have been
reported by the requester, and the cases opened on it by the owner. The grant it makes is a `seizure`
grant, which scope (`access.scope`) follows through the owner's own rows on that seizure.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from baliza.access.audit import record
from baliza.access.clock import as_utc, now
from baliza.access.grants import Grant, GrantError, add_grant, revoke_grant
from baliza.access.principal import AccessDenied, Principal
from baliza.access.roles import Permission
from baliza.access.scope import Scope
from baliza.access.state import StateStore, access_requests
from baliza.i18n import gettext as _
from baliza.warehouse.store import Warehouse

REQUEST_KINDS: tuple[str, ...] = ("seizure", "case")
STATUSES: tuple[str, ...] = ("pending", "approved", "refused")
MAX_PURPOSE = 2000
MAX_REASON = 2000
MAX_SUBJECT = 200
MAX_AGENCY = 120
MAX_GRANT_DAYS = 366
# ids of the contract (SZ-0000435, CS-0000306, AG-PER-PROSECUTION): letters, digits and - _ . / :
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"
_ID = re.compile(ID_PATTERN)
READ_NEEDED: dict[str, Permission] = {"seizure": Permission.READ_SEIZURES, "case": Permission.READ_CASES}


@dataclass(frozen=True)
class AccessRequest:
    request_id: str
    requested_by: str
    requester_agency_id: str
    owner_agency_id: str
    kind: str
    subject_id: str
    purpose: str
    created_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    grant_id: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "request_id": self.request_id, "requested_by": self.requested_by,
            "requester_agency_id": self.requester_agency_id, "owner_agency_id": self.owner_agency_id,
            "kind": self.kind, "subject_id": self.subject_id, "purpose": self.purpose,
            "created_at": self.created_at.isoformat(), "status": self.status, "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None, "reason": self.reason,
            "grant_id": self.grant_id,
        }


class RequestError(ValueError):
    """A request cannot be made or answered as asked (the message says why)."""


class RequestNotFound(RequestError):
    """No such request for this agency (answered the same whether it does not exist or is another's)."""


class RequestConflict(RequestError):
    """The request asks the requester's own agency or duplicates a pending one, or was already answered."""


def _request(row: sa.Row[Any]) -> AccessRequest:
    m = dict(row._mapping)
    for name in ("created_at", "decided_at"):
        if m[name] is not None:
            m[name] = as_utc(m[name])
    return AccessRequest(**m)


def _checked_id(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise RequestError(_("a request needs %(what)s", what=what))
    if len(value) > limit:
        raise RequestError(_("%(what)s is at most %(limit)s characters", what=what, limit=limit))
    if not _ID.match(value):
        raise RequestError(_("%(what)s %(value)s is not an id (letters, digits and - _ . / : only)", what=what,
                             value=repr(value)))
    return value


def _checked_text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise RequestError(_("a request needs %(what)s", what=what))
    if len(value) > limit:
        raise RequestError(_("%(what)s is at most %(limit)s characters (it has %(length)s)", what=what, limit=limit,
                             length=len(value)))
    return value


def request_access(store: StateStore, principal: Principal, owner_agency_id: str, kind: str, subject_id: str,
                   purpose: str) -> AccessRequest:
    """Ask `owner_agency_id` for a seizure's chain or a case it holds, for `purpose` (audited)."""
    if kind not in REQUEST_KINDS:
        raise RequestError(_("a request is for one of: %(kinds)s (not %(kind)s)", kinds=", ".join(REQUEST_KINDS),
                             kind=repr(kind)))
    if not principal.may(READ_NEEDED[kind]):
        raise AccessDenied(_("your role (%(role)s) may not read %(kind)ss, so it may not ask for one",
                             role=principal.role, kind=kind))
    owner = _checked_id(owner_agency_id, _("the agency that holds it"), MAX_AGENCY)
    subject = _checked_id(subject_id, _("the seizure id") if kind == "seizure" else _("the case id"), MAX_SUBJECT)
    purpose = _checked_text(purpose, _("a purpose"), MAX_PURPOSE)
    if owner == principal.agency_id:
        raise RequestConflict(_("your agency already sees its own rows: ask another agency"))
    r = access_requests
    with store.engine.connect() as conn:
        pending = conn.execute(sa.select(r.c.request_id).where(
            r.c.requester_agency_id == principal.agency_id, r.c.owner_agency_id == owner, r.c.kind == kind,
            r.c.subject_id == subject, r.c.status == "pending")).scalar()
        if pending is not None:
            raise RequestConflict(_("your agency already asked %(owner)s for %(kind)s %(subject)s: request "
                                    "%(request)s is pending", owner=owner, kind=kind, subject=subject,
                                    request=pending))
    values = dict(request_id=secrets.token_hex(6), requested_by=principal.username,
                  requester_agency_id=principal.agency_id, owner_agency_id=owner, kind=kind, subject_id=subject,
                  purpose=purpose, created_at=now(), status="pending", decided_by=None, decided_at=None, reason=None,
                  grant_id=None)
    try:
        with store.engine.begin() as conn:
            conn.execute(r.insert().values(**values))
    except sa.exc.IntegrityError:  # the same request arrived at the same moment: it is the pending one
        raise RequestConflict(_("your agency already asked %(owner)s for %(kind)s %(subject)s: that request "
                                "is pending", owner=owner, kind=kind, subject=subject)) from None
    made = AccessRequest(**values)  # type: ignore[arg-type]
    record(store, principal.username, principal.agency_id, "access_request", f"access-requests/{made.request_id}",
           {"owner_agency_id": owner, "kind": kind, "subject_id": subject, "purpose": purpose})
    return made


def get_request(store: StateStore, request_id: str) -> AccessRequest | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(access_requests).where(access_requests.c.request_id == request_id)).first()
    return _request(row) if row else None


def _listed(store: StateStore, condition: sa.ColumnElement[bool]) -> list[AccessRequest]:
    query = sa.select(access_requests).where(condition).order_by(access_requests.c.created_at.desc())
    with store.engine.connect() as conn:
        return [_request(row) for row in conn.execute(query)]


def pending_for(store: StateStore, owner_agency_id: str) -> list[AccessRequest]:
    """Requests waiting for `owner_agency_id`'s answer, newest first."""
    r = access_requests
    return _listed(store, sa.and_(r.c.owner_agency_id == owner_agency_id, r.c.status == "pending"))


def requests_by(store: StateStore, agency_id: str) -> list[AccessRequest]:
    """Every request `agency_id` made, answered or not, newest first."""
    return _listed(store, access_requests.c.requester_agency_id == agency_id)


def _deciding(store: StateStore, principal: Principal, request_id: str) -> AccessRequest:
    """The pending request of the principal's agency that the principal may answer."""
    if not principal.may(Permission.MANAGE_GRANTS):
        raise AccessDenied(_("your role (%(role)s) may not answer access requests: the holding agency's "
                             "administrators and analysts do", role=principal.role))
    found = get_request(store, request_id)
    if found is None or found.owner_agency_id != principal.agency_id:
        raise RequestNotFound(_("no access request %(request)s addressed to your agency", request=repr(request_id)))
    if found.status != "pending":
        raise RequestConflict(_("request %(request)s was already %(status)s by %(person)s", request=request_id,
                                status=found.status, person=found.decided_by))
    return found


def _close(store: StateStore, request_id: str, **values: object) -> AccessRequest:
    """Mark a pending request answered; refuses when another answer came first."""
    r = access_requests
    with store.engine.begin() as conn:
        done = conn.execute(r.update().where(r.c.request_id == request_id, r.c.status == "pending").values(**values))
    if done.rowcount == 0:
        raise RequestConflict(_("request %(request)s was answered meanwhile", request=request_id))
    found = get_request(store, request_id)
    assert found is not None
    return found


def approve(store: StateStore, principal: Principal, request_id: str, days: int,
            purpose: str | None = None) -> tuple[AccessRequest, Grant]:
    """Grant the request: the owner agency shares the subject with the requester's agency for `days`.

    The grant's purpose is `purpose` when given (the approver may narrow it), else the request's.
    """
    found = _deciding(store, principal, request_id)
    if not 1 <= days <= MAX_GRANT_DAYS:
        raise RequestError(_("a grant lasts 1 to %(most)s days (not %(days)s)", most=MAX_GRANT_DAYS, days=days))
    purpose = found.purpose if purpose is None or not purpose.strip() else _checked_text(
        purpose, _("a purpose"), MAX_PURPOSE)
    try:
        grant = add_grant(store, found.owner_agency_id, found.requester_agency_id, found.kind, found.subject_id,
                          purpose, now() + timedelta(days=days), principal.username)
    except GrantError as error:  # pragma: no cover - the request was checked when made
        raise RequestError(str(error)) from None
    try:
        answered = _close(store, request_id, status="approved", decided_by=principal.username, decided_at=now(),
                          grant_id=grant.grant_id)
    except RequestConflict:
        revoke_grant(store, grant.grant_id, principal.username)  # the other answer stands
        raise
    record(store, principal.username, principal.agency_id, "grant_add", f"grants/{grant.grant_id}", grant.to_dict())
    record(store, principal.username, principal.agency_id, "access_request_approve",
           f"access-requests/{request_id}", {"grant_id": grant.grant_id, "days": days,
                                              "requester_agency_id": found.requester_agency_id})
    return answered, grant


def refuse(store: StateStore, principal: Principal, request_id: str, reason: str) -> AccessRequest:
    """Refuse the request with a reason the requesting agency reads (audited)."""
    _deciding(store, principal, request_id)
    reason = _checked_text(reason, "a reason", MAX_REASON)
    answered = _close(store, request_id, status="refused", decided_by=principal.username, decided_at=now(),
                      reason=reason)
    record(store, principal.username, principal.agency_id, "access_request_refuse",
           f"access-requests/{request_id}", {"reason": reason, "requester_agency_id": answered.requester_agency_id})
    return answered


def why_not_askable(wh: Warehouse, scope: Scope, owner_agency_id: str, kind: str, subject_id: str) -> str | None:
    """Why the principal of `scope` cannot ask for this (None when it can), read from the warehouse.

    The owner must be an agency of the directory, and a seizure one the asker already sees (its own or
    shared): a chain is asked for from one of its links. Whether the owner holds anything on it is not
    checked here, so that asking tells the asker nothing it may not know.
    """
    agencies = wh.table("agencies")
    if agencies.filter(agencies.agency_id == owner_agency_id).count().execute() == 0:
        return _("no agency %(agency)s in the directory", agency=repr(owner_agency_id))
    if kind == "seizure" and not scope.sees(wh, "seizures", "seizure_id", subject_id):
        return _("no seizure %(subject)s that you may see: ask from a seizure's chain", subject=repr(subject_id))
    return None


def holds(wh: Warehouse, agency_id: str, kind: str, subject_id: str) -> bool:
    """Whether `agency_id` reported the case, or any link of the seizure's chain (the seizure, an arrest or
    a case opened on it): approving a request for something the agency does not hold would share nothing."""
    tables = (("cases", "case_id"),) if kind == "case" else (
        ("seizures", "seizure_id"), ("arrests", "seizure_id"), ("cases", "seizure_id"))
    for name, column in tables:
        t = wh.table(name)
        if t.filter((t[column] == subject_id) & (t._agency_id == agency_id)).count().execute() > 0:
            return True
    return False


def nothing_held(wh: Warehouse, store: StateStore, principal: Principal, request_id: str) -> None:
    """Refuse to approve a pending request of the principal's agency for something the agency does not hold.

    Checked before `approve` by the surfaces, which hold the warehouse; any other reason not to approve
    (not found, answered, a role that does not answer) is left to `approve` to say.
    """
    found = get_request(store, request_id)
    if found is None or found.owner_agency_id != principal.agency_id or found.status != "pending" \
            or not principal.may(Permission.MANAGE_GRANTS):
        return
    if not holds(wh, principal.agency_id, found.kind, found.subject_id):
        if found.kind == "case":
            text = _("%(agency)s holds no case %(subject)s: approving would share nothing, refuse it with a reason")
        else:
            text = _("%(agency)s holds no link of seizure %(subject)s's chain: approving would share nothing, "
                     "refuse it with a reason")
        raise RequestConflict(text % {"agency": principal.agency_id, "subject": found.subject_id})
