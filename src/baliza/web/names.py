"""Names people read instead of codes: units, offices, entry points and agencies from the warehouse's
directory tables (open to every role), and the words for each indicator, decision and finding rule.

The directory is read once per warehouse state; labels are looked up at render time, so that they come
out in the language of the request.
"""

from __future__ import annotations

from typing import Any

from baliza.i18n import gettext as _
from baliza.web.context import ServingContext
from baliza.web.results import results_of


def directory(ctx: ServingContext) -> dict[str, str]:
    """Display name by id of every unit, prosecution office, entry point and agency."""
    return results_of(ctx).directory_names  # type: ignore[no-any-return]


def name_of(names: dict[str, str], code: Any) -> str:
    """The name for `code`, or the code itself when the directory does not know it."""
    return names.get(str(code), str(code)) if code is not None else ""


def indicator_label(name: str) -> str:
    """A unit or office indicator as a heading: 'hit_rate' -> 'Hit rate'."""
    labels = {
        "hit_rate": _("Hit rate"),
        "hit_rate_targeted": _("Hit rate of targeted inspections"),
        "hit_rate_random": _("Hit rate of random inspections"),
        "targeting_lift": _("Targeting lift"),
        "seizures": _("Seizures"),
        "intelligence_led_share": _("Intelligence-led seizures"),
        "partner_sharing_48h": _("Shared with partners within 48 hours"),
        "prosecution_conversion": _("Prosecution conversion"),
        "conviction_conversion": _("Conviction conversion"),
        "lab_confirmation_days": _("Days to laboratory confirmation"),
        "joint_operation_share": _("Seizures in joint operations"),
        "new_substance_detections": _("New substance detections"),
        "quantity_seized_kg": _("Quantity seized (kg)"),
        "training_hours_per_staff": _("Training hours per staff member"),
        "mentoring_after_operational": _("Mentoring after becoming operational"),
        "mentoring_hours_after_operational": _("Mentoring hours after becoming operational"),
        "clearance_rate": _("Clearance rate"),
        "disposition_time_days": _("Disposition time (days)"),
        "dismissal_rate": _("Dismissal rate"),
        "conviction_rate": _("Conviction rate"),
    }
    return labels.get(name, name.replace("_", " ").capitalize())


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
    }
    return labels.get(table, table.replace("_", " ").capitalize())
