"""A self-contained HTML document from a list of `Section`s: inline CSS and SVG, no external asset, print-ready.

Any capability adds its sections; `render_document` knows nothing about what they say.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from baliza.i18n import current
from baliza.i18n import gettext as _
from baliza.i18n.formatting import day
from baliza.report.section import Section

STYLESHEET = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-left { content: string(doctitle); font: 8pt sans-serif; color: #6b7280; }
  @bottom-right { content: PAGE_OF_PAGES; font: 8pt sans-serif; color: #6b7280; } }
:root { --ink: #111827; --muted: #6b7280; --rule: #e5e7eb; --accent: #1f4e79; --good: #166534; --bad: #991b1b; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); font-size: 10pt;
  line-height: 1.4; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
header.cover { border-bottom: 3px solid var(--accent); margin-bottom: 1.2rem; padding-bottom: .6rem; }
header.cover h1 { string-set: doctitle content(); font-size: 20pt; margin: 0; color: var(--accent); }
header.cover p { margin: .2rem 0; color: var(--muted); }
nav.toc ol { columns: 2; font-size: 9pt; padding-left: 1.2rem; }
nav.toc { break-inside: avoid; }
nav.toc h2 { border: none; font-size: 12pt; margin: .8rem 0 .2rem; }
p.small { font-size: 8pt; }
nav.toc a { color: var(--ink); text-decoration: none; }
section.part { break-before: page; }
section.part:first-of-type { break-before: auto; }
h2 { font-size: 14pt; color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: .2rem;
  margin-top: 0; }
h3 { font-size: 11pt; margin: 1rem 0 .3rem; break-after: avoid; }
p.lead { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { text-align: left; font-weight: 600; border-bottom: 1.5px solid var(--ink); padding: .25rem .35rem; }
td { border-bottom: 1px solid var(--rule); padding: .22rem .35rem; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
th.wide { width: 18%; }
.up { color: var(--good); font-weight: 600; }
.down { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
.tag { display: inline-block; border: 1px solid var(--rule); border-radius: 3px; padding: 0 .3rem; font-size: 8pt; }
figure { margin: .4rem 0 .8rem; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: var(--muted); }
.unit { break-inside: auto; }
.grid > figure { display: inline-block; vertical-align: top; width: 49%; margin-right: 0; }
h4 { font-size: 9.5pt; margin: .8rem 0 .2rem; break-after: avoid; }
tr.divider td { font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--ink); padding-top: .5rem; }
.evidence { font-size: 7.5pt; color: var(--muted); word-break: break-word; }
.method { font-size: 7.5pt; color: var(--muted); margin: .15rem 0; }
table.flags td { font-size: 8pt; overflow-wrap: break-word; hyphens: auto; }
table.flags td:first-child { hyphens: manual; }
/* fixed layout for the long tables: the widths are set here, not measured from every cell (much faster PDF) */
table.unit-table, table.flags { table-layout: fixed; }
table.unit-table th:nth-child(1) { width: 25%; } table.unit-table th:nth-child(2) { width: 9%; }
table.unit-table th:nth-child(3) { width: 15%; } table.unit-table th:nth-child(4) { width: 9%; }
table.unit-table th:nth-child(5) { width: 21%; } table.unit-table th:nth-child(6) { width: 9%; }
table.unit-table th:nth-child(7) { width: 12%; }
table.unit-table td { padding-top: .15rem; padding-bottom: .15rem; }
table.flags.tested th:nth-child(1) { width: 16%; } table.flags.tested th:nth-child(2) { width: 14%; }
table.flags.tested th:nth-child(3), table.flags.tested th:nth-child(4) { width: 7%; }
table.flags.facts th:nth-child(1) { width: 18%; } table.flags.facts th:nth-child(3) { width: 24%; }
.unit h3 { border-top: 1px solid var(--rule); padding-top: .4rem; }
section.front { margin-bottom: 1rem; }
section.front h2 { border: none; font-size: 12pt; margin: .8rem 0 .3rem; }
.figures { display: flex; flex-wrap: wrap; gap: .5rem; margin: .4rem 0 .6rem; }
.figure { flex: 1 1 8rem; border: 1px solid var(--rule); border-left: 4px solid var(--accent); padding: .35rem .5rem;
  break-inside: avoid; }
.figure .value { font-size: 16pt; font-weight: 700; color: var(--accent); line-height: 1.15; }
.figure .label { font-size: 8.5pt; font-weight: 600; }
.figure .parts { font-size: 7.5pt; color: var(--muted); }
.figure .period { font-size: 8pt; font-weight: 400; color: var(--muted); }
@media print { body { max-width: none; padding: 0; } a { color: inherit; } }
"""


def render_document(title: str, sections: Sequence[Section], subtitle: str = "", front: str = "") -> str:
    """A complete HTML page in the current language (`<html lang>`, words, page numbers): cover heading,
    `front` matter (trusted HTML, escaped by its author), table of contents, then each section on its own
    page in print."""
    now = datetime.now(UTC)
    made = _("Made by Baliza on %(day)s at %(time)s UTC.", day=day(now), time=now.strftime("%H:%M"))
    page_of = _('"Page " counter(page) " of " counter(pages)')
    stylesheet = STYLESHEET.replace("PAGE_OF_PAGES", page_of if page_of.count('"') == 4 else
                                    '"Page " counter(page) " of " counter(pages)')
    anchors = [section.anchor or f"section-{number}" for number, section in enumerate(sections, start=1)]
    toc = "".join(
        f'<li><a href="#{html.escape(anchor)}">{html.escape(section.title)}</a></li>'
        for anchor, section in zip(anchors, sections, strict=True)
    )
    body = "".join(
        f'<section class="part" id="{html.escape(anchor)}">'
        f"<h2>{html.escape(section.title)}</h2>{section.html}</section>"
        for anchor, section in zip(anchors, sections, strict=True)
    )
    subtitle_html = f"<p>{html.escape(subtitle)}</p>" if subtitle else ""
    return (
        f'<!DOCTYPE html><html lang="{current()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{stylesheet}</style></head><body>"
        f'<header class="cover"><h1>{html.escape(title)}</h1>{subtitle_html}'
        f"<p>{html.escape(made)}</p></header>{front}"
        f'<nav class="toc"><h2>{html.escape(_("Contents"))}</h2><ol>{toc}</ol></nav>{body}</body></html>'
    )
