"""Benchmarks between units: peer groups, percentile ranks with intervals, and data envelopment analysis."""

from baliza.analyses.benchmarks.dea import ReturnsToScale, dea_scores, unit_efficiency
from baliza.analyses.benchmarks.peers import peer_groups
from baliza.analyses.benchmarks.ranks import peer_percentiles

__all__ = ["ReturnsToScale", "dea_scores", "peer_groups", "peer_percentiles", "unit_efficiency"]
