"""PDF from the same HTML as the web report (WeasyPrint), so that both say exactly the same."""

from __future__ import annotations


def html_to_pdf(document: str) -> bytes:
    """Render a self-contained HTML document to PDF bytes; nothing is fetched from the network."""
    from weasyprint import HTML

    return HTML(string=document, base_url=None, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"the report must be self-contained; it tried to fetch {url}")
