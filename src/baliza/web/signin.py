"""Signing in and out: a CSRF-protected form, throttled, with a new session id at every sign-in.

An anonymous visitor to the form stores nothing: its CSRF token travels signed and dated in the cookie.
Input is bounded before anything else (no hashing, no logging of a megabyte user name); a failure is
logged once, with the name as typed only when it is of a possible length, else with its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from baliza.access.audit import record
from baliza.access.passwords import MAX_PASSWORD, MAX_USERNAME
from baliza.access.principal import Principal
from baliza.access.users import authenticate
from baliza.i18n import gettext as _
from baliza.web.security import client_address, context, current_session, signed_in
from baliza.web.sessions import ANONYMOUS_LIFETIME, COOKIE_NAME, SESSION_LIFETIME, Session, end_session, start_session
from baliza.web.templates import render

router = APIRouter(include_in_schema=False)


def _set_cookie(request: Request, response: Response, value: str, max_age: int) -> None:
    response.set_cookie(COOKIE_NAME, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=context(request).settings.secure_cookies, path="/")


def _set_session_cookie(request: Request, response: Response, session: Session) -> None:
    _set_cookie(request, response, context(request).cookies.dump(session.session_id),
                int(SESSION_LIFETIME.total_seconds()))


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect off the site after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:2000]
    return "/"


def logged_name(username: str) -> str:
    """The user name as the audit log keeps it for a refused or failed sign-in: as typed when it could
    be a name, else a hash (the log is append-only: nobody may fill it with what they type)."""
    if len(username) <= MAX_USERNAME and username.isprintable():
        return username
    return "sha256:" + hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in form. Its CSRF token is the signed-in session's, or, for an anonymous visitor, one
    signed into the cookie (no row is written)."""
    ctx = context(request)
    session = current_session(request)
    if session is not None:
        request.state.session = session
        return render(request, "login.html", {"next": _safe_next(next), "error": None})
    token = secrets.token_urlsafe(32)
    request.state.session = Session("", None, token)  # for the template's csrf_token only
    response = render(request, "login.html", {"next": _safe_next(next), "error": None})
    _set_cookie(request, response, ctx.cookies.dump_login(token), int(ANONYMOUS_LIFETIME.total_seconds()))
    return response


def _form_token(request: Request) -> tuple[str | None, Session | None]:
    """The CSRF token the form was given (from the signed cookie or the current session), with the session."""
    session = current_session(request)
    if session is not None:
        return session.csrf_token, session
    return context(request).cookies.load_login(request.cookies.get(COOKIE_NAME)), None


def _again(request: Request, next: str, error: str, status: int, token: str) -> Response:
    request.state.session = Session("", None, token)
    return render(request, "login.html", {"next": _safe_next(next), "error": error}, status_code=status)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    ctx = context(request)
    expected, before = _form_token(request)
    if not expected or not Session("", None, expected).csrf_matches(csrf_token):
        raise HTTPException(403, _("The form has expired or was not sent from this site: reload the sign-in page "
                                  "and try again."))
    client = client_address(request)
    name = logged_name(username)
    wait = ctx.throttle.wait(name, client)
    if wait:
        raise HTTPException(429, _("Too many failed sign-ins: wait %(seconds)s seconds and try again.", seconds=wait),
                            headers={"Retry-After": str(wait)})
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:  # refused before hashing it
        ctx.throttle.failed(name, client)
        record(ctx.state, "anonymous", "-", "sign_in_refused", f"users/{name}",
               {"address": client, "reason": "over-long input"})
        return _again(request, next, _("A user name has at most %(name)s characters and a password at most "
                                       "%(password)s.", name=MAX_USERNAME, password=MAX_PASSWORD), 400, expected)
    user = authenticate(ctx.state, username, password)
    if user is None:
        ctx.throttle.failed(name, client)
        record(ctx.state, "anonymous", "-", "sign_in_failed", f"users/{name}", {"address": client})
        return _again(request, next, _("Wrong user name or password."), 401, expected)
    ctx.throttle.succeeded(name, client)
    if before is not None:
        end_session(ctx.state, before.session_id)  # the pre-sign-in id is never reused: no session fixation
    session = start_session(ctx.state, user.username)
    record(ctx.state, user.username, user.agency_id, "sign_in", f"users/{user.username}", {"address": client})
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session_cookie(request, response, session)
    return response


@router.post("/logout")
def logout(request: Request, principal: Annotated[Principal, Depends(signed_in())]) -> Response:
    ctx = context(request)
    session = request.state.session
    if session is not None:
        end_session(ctx.state, session.session_id)
    record(ctx.state, principal.username, principal.agency_id, "sign_out", f"users/{principal.username}")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
