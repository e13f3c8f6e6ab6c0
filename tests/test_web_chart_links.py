"""Charts click through to the rows they summarise (issue 11): a point of a unit's indicator opens that unit's
seizure chains of the period in the chain explorer; a prosecutor's point in the funnel plot opens that
prosecutor's outcome flags in the findings queue; aggregate readers get no links (they may not read the rows)."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
from starlette.datastructures import QueryParams

from baliza.web import svg
from baliza.web.findings_queue import QueueQuery, matching
from baliza.web.indicator_view import IndicatorQuery, rows_of, view
from baliza.web.justice import flags_of


def _rows() -> list[dict]:
    return [{"subject_table": "units", "subject_id": "U1", "indicator": "seizures", "period": p, "value": 4.0,
             "numerator": 4.0, "denominator": 1.0, "note": ""} for p in ("2025-Q1", "2025-Q2")]


def test_each_point_of_an_indicator_links_to_the_units_seizures_of_its_period() -> None:
    query = IndicatorQuery.parse(QueryParams("unit=U1&indicator=seizures"))
    drawn = view(_rows(), query, {"U1": "Port unit"}, None, linked=True)["panels"][0]["svg"]
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)"><circle', drawn)]
    assert links == ["/chain?unit=U1&date_from=2025-01-01&date_to=2025-03-31",
                     "/chain?unit=U1&date_from=2025-04-01&date_to=2025-06-30"]
    assert rows_of("U1", "2025-02") == "/chain?unit=U1&date_from=2025-02-01&date_to=2025-02-28"
    unlinked = view(_rows(), query, {"U1": "Port unit"}, None)["panels"][0]["svg"]
    assert "<a " not in unlinked


def test_a_named_funnel_point_links_to_that_prosecutors_flags_and_the_queue_keeps_only_them() -> None:
    frame = pd.DataFrame([{"unit": "ST-1", "cases": 40, "expected": 6.0, "ratio": 1.1, "low95": 0.3,
                           "high95": 1.9, "low998": 0.1, "high998": 2.5}])
    drawn = svg.funnel_plot({"dismissed": frame}, str, link=flags_of)
    assert '<a href="/findings?rule=outcome_outlier&amp;who=ST-1"><circle' in drawn
    assert "<a " not in svg.funnel_plot({"dismissed": frame.assign(unit="")}, str, link=flags_of)

    def finding(rule: str, who: str) -> dict:
        return {"rule": rule, "subject": {"table": "staff", "id": who}, "office_id": "Q1", "unit_id": None,
                "status": "undecided", "q_value": 0.01, "score": 2.0}

    rows = [finding("outcome_outlier", "ST-1"), finding("outcome_outlier", "ST-2"),
            finding("sentencing_outlier", "ST-1")]
    query = QueueQuery.parse(dict(QueryParams(flags_of("ST-1").split("?", 1)[1])))
    kept = matching(rows, query)
    assert [(f["rule"], f["subject"]["id"]) for f in kept] == [("outcome_outlier", "ST-1")]
    assert "who=ST-1" in query.link(page=2)  # the next page keeps the filter
