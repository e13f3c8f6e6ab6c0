"""What every answer carries and every request is checked for before any route runs: bounded request bodies,
`Cache-Control: no-store` (pages and API answers carry people's and cases' details), and the browser's
security headers. A plain ASGI middleware: it only edits the answer's first message, so a large body (the
findings list is megabytes) passes straight through, not through a stream copied chunk by chunk."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baliza.access.clock import now
from baliza.web.settings import WebSettings

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self'")


class SecurityHeaders:
    """Refuses a body over `max_body` bytes (or `upload_max` for a PUT under `upload_path`) or without a
    length with 413; notes when the request started (`request.state.started`, as the audit log writes
    times); adds the headers to every answer, keeping any a route set itself (but always `no-store`
    outside `uncached` paths)."""

    def __init__(self, app: ASGIApp, settings: WebSettings, max_body: int, upload_path: str, upload_max: int,
                 uncached: tuple[str, ...]) -> None:
        self.app, self.settings = app, settings
        self.max_body, self.upload_path, self.upload_max, self.uncached = max_body, upload_path, upload_max, uncached

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked, path = Headers(scope=scope), scope["path"]
        declared = asked.get("content-length", "")
        limit = self.upload_max if scope["method"] == "PUT" and path.startswith(self.upload_path) else self.max_body
        if (declared.isdigit() and int(declared) > limit) or (not declared and asked.get("transfer-encoding")):
            refused = JSONResponse({"detail": f"a request body has at most {limit} bytes (with a length)"},
                                   status_code=413)
            await self._headed(refused, scope, receive, send)
            return
        scope.setdefault("state", {})["started"] = now().isoformat(timespec="microseconds")
        await self._headed(self.app, scope, receive, send)

    async def _headed(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not path.startswith(self.uncached):
                    headers["Cache-Control"] = "no-store"
                if self.settings.hsts_seconds:
                    headers.setdefault("Strict-Transport-Security",
                                       f"max-age={self.settings.hsts_seconds}; includeSubDomains")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if not path.startswith("/docs"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            await send(message)

        await app(scope, receive, sending)
