"""Who is asking: a signed-in user or an API token, with their agency, role and programme."""

from __future__ import annotations

from dataclasses import dataclass

from baliza.access.roles import Permission, Role, allows


@dataclass(frozen=True)
class Principal:
    username: str
    agency_id: str
    role: Role
    programme: str | None = None  # for programme officers: "livelihood" or "treatment"
    via: str = "session"  # "session", "token" or "cli"

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)


class AccessDenied(PermissionError):
    """Raised when a principal asks for something its role or scope does not allow."""
