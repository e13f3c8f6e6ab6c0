"""Rule 7: sentences far from the norm for the offence and quantity, per judge.

The norm is a least-squares model of log(1 + sentence months) on offence, substance group, quantity band
and whether the conviction came by plea (the plea discount is estimated and shown). It is fitted on cells
of identical characteristics per judge (counts, sums and sums of squares: weighted least squares of the cell
means, statsmodels WLS), so it costs the same for a thousand or a million sentences. A judge's mean residual
is tested against zero with a between-judge random-effects term (DerSimonian-Laird over the other judges
where judges are few, `baliza.stats.funnel.unit_tau2`), two-sided.
"""

from __future__ import annotations

import warnings
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from baliza.analyses.definitions import CONVICTIONS
from baliza.analyses.integrity.common import EVIDENCE_CAP, RuleResult, UnitTest, sure_words
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, fitted, labels, named, share, signed
from baliza.i18n import N_
from baliza.stats.casemix import pool_rare_levels
from baliza.stats.funnel import unit_tau2
from baliza.warehouse.protocol import Warehouse

RULE = "sentencing_outlier"
COVARIATES = ("offence", "substance_group", "quantity_band", "plea")


def sentencing_outliers(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    rule = settings.rule(RULE)
    sentences = _sentences(warehouse)
    mix = facts.select("case_id", "offence", "substance_group", "quantity_band")
    d = sentences.join(mix, "case_id").select(sentences, mix.offence, mix.substance_group, mix.quantity_band)
    d = d.mutate(plea=ibis.ifelse(d.outcome == "plea_convicted", "plea", "trial"),
                 log_months=(d.sentence_months + 1).ln())
    cells = d.group_by(["judge_id", *COVARIATES]).aggregate(
        trials=d.count(), total=d.log_months.sum(), total_sq=(d.log_months * d.log_months).sum()).to_pandas()
    if cells.empty or cells["judge_id"].nunique() < 3:
        return RuleResult([], [])
    data = pool_rare_levels(cells, COVARIATES)
    design = pd.get_dummies(data[list(COVARIATES)], drop_first=True, dtype=float)
    design.insert(0, "const", 1.0)
    n = data["trials"].to_numpy(float)
    mean = data["total"].to_numpy(float) / n
    with warnings.catch_warnings():  # cells that pin a level exactly make the design rank-deficient: pinv copes
        warnings.simplefilter("ignore")
        fit = sm.WLS(mean, design.to_numpy(), weights=n).fit(method="pinv")
    beta = np.asarray(fit.params)
    fitted = np.asarray(fit.fittedvalues)
    within = float((data["total_sq"] - data["total"] ** 2 / n).sum())
    between = float((n * (mean - fitted) ** 2).sum())
    dof = max(n.sum() - design.shape[1], 1.0)
    sigma2 = (within + between) / dof
    plea_coef = dict(zip(design.columns, beta, strict=True)).get("plea_trial")
    plea_discount = None if plea_coef is None else float(1 - np.exp(-plea_coef))
    data = data.assign(residual_sum=n * (mean - fitted))
    judges = data.groupby("judge_id", as_index=False).agg(n=("trials", "sum"), residual_sum=("residual_sum", "sum"))
    judges["gap"] = judges["residual_sum"] / judges["n"]
    v = sigma2 / judges["n"].to_numpy(float)
    gaps = judges["gap"].to_numpy(float)
    # leave-one-out: a judge's own deviation must not widen the band they are measured against
    tau2s, tau2_method = unit_tau2(gaps, v, target=0.0)
    tau2 = float(np.median(tau2s))
    judges["z"] = judges["gap"] / np.sqrt(v + tau2s)
    judges["p"] = 2 * stats.norm.sf(np.abs(judges["z"]))
    tested = judges[judges["n"] >= rule["min_sentences"]]
    tests = [_judge_test(warehouse, row, (tau2, tau2_method), sigma2, plea_discount, rule)
             for row in tested.itertuples(index=False)]
    return RuleResult(tests, [])


def _sentences(warehouse: Warehouse) -> ir.Table:
    """Convictions with a sentence (in months, not negative) and a judge."""
    d = warehouse.table("dispositions")
    return d.filter(d.outcome.isin(CONVICTIONS) & d.sentence_months.notnull() & (d.sentence_months >= 0)
                    & d.judge_id.notnull())


def _judge_test(warehouse: Warehouse, row: Any, between: tuple[float, str], sigma2: float,
                plea_discount: float | None, rule: RuleSettings) -> UnitTest:
    tau2, tau2_method = between
    judge, gap, n = str(row.judge_id), float(row.gap), int(row.n)
    material = abs(gap) >= float(np.log(rule["min_factor"]))
    subject = Reference("staff", judge)
    factor = float(np.exp(gap))

    def make(q: float) -> Finding:
        d = warehouse.table("dispositions")
        mine = d.filter((d.judge_id == judge) & d.sentence_months.notnull() & d.outcome.isin(CONVICTIONS))
        months = mine.sentence_months.asc() if gap < 0 else mine.sentence_months.desc()
        listed = mine.order_by([months, mine.case_id, mine.person_id]).select("case_id", "person_id")
        rows = [(r["case_id"], r["person_id"]) for r in listed.to_pyarrow().to_pylist()]
        values = {"judge": named("staff", judge), "n": n, "factor": decimal(factor, 2)}
        said = [Message(N_("Judge %(judge)s: %(n)s sentences are on average %(factor)s times the norm for the same "
                           "offence, substance, quantity and plea (lighter)."), values) if gap < 0 else
                Message(N_("Judge %(judge)s: %(n)s sentences are on average %(factor)s times the norm for the same "
                           "offence, substance, quantity and plea (heavier)."), values)]
        if plea_discount is not None:
            said.append(Message(N_("Pleas earn a %(discount)s discount across all judges."),
                                {"discount": share(plea_discount)}))
        method = (
            Message(N_("Least squares of log(1 + sentence months) on %(covariates)s over all judges' convictions "
                       "(residual sd %(sd)s); the judge's mean residual %(gap)s tested against 0 with between-judge "
                       "variance (%(estimator)s; median tau² %(tau2)s), two-sided z = %(z)s."),
                    {"covariates": labels(COVARIATES), "sd": decimal(float(np.sqrt(sigma2)), 2),
                     "gap": signed(gap, 2), "estimator": fitted(tau2_method), "tau2": decimal(tau2, 4),
                     "z": decimal(float(row.z), 2)}),
            *rule.criteria(),
        )
        evidence = tuple(Reference("dispositions", f"{c}|{p}") for c, p in rows[:EVIDENCE_CAP])
        return Finding(RULE, subject, round(factor, 3), "", evidence, "", q,
                       details={"sentences": n, "ratio_to_norm": round(factor, 3), "z": round(float(row.z), 2),
                                "plea_discount": plea_discount, "evidence_count": len(rows)},
                       messages=(*said, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE, subject, float(row.p), material, make, rule.fdr)
