"""A synthetic country in the contract format, with planted anomalies and its ground truth kept apart.

    from baliza.demo import generate_country
    summary = generate_country(Path("country"), seed=1, scale="small")   # or `baliza generate --out country`
    summary.rows        # rows written per contract table (all 24 filled)
    summary.truth_path  # <parent>/country.truth.json, never inside the dataset folder

The country is Peru-like (real coordinates of its ports, airports, border crossings and the Lima postal hub;
invented volumes) over 2021-01-01 .. 2025-12-31, extracted at the period's end: cases still running then stay
open, and no event lies after 2026-11-29 (deadlines such as a limitation date may).

Modules, in the order the chain is built:
- `geography`, `institutions`, `scales`: entry points, agencies, units (CCP, AIRCOP, SEACOP, border, postal,
  investigation, prosecution offices, courts, programme offices, treatment providers) and staff.
- `anomalies`: who is corrupt (prosecutors, a judge, a low-conversion unit) and the honest outliers.
- `traffic` and `substances`: consignments, inspections with their selection, seizures by route.
- `justice`: arrests, defendants, cases and their assignment; `court`: charges, events, dispositions;
  `money`: assets.
- `crypto`, `online`, `programmes`: crypto activity and the laundering path, online listings and the vendor
  alias, operations, trainings, farmers' enrolments and treatment episodes.
- `writer` (contract CSV format), `truth` (the ground truth), `country` (puts it all together in chunks).

Scales: `small` (~65k rows, under two seconds), `medium` (~1.1M seizure-chain rows), `large` (~10M
seizure-chain rows, about a minute and a half and under 1 GB of memory on two cores).
"""

from baliza.demo.country import GenerationSummary, generate_country

__all__ = ["GenerationSummary", "generate_country"]
