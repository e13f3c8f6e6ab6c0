"""Words for the codes the CLI prints: unit kinds and traffic bands (plural headings of the CLI's own). Indicator
names, entry point kinds and stages are the words of `baliza.i18n.labels`, the one dictionary pages, reports and
the CLI share."""

from __future__ import annotations

from baliza.i18n import gettext as _


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
