"""Features named for the targeter who reads the queue, in the reader's language."""

from __future__ import annotations

from baliza.i18n import gettext as _

PARTIES = ("consignee", "shipper", "declarant", "carrier")


def feature_label(name: str) -> str:
    """A sentence naming what the feature measures (the value is shown beside it)."""
    fixed = {
        "log_mass": _("Declared mass (log)"),
        "log_value": _("Declared value (log)"),
        "log_unit_value": _("Declared value per kilogram (log)"),
        "cash": _("Paid in cash"),
        "transit": _("Shipped through another country than the origin"),
        "via_hub": _("Routed through a known transit hub"),
        "hs_origin_share": _("Share of this commodity's earlier declarations that came from this origin"),
        "hs_description_share": _("Share of this commodity's earlier declarations with this description"),
        "unit_value_z": _("Value per kilogram against the norm for the HS code (standard deviations)"),
        "mass_z": _("Mass against the norm for the HS code (standard deviations)"),
        "office": _("Office of entry"),
        "mode": _("Mode of transport"),
        "payment": _("Payment type"),
        "origin_country": _("Country of origin"),
        "departure_country": _("Country of departure"),
        "hs2": _("HS chapter"),
        "hs4": _("HS heading"),
        "consignee_seen": _("Earlier declarations by the consignee"),
        "shipper_seen": _("Earlier declarations by the shipper"),
        "declarant_seen": _("Earlier declarations by the declarant"),
        "carrier_seen": _("Earlier declarations by the carrier"),
        "consignee_days_known": _("Days since the consignee was first seen"),
        "shipper_days_known": _("Days since the shipper was first seen"),
        "declarant_days_known": _("Days since the declarant was first seen"),
        "carrier_days_known": _("Days since the carrier was first seen"),
        "consignee_hit_rate": _("Share of the consignee's earlier inspections that found something"),
        "shipper_hit_rate": _("Share of the shipper's earlier inspections that found something"),
        "declarant_hit_rate": _("Share of the declarant's earlier inspections that found something"),
        "carrier_hit_rate": _("Share of the carrier's earlier inspections that found something"),
        "pair_seen": _("Earlier declarations between this consignee and this shipper"),
        "pair_hit_rate": _("Share of inspections between this consignee and shipper that found something"),
        "hs_hit_rate": _("Share of this HS code's earlier inspections that found something"),
        "origin_hit_rate": _("Share of inspections of goods from this origin that found something"),
        "route_hit_rate": _("Share of inspections on this route that found something"),
        "office_hit_rate": _("Share of this office's earlier inspections that found something"),
    }
    if name in fixed:
        return fixed[name]
    if name.startswith("rule_"):
        return _("Matched the rule %(rule)s", rule=name.removeprefix("rule_").replace("_", "-"))
    if name.endswith("_inspected"):
        return _("Earlier inspections (%(history)s)", history=name.removesuffix("_inspected"))
    if name.endswith("_seen"):
        return _("Earlier declarations (%(history)s)", history=name.removesuffix("_seen"))
    if name.startswith("x_"):
        return _("Column %(column)s of the declaration", column=name.removeprefix("x_").replace("_", " "))
    return _("Feature %(name)s", name=name)
