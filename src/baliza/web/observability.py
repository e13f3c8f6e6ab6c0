"""What an operator watches: request ids, one JSON log line per request, and Prometheus metrics.

Logs and metrics name routes by their template (`/api/persons/{person_id}`), never by the path asked
for, and carry no user name, address, query string or body: nothing in them identifies a person. A
request id comes from a well-formed `X-Request-ID` header (a reverse proxy's) or is made here; it is sent
back in the answer and written on every log line the request causes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
import time
import traceback
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("baliza_request_id", default="-")
_request_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("baliza_request_scope", default=None)


def current_route() -> str:
    """The route template of the request being answered (what an audit entry names), or "-"."""
    scope = _request_scope.get()
    return _route_of(scope) if scope is not None else "-"


REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
log = logging.getLogger("baliza.requests")


class JsonLogs(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and for an exception its type and
    the frames it passed through (file, line, function), never its message or values, which may hold what
    a request carried."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            frames = traceback.extract_tb(record.exc_info[2])[-12:]  # where, never what: no messages, no values
            entry["where"] = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames]
        return json.dumps(entry, default=str)


def configure_json_logs(level: int = logging.INFO) -> None:
    """Send Baliza's and the server's logs to stderr as JSON lines (`baliza serve` calls this)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogs())
    for name in ("baliza", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


class Metrics:
    """Counters and latency histograms, kept in memory by this server process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.in_flight = 0

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, str(status))] += 1
            counts = self.latency[route]
            counts[next((i for i, b in enumerate(BUCKETS) if seconds <= b), len(BUCKETS))] += 1
            self.latency_sum[route] += seconds

    def render(self, gauges: dict[str, tuple[str, float]], counters: dict[str, tuple[str, float]]) -> str:
        """The Prometheus text exposition of the requests, plus `gauges` and `counters` (name: help, value)."""
        lines = ["# HELP baliza_http_requests_total Requests answered, by method, route and status.",
                 "# TYPE baliza_http_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(f'baliza_http_requests_total{{method="{method}",route="{_label(route)}",'
                             f'status="{status}"}} {n}')
            lines += ["# HELP baliza_http_request_duration_seconds Time to answer, by route.",
                      "# TYPE baliza_http_request_duration_seconds histogram"]
            for route, counts in sorted(self.latency.items()):
                running = 0
                for bound, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                    running += n
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    lines.append(f'baliza_http_request_duration_seconds_bucket{{route="{_label(route)}",'
                                 f'le="{le}"}} {running}')
                lines.append(f'baliza_http_request_duration_seconds_sum{{route="{_label(route)}"}} '
                             f"{self.latency_sum[route]:.6f}")
                lines.append(f'baliza_http_request_duration_seconds_count{{route="{_label(route)}"}} {running}')
            lines += ["# HELP baliza_http_requests_in_flight Requests being answered now.",
                      "# TYPE baliza_http_requests_in_flight gauge", f"baliza_http_requests_in_flight {self.in_flight}"]
        for kind, values in (("gauge", gauges), ("counter", counters)):
            for name, (text, value) in values.items():
                lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {value:g}"]
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "/static/*" if scope.get("path", "").startswith("/static/") else "(unmatched)"


class Observed:
    """ASGI middleware: a request id for each request, its log line, and its place in the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        scope_token = _request_scope.set(scope)
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        self.metrics.in_flight += 1
        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.in_flight -= 1
            seconds = time.perf_counter() - started
            route = _route_of(scope)
            self.metrics.observe(scope["method"], route, status, seconds)
            log.info("request", extra={"fields": {"method": scope["method"], "route": route, "status": status,
                                                  "ms": round(seconds * 1000, 1)}})
            request_id.reset(token)
            _request_scope.reset(scope_token)
