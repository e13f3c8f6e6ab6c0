"""Red flags: each rule fires on its planted signal, nothing fires on clean worlds, honest outliers stay clean."""

from pathlib import Path

import pytest

from baliza.analyses.integrity import red_flags
from baliza.analyses.model import Finding
from baliza.warehouse import open_warehouse
from justice_world import Truth, build_world

PERSONAL = ("Test Person", "+1-555-")


def _world(tmp_path: Path, seed: int, corruption: bool) -> tuple[list[Finding], Truth]:
    wh = open_warehouse(tmp_path / f"w{seed}{corruption}.duckdb")
    truth = build_world(wh, seed, corruption=corruption)
    findings = red_flags(wh)
    wh.close()
    return findings, truth


def _flagged(findings: list[Finding], rule: str | None = None) -> set[str]:
    return {f.subject.id for f in findings if f.q_value is not None and (rule is None or f.rule == rule)}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Finding], Truth]:
    return _world(tmp_path_factory.mktemp("planted"), 11, True)


@pytest.mark.parametrize(
    ("rule", "attribute"),
    [
        ("outcome_outlier", "corrupt_prosecutors"),
        ("quantity_shrinkage_concentration", "shrinking_prosecutors"),
        ("seizure_not_converted", "low_conversion_units"),
        ("sentencing_outlier", "corrupt_judges"),
        ("statute_barred_concentration", "limitation_prosecutors"),
        ("evidence_loss_concentration", "evidence_prosecutors"),
        ("reassigned_before_loss_concentration", "reassignment_prosecutors"),
    ],
)
def test_each_rule_finds_its_planted_signal(planted, rule: str, attribute: str) -> None:
    findings, truth = planted
    assert _flagged(findings, rule) == getattr(truth, attribute)


def test_steering_is_found_for_large_cases_and_linked_defendants(planted) -> None:
    findings, truth = planted
    assert _flagged(findings, "steered_large_cases") == {"P03"}
    assert _flagged(findings, "steered_linked_defendants") == {"P06"}
    assert truth.steered_prosecutors == {"P03", "P06"}


def test_honest_outliers_are_not_flagged(planted) -> None:
    findings, truth = planted
    assert not _flagged(findings) & truth.honest_outliers


def test_findings_carry_evidence_method_and_q(planted) -> None:
    findings, _ = planted
    for f in findings:
        assert f.summary and f.method and f.evidence
        if f.q_value is not None:
            assert 0 <= f.q_value <= 0.05 and "q =" in f.summary
            assert f.subject.table in ("staff", "units")
    outcome = next(f for f in findings if f.rule == "outcome_outlier")
    assert len(outcome.evidence) <= 25 and outcome.details["evidence_count"] >= len(outcome.evidence)
    assert all(e.table == "cases" for e in outcome.evidence)


def test_personal_data_never_appears_in_findings(planted) -> None:
    findings, _ = planted
    text = repr([f.to_dict() for f in findings])
    assert not any(p in text for p in PERSONAL)


def test_per_case_facts_are_reported(planted) -> None:
    findings, _ = planted
    rules = {f.rule for f in findings if f.q_value is None}
    assert {"quantity_shrinkage", "statute_barred", "evidence_lost_before_trial"} <= rules
    shrunk = next(f for f in findings if f.rule == "quantity_shrinkage")
    assert shrunk.subject.table == "cases" and {e.table for e in shrunk.evidence} == {"cases", "seizures"}


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_clean_worlds_flag_nobody(tmp_path: Path, seed: int) -> None:
    findings, _ = _world(tmp_path, seed, False)
    assert _flagged(findings) == set()


def test_reassignment_shortly_before_dismissal(tmp_path: Path) -> None:
    wh = open_warehouse(tmp_path / "r.duckdb")
    sql = wh.duckdb.execute
    sql("insert into cases (case_id, office_id, opened_at, origin) values ('C1','O1','2024-01-01','arrest'),"
        " ('C2','O1','2024-01-01','arrest')")
    sql("insert into case_parties (case_id, person_id, role) values ('C1','X1','defendant'), ('C2','X2','defendant')")
    sql("insert into case_events (event_id, case_id, \"at\", kind, staff_id) values"
        " ('E1','C1','2024-03-01','reassigned','P9'), ('E2','C2','2024-03-01','reassigned','P9')")
    sql("insert into dispositions (case_id, person_id, disposed_at, outcome) values"
        " ('C1','X1','2024-03-11','dismissed'), ('C2','X2','2024-09-01','dismissed')")
    findings = [f for f in red_flags(wh) if f.rule == "reassigned_before_loss"]
    assert [f.subject.id for f in findings] == ["C1"]
    assert "10 days before a defendant was dismissed" in findings[0].summary


def test_empty_warehouse_has_no_flags(tmp_path: Path) -> None:
    assert red_flags(open_warehouse(tmp_path / "e.duckdb")) == []


def test_a_judge_is_not_flagged_for_a_flagged_prosecutors_cases(tmp_path: Path) -> None:
    wh = open_warehouse(tmp_path / "j.duckdb")
    build_world(wh, 12, corruption=True)
    # every case of the corrupt prosecutor goes before judge J2: J2's dismissals rise, through no act of J2's
    p01 = "case_id in (select case_id from cases where lead_prosecutor_id = 'P01')"
    wh.duckdb.execute(f"update dispositions set judge_id = 'J2' where {p01}")
    wh.duckdb.execute(f"update dispositions set outcome = 'dismissed', sentence_months = null where {p01}"
                      " and hash(case_id) % 3 = 0")
    findings = red_flags(wh)
    outcome_flags = _flagged(findings, "outcome_outlier")
    assert "P01" in outcome_flags and "J2" not in outcome_flags
