"""The findings queue keeps the analysis's order (tested flags first), undecided findings on top."""

from baliza.web.services import review_order


def test_undecided_first_and_tested_flags_before_facts_of_larger_score() -> None:
    rows = [
        {"rule": "outcome_outlier", "q_value": 0.001, "score": 3.1, "decision": None},
        {"rule": "quantity_shrinkage", "q_value": 0.02, "score": 2.0, "decision": {"status": "confirmed"}},
        {"rule": "statute_barred", "q_value": None, "score": 1255.0, "decision": None},
    ]
    ordered = review_order(rows)
    assert [r["rule"] for r in ordered] == ["outcome_outlier", "statute_barred", "quantity_shrinkage"]
