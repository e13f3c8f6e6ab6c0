"""The programme report (issue 16) for the programme officer and donors: the alternative-livelihood and
treatment programmes' outcomes, as HTML or PDF, in the reader's language.

It shows exactly what the programme pages show: the same published figures (`web.programmes_data`), small
cells and their complements hidden by `access.disclosure.disclose`, drawn with the same templates and
charts. No person appears in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from baliza.access.principal import Principal
from baliza.i18n import gettext as _
from baliza.report.document import render_document
from baliza.report.section import Section


def programme_sections(found: dict[str, dict[str, Any]]) -> list[Section]:
    """One section per programme published (`found`: programme -> its publication)."""
    from baliza.web.formatting import install
    from baliza.web.programmes import livelihood_charts, treatment_charts
    from baliza.web.templates import templates

    install(templates.env)  # the number, share and date filters (the web application installs them too)

    sections = []
    for programme, published in found.items():
        charts = treatment_charts(published) if programme == "treatment" else livelihood_charts(published)
        body = templates.env.get_template(f"programmes_report_{programme}.html").render(**published, charts=charts)
        title = _("Treatment programme") if programme == "treatment" else _("Alternative-livelihood programme")
        sections.append(Section(title, body, programme))
    return sections


def programme_report(found: dict[str, dict[str, Any]]) -> str:
    """The whole document, as HTML (`report.pdf.html_to_pdf` makes the PDF of it)."""
    as_of = max((p.get("as_of") or "" for p in found.values()), default="")
    subtitle = _("Outcomes up to %(day)s. Counts under 5, and those that would give one away, are not shown.",
                 day=as_of) if as_of else ""
    return render_document(_("Programme report"), programme_sections(found), subtitle)


class WarehouseSource:
    """The figures' source for the command line: one open warehouse, every row (the operator's view) or
    the rows a principal's scope allows, each result computed once. Itself a warehouse (the protocol
    `baliza.warehouse.protocol.Warehouse`): its tables are the rows it allows."""

    def __init__(self, wh: Any, scope: Any | None = None) -> None:
        self.wh, self.cut = wh, scope or _Whole()
        self._results: dict[str, Any] = {}

    @property
    def engine(self) -> Any:
        return self.wh.engine

    @property
    def con(self) -> Any:
        return self.wh.con

    @property
    def scope(self) -> Any:
        return None if isinstance(self.cut, _Whole) else self.cut

    def table(self, name: str) -> Any:
        return self.cut.filter(self.wh, name)

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self._results:
            self._results[name] = compute()
        return self._results[name]

    @contextmanager
    def reading(self, principal: Principal) -> Iterator[tuple[Any, Any]]:
        yield self.wh, self.cut

    @contextmanager
    def locked(self) -> Iterator[Any]:
        yield self.wh


class _Whole:
    """Every row of a table: the operator, who holds the warehouse file, reads them all."""

    def filter(self, wh: Any, table: str) -> Any:
        return wh.table(table)
