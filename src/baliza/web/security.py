"""Who is asking and whether they may: API tokens, session cookies, CSRF, and `require(permission)`.

Every route declares its permission with `Depends(require(Permission.X))`; nothing else grants access.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.access.tokens import user_for_token
from baliza.access.users import get_user
from baliza.i18n import gettext as _
from baliza.i18n.labels import label
from baliza.web.context import ServingContext
from baliza.web.sessions import COOKIE_NAME, Session, find_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class NotSignedIn(Exception):
    """No valid session or token came with the request."""


def context(request: Request) -> ServingContext:
    return request.app.state.baliza


def client_address(request: Request) -> str:
    """The address a request comes from: the peer's, or, when the peer is a configured proxy
    (BALIZA_TRUSTED_PROXIES), the nearest address in `X-Forwarded-For` that is not one of the proxies.
    A client that is not a proxy cannot choose the address it is counted under."""
    peer = request.client.host if request.client else "unknown"
    settings = context(request).settings
    if not settings.trusts(peer):
        return peer
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not settings.trusts(address):
            return address[:64]
    return peer


def current_session(request: Request) -> Session | None:
    ctx = context(request)
    return find_session(ctx.state, ctx.cookies.load(request.cookies.get(COOKIE_NAME)))


def identify(request: Request) -> tuple[Principal | None, Session | None]:
    """The principal behind a bearer token or a signed-in session, with that session."""
    ctx = context(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(ctx.state, header[7:].strip())
        return (user.principal("token") if user else None), None
    session = current_session(request)
    if session is None or session.username is None:
        return None, session
    user = get_user(ctx.state, session.username)
    if user is None or user.disabled:
        return None, session
    return user.principal("session"), session


async def submitted_csrf(request: Request) -> str | None:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


class Requirement:
    """A FastAPI dependency: the caller must be signed in and its role must allow `permission`."""

    def __init__(self, permission: Permission | None) -> None:
        self.permission = permission  # None: any signed-in user

    async def __call__(self, request: Request) -> Principal:
        principal, session = await run_in_threadpool(identify, request)  # database reads: off the event loop
        if principal is None:
            raise NotSignedIn()
        if self.permission is not None and not principal.may(self.permission):
            raise HTTPException(403, _("your role (%(role)s) may not %(permission)s", role=label(principal.role),
                                          permission=self.permission.value.replace("_", " ")))
        if request.method not in SAFE_METHODS and principal.via == "session":
            assert session is not None
            if not session.csrf_matches(await submitted_csrf(request)):
                raise HTTPException(403, _("missing or wrong CSRF token: reload the page and try again"))
        request.state.principal = principal
        request.state.session = session
        return principal

    def __repr__(self) -> str:
        return f"require({self.permission})"


_requirements: dict[Permission | None, Requirement] = {}


def require(permission: Permission | None) -> Requirement:
    """The dependency that checks `permission` (one instance per permission, so routes can be listed)."""
    if permission not in _requirements:
        _requirements[permission] = Requirement(permission)
    return _requirements[permission]


def signed_in() -> Requirement:
    """Any signed-in user, whatever the role (for one's own account page and signing out)."""
    return require(None)
