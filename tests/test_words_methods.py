"""Analyses computed once are worded per reader (issue 11): a providers' comparison computed while a Spanish
reader's request runs (the web keeps it for every reader) stores its method in English and as a message, and
each reader reads the method in their own language."""

from __future__ import annotations

import numpy as np
import pandas as pd

from baliza.analyses.programmes.compare import DEFAULT, compare_rates
from baliza.analyses.programmes.providers import ProviderComparison, provider_findings
from baliza.i18n import language
from baliza.i18n.findings import method, text


def _cells() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    cells = pd.DataFrame({"provider": rng.choice([f"TX-{i}" for i in range(6)], 600),
                          "sex": rng.choice(["female", "male"], 600), "trials": 5})
    cells["events"] = rng.integers(0, 6, 600)
    cells.loc[cells["provider"] == "TX-0", "events"] = 5  # one provider far above the others
    return cells


def test_the_method_is_stored_in_english_whoever_computed_it() -> None:
    with language("es"):  # the first reader of the day is Spanish
        measure = compare_rates(_cells(), "provider", ["sex"], "completion")
    assert measure.method.startswith("Observed against expected completion per unit"), measure.method
    assert measure.method_message is not None
    with language("es"):
        assert text(measure.method_message).startswith("Valor observado frente al esperado")
    with language("pt"):
        assert not text(measure.method_message).startswith(("Valor observado frente", "Observed against"))


def test_a_providers_finding_carries_the_method_as_a_message() -> None:
    with language("es"):
        measure = compare_rates(_cells(), "provider", ["sex"], "completion")
    found = provider_findings(ProviderComparison({"completion": measure}, DEFAULT), {"TX-0": "Centro Norte"})
    assert found, [u.outside for u in measure.units]
    with language("en"):
        assert method(found[0]).startswith("Observed against expected completion")
    with language("es"):
        assert method(found[0]).startswith("Valor observado")
