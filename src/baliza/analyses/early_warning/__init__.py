"""Synthetic drugs and NPS early warning (Global SMART): trends, first detections and significant rises.

`series` counts seizures per month by substance and place (country or entry point) as Ibis expressions;
`detections` finds the first seizure of a substance in the country or at an entry point after a burn-in;
`surges` tests each month's count against a seasonal baseline (the same months of earlier years, Farrington
style) with over-dispersion, and holds the whole run to a false discovery rate (Benjamini-Hochberg across
every series and month tested); `unodc` reads the World Drug Report seizure table as a real dataset.
"""

from baliza.analyses.early_warning.detections import first_detections
from baliza.analyses.early_warning.series import monthly_counts
from baliza.analyses.early_warning.surges import Surge, find_surges

__all__ = ["Surge", "find_surges", "first_detections", "monthly_counts"]
