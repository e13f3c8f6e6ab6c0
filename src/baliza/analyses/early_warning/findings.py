"""Early-warning findings: first detections and surges, each with the seizures it rests on."""

from __future__ import annotations

import pandas as pd

from baliza.analyses.early_warning.detections import first_detections
from baliza.analyses.early_warning.series import Tables, seizure_months
from baliza.analyses.early_warning.surges import find_surges
from baliza.analyses.integrity.common import EVIDENCE_CAP
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import day, decimal
from baliza.i18n import N_, N_plural

RULE_FIRST = "first_detection"
RULE_SURGE = "seizure_surge"


def early_warning_findings(tables: Tables, fdr_level: float = 0.01) -> list[Finding]:
    out: list[Finding] = []
    for row in first_detections(tables).itertuples(index=False):
        evidence = tuple(Reference("seizures", str(s)) for s in (row.evidence or [])[:EVIDENCE_CAP])
        out.append(Finding(
            RULE_FIRST, Reference("seizures", str(row.evidence[0])), float(row.seizures), "", evidence, "",
            period=str(row.first_seized_at)[:7],
            details={"substance": row.substance, "substance_group": row.substance_group,
                     "first_seized_at": str(row.first_seized_at), "seizures": int(row.seizures)},
            messages=(Message.counted(N_plural(
                "%(substance)s was seized for the first time in the data on %(day)s (%(num)s seizure since).",
                "%(substance)s was seized for the first time in the data on %(day)s (%(num)s seizures since)."),
                {"substance": str(row.substance), "day": day(row.first_seized_at), "num": int(row.seizures)}),),
            method_messages=(Message(N_("The first seizure of a substance (as written, case-insensitive) after the "
                                        "first 12 months of data; earlier first seizures are the substances already "
                                        "present.")),)))
    surges = find_surges(tables, fdr_level=fdr_level)
    if surges:
        months = seizure_months(tables).select("seizure_id", "substance", "month").to_pandas()
        months["month"] = pd.to_datetime(months["month"]).dt.to_period("M").astype(str)
    for surge in surges:
        chosen = months[(months["substance"] == surge.substance) & (months["month"] >= surge.first_month)
                        & (months["month"] <= surge.last_month)]
        ids = sorted(chosen["seizure_id"].astype(str))
        out.append(Finding(
            RULE_SURGE, Reference("seizures", ids[0]) if ids else Reference("seizures", ""),
            round(surge.observed / max(surge.expected, 1e-9), 2), "",
            tuple(Reference("seizures", s) for s in ids[:EVIDENCE_CAP]), "",
            q_value=surge.q_value, period=surge.first_month, details=surge.to_dict(),
            messages=(Message(N_("%(substance)s: %(observed)s seizures from %(first)s to %(last)s, where about "
                                 "%(expected)s would be usual for those months in earlier years."),
                              {"substance": str(surge.substance), "observed": int(surge.observed),
                               "first": str(surge.first_month), "last": str(surge.last_month),
                               "expected": decimal(float(surge.expected), 1)}),),
            method_messages=(Message(N_("Each month against the same months (and neighbours) of up to three earlier "
                                        "years, negative binomial upper tail, Benjamini-Hochberg across every "
                                        "substance and month tested, q <= %(level)s, at least 5 seizures and twice "
                                        "the expected count."), {"level": float(fdr_level)}),)))
    return out
