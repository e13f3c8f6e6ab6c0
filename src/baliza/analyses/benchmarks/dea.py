"""Data envelopment analysis, input-oriented, solved as linear programs with HiGHS.

For unit o, CCR (constant returns to scale) finds the smallest theta such that a non-negative combination of all
units uses at most theta times o's inputs and produces at least o's outputs:

    min theta  s.t.  sum_j lambda_j x_ij <= theta x_io,  sum_j lambda_j y_rj >= y_ro,  lambda >= 0.

BCC (variable returns to scale) adds sum_j lambda_j = 1. A score of 1 is on the frontier; 0.7 means the same
outputs could have come from 70% of the inputs. Inputs: staff, training hours, inspections; outputs: seizures and
seizures that became cases.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from baliza.analyses.ksi.capacity import staff_numbers
from baliza.analyses.ksi.seizures import seizure_facts
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity, period_of
from baliza.warehouse.protocol import Warehouse

INPUTS = ("staff", "training_hours", "inspections")
OUTPUTS = ("seizures", "seizures_with_case")


class ReturnsToScale(StrEnum):
    CONSTANT = "constant"  # CCR
    VARIABLE = "variable"  # BCC


def dea_scores(
    inputs: np.ndarray, outputs: np.ndarray, returns: ReturnsToScale = ReturnsToScale.CONSTANT
) -> np.ndarray:
    """Input-oriented efficiency of every unit (rows) given inputs (units x m) and outputs (units x s)."""
    x = np.asarray(inputs, dtype=float)
    y = np.asarray(outputs, dtype=float)
    units = x.shape[0]
    scores = np.empty(units)
    cost = np.zeros(units + 1)
    cost[0] = 1.0
    variable = returns is ReturnsToScale.VARIABLE
    a_eq = np.concatenate([[0.0], np.ones(units)])[None, :] if variable else None  # sum lambda = 1 (BCC)
    b_eq = [1.0] if variable else None
    for o in range(units):
        input_rows = np.hstack([-x[o][:, None], x.T])  # sum lambda x - theta x_o <= 0
        output_rows = np.hstack([np.zeros((y.shape[1], 1)), -y.T])  # -sum lambda y <= -y_o
        result = linprog(
            cost,
            A_ub=np.vstack([input_rows, output_rows]),
            b_ub=np.concatenate([np.zeros(x.shape[1]), -y[o]]),
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=[(0, None)] * (units + 1),
            method="highs",
        )
        if result.status != 0:
            raise RuntimeError(f"DEA linear program for unit {o} did not solve: {result.message}")
        scores[o] = result.x[0]
    return scores


def efficiency_inputs(warehouse: Warehouse, period: str, granularity: Granularity) -> pd.DataFrame:
    """Per unit that inspected in `period`: its inputs and outputs; units without a staff figure are left out."""
    inspections = warehouse.table("inspections")
    inspections = inspections.filter(period_of(inspections.inspected_at, granularity) == period)
    inspected = inspections.group_by("unit_id").aggregate(inspections=inspections.count()).to_pandas()
    facts = seizure_facts(warehouse)
    facts = facts.filter(period_of(facts.seized_at, granularity) == period)
    seized = facts.group_by("unit_id").aggregate(seizures=facts.count(), seizures_with_case=facts.with_case.sum())
    trainings = warehouse.table("trainings")
    in_period = period_of(trainings.starts_on, granularity) == period
    trainings = trainings.filter(in_period & (trainings.kind == "training"))
    trained = trainings.group_by("unit_id").aggregate(training_hours=trainings.hours.fill_null(0.0).sum())
    staff = staff_numbers(warehouse).select("unit_id", "staff").to_pandas()
    frame = (
        inspected.merge(seized.to_pandas(), on="unit_id", how="left")
        .merge(trained.to_pandas(), on="unit_id", how="left")
        .merge(staff, on="unit_id", how="left")
    )
    frame = frame.fillna({"seizures": 0, "seizures_with_case": 0, "training_hours": 0.0})
    frame = frame[frame["staff"].notna() & (frame["staff"] > 0)]
    return frame[["unit_id", *INPUTS, *OUTPUTS]].sort_values("unit_id").reset_index(drop=True)


def unit_efficiency(warehouse: Warehouse, period: str, granularity: Granularity = Granularity.YEAR) -> list[Indicator]:
    """`dea_ccr` and `dea_bcc` per inspecting unit in `period` (value in 0..1, numerator = value, denominator 1)."""
    frame = efficiency_inputs(warehouse, period, granularity)
    if len(frame) < 2:
        return []
    x = frame[list(INPUTS)].to_numpy(float)
    y = frame[list(OUTPUTS)].to_numpy(float)
    out: list[Indicator] = []
    for name, returns in (("dea_ccr", ReturnsToScale.CONSTANT), ("dea_bcc", ReturnsToScale.VARIABLE)):
        for unit, score in zip(frame["unit_id"], dea_scores(x, y, returns), strict=True):
            note = f"input-oriented {returns.value} returns; inputs {', '.join(INPUTS)}; outputs {', '.join(OUTPUTS)}"
            out.append(Indicator("units", str(unit), name, period, float(score), float(score), 1.0, note=note))
    return out
