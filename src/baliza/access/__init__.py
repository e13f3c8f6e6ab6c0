"""Who may see what: users, roles, agency scope, sharing grants, API tokens and the audit log.

Every surface (CLI, API, dashboard, report) consults this package; nothing here serves or prints.
"""

from baliza.access.principal import AccessDenied, Principal
from baliza.access.roles import PERMISSIONS, Permission, Role, allows
from baliza.access.state import StateStore, open_state, state_url_for

__all__ = [
    "PERMISSIONS",
    "AccessDenied",
    "Permission",
    "Principal",
    "Role",
    "StateStore",
    "allows",
    "open_state",
    "state_url_for",
]
