"""Signing in and out: a CSRF-protected form, rate-limited, with a new session id at every sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.access.users import authenticate
from baliza.web.security import context, current_session, signed_in
from baliza.web.sessions import COOKIE_NAME, SESSION_LIFETIME, Session, end_session, start_session
from baliza.web.templates import render

router = APIRouter(include_in_schema=False)


def _set_cookie(request: Request, response: Response, session: Session) -> None:
    ctx = context(request)
    response.set_cookie(
        COOKIE_NAME, ctx.cookies.dump(session.session_id), max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True, samesite="strict", secure=ctx.secure_cookies, path="/",
    )


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect off the site after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in form, with a CSRF token held by an anonymous session."""
    session = current_session(request)
    if session is None:
        session = start_session(context(request).state, None)
    request.state.session = session
    response = render(request, "login.html", {"next": _safe_next(next), "error": None})
    _set_cookie(request, response, session)
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    ctx = context(request)
    before = current_session(request)
    if before is None or not before.csrf_matches(csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the sign-in page and try again")
    client = request.client.host if request.client else "unknown"
    keys = (f"user:{username}", f"address:{client}")
    if ctx.throttle.blocked(*keys):
        record(ctx.state, username, "-", "sign_in_refused", f"users/{username}", {"reason": "rate limit"})
        raise HTTPException(429, "too many failed sign-ins: wait a few minutes and try again")
    user = authenticate(ctx.state, username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        record(ctx.state, username, "-", "sign_in_failed", f"users/{username}", {"address": client})
        request.state.session = before
        return render(request, "login.html", {"next": _safe_next(next), "error": "Wrong user name or password."},
                      status_code=401)
    ctx.throttle.succeeded(*keys)
    end_session(ctx.state, before.session_id)  # the pre-sign-in id is never reused: no session fixation
    session = start_session(ctx.state, user.username)
    record(ctx.state, user.username, user.agency_id, "sign_in", f"users/{user.username}", {"address": client})
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_cookie(request, response, session)
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
