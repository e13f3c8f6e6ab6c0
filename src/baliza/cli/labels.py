"""Words for the codes the CLI prints: indicator names, unit kinds, traffic bands, stages. Each is a full
label in English source, translated when asked for (the language is chosen per command)."""

from __future__ import annotations

from baliza.i18n import gettext as _


def indicator(name: str) -> str:
    """A short label for an indicator ("hit_rate" is "Hit rate"); an indicator without one reads as words."""
    labels = {
        "hit_rate": _("Hit rate"),
        "hit_rate_targeted": _("Hit rate, targeted inspections"),
        "hit_rate_random": _("Hit rate, random inspections"),
        "targeting_lift": _("Targeting lift"),
        "seizures": _("Seizures"),
        "intelligence_led_share": _("Seizures led by intelligence"),
        "partner_sharing_48h": _("Shared with partners within 48 h"),
        "prosecution_conversion": _("Seizures that became a case"),
        "conviction_conversion": _("Seizure cases with a conviction"),
        "lab_confirmation_days": _("Days to laboratory confirmation"),
        "joint_operation_share": _("Seizures in joint operations"),
        "new_substance_detections": _("New substances detected"),
        "quantity_seized_kg": _("Kilograms seized"),
        "training_hours_per_staff": _("Training hours per staff member"),
        "mentoring_after_operational": _("Mentoring sessions after going operational"),
        "mentoring_hours_after_operational": _("Mentoring hours after going operational"),
        "incoming": _("Cases opened"),
        "resolved": _("Cases resolved"),
        "pending_end": _("Cases pending at the end"),
        "clearance_rate": _("Clearance rate"),
        "disposition_time_days": _("Disposition time (days)"),
        "case_turnover_ratio": _("Case turnover"),
        "dismissal_rate": _("Dismissal rate"),
        "conviction_rate": _("Conviction rate"),
        "median_days_to_resolution_km": _("Median days to resolution"),
        "dea_ccr": _("DEA efficiency (CCR)"),
        "dea_bcc": _("DEA efficiency (BCC)"),
    }
    return labels.get(name) or name.replace("_", " ").capitalize()


def unit_kind(kind: str) -> str:
    kinds = {
        "port_control_unit": _("Port control units"),
        "airport_task_force": _("Airport task forces"),
        "maritime_unit": _("Maritime units"),
        "border_unit": _("Border units"),
        "prosecution_office": _("Prosecution offices"),
        "investigation_unit": _("Investigation units"),
        "cyber_unit": _("Cyber units"),
        "fiu_unit": _("Financial intelligence units"),
        "court": _("Courts"),
        "treatment_provider": _("Treatment providers"),
        "programme_office": _("Programme offices"),
        "other": _("Other units"),
        "unknown": _("Units of unknown kind"),
    }
    return kinds.get(kind) or kind.replace("_", " ")


def peer_group(code: str) -> str:
    """A peer group "port_control_unit/high" as "Port control units, high traffic"."""
    kind, _slash, band = code.partition("/")
    bands = {
        "low": _("%(kind)s, low traffic"),
        "medium": _("%(kind)s, medium traffic"),
        "high": _("%(kind)s, high traffic"),
        "unknown": _("%(kind)s, traffic not reported"),
    }
    return bands[band] % {"kind": unit_kind(kind)} if band in bands else unit_kind(kind)


def entry_point_kind(kind: str) -> str:
    kinds = {
        "seaport": _("seaport"),
        "airport": _("airport"),
        "land_border": _("land border"),
        "postal_hub": _("postal hub"),
        "dry_port": _("dry port"),
        "online": _("online"),
    }
    return kinds.get(kind) or kind.replace("_", " ")


def stage(name: str) -> str:
    stages = {
        "inspection": _("inspection"),
        "seizure": _("seizure"),
        "lab": _("laboratory"),
        "arrest": _("arrest"),
        "case": _("case"),
        "charge": _("charge"),
        "event": _("hearing or event"),
        "disposition": _("disposition"),
        "asset": _("asset"),
    }
    return stages.get(name) or name.replace("_", " ")
