"""Quantities as vendors write them: the hand-checked sample, and the forms the issue names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from baliza.markets.lexicon import DATA
from baliza.markets.quantities import extract_quantities


def _agrees(row: pd.Series, quantity: float, unit: object, grams: float) -> bool:
    same_grams = (np.isnan(row.grams) and np.isnan(grams)) or np.isclose(grams, row.grams, rtol=0.01)
    return unit == row.unit and bool(np.isclose(quantity, row.quantity, rtol=0.01)) and bool(same_grams)


def test_the_hand_checked_sample_is_read_right_nine_times_in_ten() -> None:
    sample = pd.read_csv(DATA / "quantity_sample.csv")
    assert len(sample) >= 60
    read = extract_quantities(sample.title.tolist())
    right = [_agrees(row, read.quantity[i], read.unit[i], read.grams[i]) for i, row in sample.iterrows()]
    assert np.mean(right) >= 0.9


@pytest.mark.parametrize(("title", "quantity", "unit", "grams", "doses"), [
    ("3.5G", 3.5, "g", 3.5, None), ("1 oz", 1, "oz", 28.35, None), ("10 x 250ug", 10, "doses", None, 10),
    ("100 pills", 100, "doses", None, 100), ("1/8", 0.125, "oz", 3.54, None), ("QP", 0.25, "lb", 113.4, None),
    ("kilo", 1, "kg", 1000, None), ("Cocaína 3,5g", 3.5, "g", 3.5, None),
])
def test_the_forms_the_issue_names(title: str, quantity: float, unit: str, grams: float | None,
                                   doses: float | None) -> None:
    read = extract_quantities([title])
    assert read.unit[0] == unit and read.quantity[0] == pytest.approx(quantity, rel=0.01)
    assert (np.isnan(read.grams[0]) if grams is None else read.grams[0] == pytest.approx(grams, rel=0.01))
    assert (np.isnan(read.doses[0]) if doses is None else read.doses[0] == doses)


def test_a_strength_before_a_count_is_a_pack_of_doses_not_a_mass() -> None:
    read = extract_quantities(["Tramadol 100mg x30", "LSD blotters 250ug x10", "Fenta 10mg", None, "no amount"])
    assert list(read.unit[:3]) == ["doses", "doses", "mg"]
    assert read.dose_mg[0] == 100 and read.dose_mg[1] == pytest.approx(0.25)
    assert read.grams[2] == pytest.approx(0.01)
    assert read.unit[3] is None and read.unit[4] is None and np.isnan(read.quantity[4])
