"""The language of a web request: the header's switch (`?lang=es`, remembered in a cookie), else the
cookie, else the browser's `Accept-Language`, else English.

English is the default when nothing is asked because it is the source language: every string exists in
it, whatever a catalogue still misses, and clients that send no preference (scripts, `curl`, monitoring,
the API's tests) get the same answers as before. Browsers always send `Accept-Language`, so a person in
Lima or São Paulo is answered in their language without choosing.

`LanguageMiddleware` is a plain ASGI middleware: the language is a context variable set around the
whole request, so routes, templates, error handlers and the threads FastAPI runs sync routes in all
see it.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from baliza.i18n import LANGUAGES, SOURCE_LANGUAGE, gettext, language

COOKIE = "baliza_lang"
QUERY = "lang"
REMEMBERED_SECONDS = 365 * 24 * 3600


def _primary(tag: str) -> str:
    return tag.strip().replace("_", "-").split("-")[0].lower()


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the header accepts, by preference ('es-PE' -> es, 'pt-BR' -> pt)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):  # bounded: a header is not a work order
        tag, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, _primary(tag)))
    for _quality, _position, code in sorted(ranked):
        if code in LANGUAGES:
            return code
    return None


def choose(query_choice: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in (see the module docstring for the order)."""
    for choice in (query_choice, cookie):
        if choice and _primary(choice) in LANGUAGES:
            return _primary(choice)
    return from_accept_language(accept_language) or SOURCE_LANGUAGE


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class LanguageMiddleware:
    """Answers each HTTP request in its language (`choose`); a `?lang=` choice is remembered in a cookie."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(QUERY, [None])[0]
        cookies = SimpleCookie()
        try:
            cookies.load(_header(scope, b"cookie") or "")
        except Exception:  # a malformed cookie header chooses nothing
            cookies = SimpleCookie()
        remembered = cookies[COOKIE].value if COOKIE in cookies else None
        chosen = choose(query, remembered, _header(scope, b"accept-language"))
        switched = query is not None and _primary(query) in LANGUAGES and chosen != remembered

        async def send_remembering(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.append((b"content-language", chosen.encode("latin-1")))
                if switched:
                    cookie = f"{COOKIE}={chosen}; Max-Age={REMEMBERED_SECONDS}; Path=/; SameSite=Lax; HttpOnly"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
            await send(message)

        with language(chosen):
            await self.app(scope, receive, send_remembering)


def plain_detail(status: int, detail: str) -> str:
    """What an error page says: the detail a route gave, or, for the HTTP status phrases Starlette fills
    in by itself ("Not Found"), a sentence in the reader's language."""
    if detail == "Not Found":
        return gettext("There is no such page, or it is not yours to see.")
    if detail == "Method Not Allowed":
        return gettext("This page cannot be used that way.")
    return detail
