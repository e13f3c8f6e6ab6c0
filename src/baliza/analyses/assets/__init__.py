"""Asset recovery (UNCAC chapter V, StAR): identified, frozen, confiscated, recovered, returned.

`pipeline` counts and values each stage per office, jurisdiction or kind and what is lost between stages;
`timing` how long each step takes (survival curves: assets still waiting count as waiting). The red flags
about assets (released after a conviction, freezes lifted just before a verdict, offices that confiscate far
less after convictions than their peers) are rules of `baliza.analyses.integrity` (`integrity/assets.py`),
so that they share the one false-discovery step with every other flag.
"""

from baliza.analyses.assets.pipeline import STAGES, asset_stages, attrition, foreign_assets, pipeline
from baliza.analyses.assets.timing import TRANSITIONS, stage_times

__all__ = ["STAGES", "TRANSITIONS", "asset_stages", "attrition", "foreign_assets", "pipeline", "stage_times"]
