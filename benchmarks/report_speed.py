"""Benchmark: how long the country report takes, stage by stage (wall and CPU seconds), in HTML and PDF.

    PYTHONPATH=src python -m baliza generate --out /tmp/rep/country --seed 3
    PYTHONPATH=src python -m baliza load /tmp/rep/country --db /tmp/rep/w.duckdb
    PYTHONPATH=src python benchmarks/report_speed.py /tmp/rep/w.duckdb [--pdf] [--period year|quarter]

CPU seconds are printed beside wall seconds because the machine may be shared: wall time then measures the
neighbours as much as the report.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(name: str, step: Callable[[], Any], totals: list[tuple[float, float]]) -> Any:
    wall, cpu = time.perf_counter(), _cpu()
    result = step()
    totals.append((time.perf_counter() - wall, _cpu() - cpu))
    print(f"{name:<22} wall {totals[-1][0]:6.2f} s   cpu {totals[-1][1]:6.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--pdf", action="store_true", help="also render the PDF")
    parser.add_argument("--period", default="year", choices=["year", "quarter"])
    args = parser.parse_args()
    totals: list[tuple[float, float]] = []
    modules = _timed("imports", lambda: __import__("baliza.report.country", fromlist=["country_figures"]), totals)
    from baliza.analyses.periods import Granularity
    from baliza.warehouse import open_warehouse

    granularity = Granularity(args.period)
    with open_warehouse(args.db, read_only=True) as wh:
        coverage = _timed("coverage", lambda: modules.data_coverage(wh), totals)
        growth = _timed("unit KSIs and growth", lambda: modules.growth_report(wh, granularity=granularity), totals)
        justice = _timed("justice analyses", lambda: modules.justice_figures(wh, granularity), totals)
        views = _timed("entry points", lambda: modules.entry_point_views(wh), totals)
    figures = modules.CountryFigures(coverage, growth, justice, views)
    document = _timed("HTML (with charts)", lambda: modules.country_document(figures), totals)
    out = Path(tempfile.mkdtemp(prefix="baliza-report-"))
    (out / "country.html").write_text(document, encoding="utf-8")
    wall, cpu = sum(t[0] for t in totals), sum(t[1] for t in totals)
    print(f"{'HTML report total':<22} wall {wall:6.2f} s   cpu {cpu:6.2f} s   ({len(document) / 1e3:,.0f} kB, "
          f"{document.count('<svg')} charts, {len(growth.units)} units)")
    if args.pdf:
        from baliza.report.pdf import html_to_pdf

        pdf = _timed("PDF from the HTML", lambda: html_to_pdf(document), totals)
        (out / "country.pdf").write_bytes(pdf)
        wall, cpu = sum(t[0] for t in totals), sum(t[1] for t in totals)
        print(f"{'PDF report total':<22} wall {wall:6.2f} s   cpu {cpu:6.2f} s   ({len(pdf) / 1e3:,.0f} kB)")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
