"""Names people read instead of codes: units, offices, entry points and agencies from the warehouse's
directory tables (open to every role), and the words for each decision and finding rule (indicators:
`baliza.i18n.labels`).

The directory is read once per warehouse state; labels are looked up at render time, so that they come
out in the language of the request.
"""

from __future__ import annotations

from typing import Any

from baliza.i18n import gettext as _
from baliza.i18n.naming import naming
from baliza.web.context import ServingContext
from baliza.web.results import results_of

WITH_STAFF = "names:with_staff"


def directory(ctx: ServingContext) -> dict[str, str]:
    """Display name by id of every unit, prosecution office, entry point and agency."""
    return results_of(ctx).directory_names  # type: ignore[no-any-return]


def with_staff(ctx: ServingContext) -> dict[str, str]:
    """The directory and every staff member's display name (prosecutors and judges are named in findings;
    a display name is open to every reader, as on a case file). Never a person's name.

    Both are results stored with each load (`web.results`): a request only joins them, once per snapshot,
    kept without a lock (two requests joining them at once only join them twice)."""
    kept = ctx.snapshot.cache.get(WITH_STAFF)
    if kept is None:
        results = results_of(ctx)
        kept = {**results.directory_names, **results.staff_names}
        ctx.snapshot.cache[WITH_STAFF] = kept
    return kept  # type: ignore[no-any-return]


class FindingNames:
    """Each HTTP request words findings with names, not ids (`baliza.i18n.naming`): the names are read the
    first time a finding names someone, from the snapshot the request reads."""

    def __init__(self, app: Any, ctx: ServingContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with naming(lambda: with_staff(self.ctx)):
            await self.app(scope, receive, send)


def name_of(names: dict[str, str], code: Any) -> str:
    """The name for `code`, or the code itself when the directory does not know it."""
    return names.get(str(code), str(code)) if code is not None else ""


def rule_label(rule: str) -> str:
    """A red-flag rule as words: 'quantity_shrinkage' -> 'Quantity shrinkage'."""
    labels = {
        "quantity_shrinkage": _("Quantity shrinkage"),
        "quantity_shrinkage_concentration": _("Quantity shrinkage concentrated on one official"),
        "evidence_lost_before_trial": _("Evidence lost before trial"),
        "evidence_loss_concentration": _("Evidence loss concentrated on one official"),
        "statute_barred": _("Statute barred"),
        "reassigned_before_loss": _("Reassigned before a loss"),
        "reassigned_before_loss_concentration": _("Reassignments before losses concentrated on one official"),
        "outcome_outlier": _("Outcome outlier"),
        "sentencing_outlier": _("Sentencing outlier"),
        "seizure_not_converted": _("Seizures not converted into cases"),
        "crypto_exchange_reached": _("Funds of a seized or suspect wallet reached an exchange"),
        "crypto_exchange_exposure": _("Exchange exposed to a darknet market or mixer"),
        "crypto_peel_chain": _("Seized or suspect funds went through a peel chain"),
        "person_across_agencies": _("One person in separate seizures, arrests or cases, across agencies"),
    }
    return labels.get(rule, rule.replace("_", " ").capitalize())


def decision_label(decision: str | None) -> str:
    """A reviewer's decision on a finding, or 'waiting for a decision'."""
    labels = {
        None: _("Waiting for a decision"),
        "confirmed": _("Confirmed"),
        "dismissed": _("Dismissed"),
        "needs_more_data": _("Needs more data"),
    }
    return labels.get(decision, str(decision).replace("_", " ").capitalize())


def table_label(table: str) -> str:
    """What one row of a table is, in words: 'seizures' -> 'Seizure'."""
    labels = {
        "seizures": _("Seizure"), "cases": _("Case"), "units": _("Unit"), "staff": _("Staff member"),
        "persons": _("Person"), "assets": _("Asset"), "dispositions": _("Disposition"),
        "charges": _("Charge"), "case_events": _("Case event"), "arrests": _("Arrest"),
        "crypto_io": _("Crypto transaction output"), "crypto_transfers": _("Crypto transfer"),
        "crypto_tags": _("Crypto address tag"), "online_listings": _("Online listing"),
    }
    return labels.get(table, table.replace("_", " ").capitalize())
