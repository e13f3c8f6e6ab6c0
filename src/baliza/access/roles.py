"""The six roles and what each may do, declared as data. Anything not listed is denied."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    UNIT_OFFICER = "unit_officer"
    PROSECUTION_INSPECTOR = "prosecution_inspector"
    PROGRAMME_OFFICER = "programme_officer"
    OVERSIGHT = "oversight"


class Permission(StrEnum):
    READ_SEIZURES = "read_seizures"  # seizures and their chain
    READ_CASES = "read_cases"
    READ_PERSONS = "read_persons"  # suspects, defendants: protected people stay masked
    READ_PROTECTED_PERSONS = "read_protected_persons"  # decrypted, only for the officer's own programme
    READ_FINDINGS = "read_findings"
    DECIDE_FINDINGS = "decide_findings"  # confirm, dismiss, needs more data
    READ_INDICATORS = "read_indicators"
    READ_AGGREGATES = "read_aggregates"  # counts by period/place, small cells suppressed
    READ_JUSTICE = "read_justice"  # prosecution analytics: outcome funnels, offices' efficiency (no names)
    READ_ASSETS = "read_assets"  # asset recovery: the pipeline, its times and the assets abroad
    READ_EARLY_WARNING = "read_early_warning"  # synthetic drugs and NPS: surges and first detections
    READ_QUARANTINE = "read_quarantine"
    READ_GRANTS = "read_grants"
    MANAGE_GRANTS = "manage_grants"  # share own agency's rows, revoke
    MANAGE_USERS = "manage_users"
    MANAGE_TOKENS = "manage_tokens"
    VERIFY_AUDIT = "verify_audit"
    EXPORT = "export"
    READ_PROGRAMMES = "read_programmes"  # its programme's outcomes in detail, as published (no person)
    OVERSEE_PROGRAMMES = "oversee_programmes"  # civil oversight: the published aggregates, country-wide


P = Permission

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset({
        P.READ_SEIZURES, P.READ_CASES, P.READ_INDICATORS, P.READ_AGGREGATES, P.READ_QUARANTINE,
        P.READ_GRANTS, P.MANAGE_GRANTS, P.MANAGE_USERS, P.MANAGE_TOKENS, P.VERIFY_AUDIT, P.READ_JUSTICE,
    }),
    Role.ANALYST: frozenset({
        P.READ_SEIZURES, P.READ_CASES, P.READ_PERSONS, P.READ_FINDINGS, P.READ_INDICATORS, P.READ_AGGREGATES,
        P.READ_QUARANTINE, P.READ_GRANTS, P.MANAGE_GRANTS, P.EXPORT, P.READ_ASSETS, P.READ_EARLY_WARNING,
    }),
    Role.UNIT_OFFICER: frozenset({
        P.READ_SEIZURES, P.READ_CASES, P.READ_PERSONS, P.READ_INDICATORS, P.READ_AGGREGATES, P.READ_QUARANTINE,
        P.READ_EARLY_WARNING,
    }),
    Role.PROSECUTION_INSPECTOR: frozenset({
        P.READ_SEIZURES, P.READ_CASES, P.READ_PERSONS, P.READ_FINDINGS, P.DECIDE_FINDINGS, P.READ_INDICATORS,
        P.READ_AGGREGATES, P.READ_JUSTICE, P.READ_ASSETS,
    }),
    Role.PROGRAMME_OFFICER: frozenset({
        P.READ_PERSONS, P.READ_PROTECTED_PERSONS, P.READ_INDICATORS, P.READ_AGGREGATES, P.READ_PROGRAMMES,
        P.READ_FINDINGS, P.DECIDE_FINDINGS,  # threats reported by its growers reach it as findings
    }),
    Role.OVERSIGHT: frozenset({P.READ_INDICATORS, P.READ_AGGREGATES, P.READ_JUSTICE, P.OVERSEE_PROGRAMMES,
                               P.READ_ASSETS, P.READ_EARLY_WARNING}),
}


def allows(role: Role | str, permission: Permission) -> bool:
    """Whether `role` may do `permission`; an unknown role may do nothing."""
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False
