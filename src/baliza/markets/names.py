"""The names people read for the codes of online listings (substance groups, price statuses), translated."""

from __future__ import annotations

from baliza.i18n import gettext as _


def group_names() -> dict[str, str]:
    """Substance group code -> name, in the current language."""
    return {
        "cocaine_type": _("Cocaine-type"), "cannabis_type": _("Cannabis-type"), "opiates": _("Opiates"),
        "synthetic_opioids": _("Synthetic opioids"), "ats": _("Amphetamine-type stimulants"),
        "nps": _("New psychoactive substances"), "sedatives": _("Sedatives"), "hallucinogens": _("Hallucinogens"),
        "precursors": _("Precursors"), "other": _("Not a drug or unknown"),
    }


def price_status_names() -> dict[str, str]:
    """Price status code -> what it means, in the current language."""
    return {
        "plausible": _("Plausible"), "implausible": _("Implausible: left out of medians"),
        "no_price": _("No price"), "no_quantity": _("No quantity"), "unknown_currency": _("Unknown currency"),
    }


def evidence_names() -> dict[str, str]:
    """Kind of evidence behind a vendor link -> name, in the current language."""
    return {"pgp_fingerprint": _("Same PGP key"), "crypto_address": _("Same crypto address"),
            "contact": _("Same contact"), "splink": _("Similar handle and writing (Splink)")}
