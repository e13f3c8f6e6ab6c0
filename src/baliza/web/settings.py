"""The server's security settings, read from the environment once when the application is made.

- `BALIZA_SECURE_COOKIES=1`: cookies are marked `Secure` (serve behind HTTPS); `baliza serve --secure-cookies`.
- `BALIZA_HSTS_SECONDS=N`: send `Strict-Transport-Security: max-age=N` (only behind HTTPS; 0 = off).
- `BALIZA_TRUSTED_PROXIES=10.0.0.2,10.1.0.0/16`: the reverse proxies whose `X-Forwarded-For` is believed;
  from any other peer the header is ignored and the peer's own address counts.
- `BALIZA_PUBLIC_API_DOCS=1`: `/docs` and `/openapi.json` answer without signing in (off by default).
- `BALIZA_PUBLIC_PAGE=1`: `/public` and `/public.csv` show the published aggregates (seizures, cases and
  verdicts per place and year, programme outcomes; small cells suppressed) to anyone, without signing in
  (off by default: the paths answer 404).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def parse_proxies(text: str) -> tuple[Network, ...]:
    """Addresses and networks separated by commas; a bad entry is an error naming it."""
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"BALIZA_TRUSTED_PROXIES: {part[:60]!r} is not an IP address or network") from None
    return tuple(found)


@dataclass(frozen=True)
class WebSettings:
    secure_cookies: bool = False
    hsts_seconds: int = 0
    trusted_proxies: tuple[Network, ...] = ()
    public_api_docs: bool = False
    public_page: bool = False

    @classmethod
    def from_environment(cls, secure_cookies: bool = False) -> WebSettings:
        hsts = os.environ.get("BALIZA_HSTS_SECONDS", "0").strip() or "0"
        if not hsts.isdigit():
            raise ValueError(f"BALIZA_HSTS_SECONDS must be a number of seconds, not {hsts[:30]!r}")
        return cls(
            secure_cookies=secure_cookies or _flag("BALIZA_SECURE_COOKIES"),
            hsts_seconds=int(hsts),
            trusted_proxies=parse_proxies(os.environ.get("BALIZA_TRUSTED_PROXIES", "")),
            public_api_docs=_flag("BALIZA_PUBLIC_API_DOCS"),
            public_page=_flag("BALIZA_PUBLIC_PAGE"),
        )

    def trusts(self, address: str) -> bool:
        """Whether `address` is one of the configured proxies."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)
