"""Risk targeting for port control units and airport task forces (issue 13; docs/targeting.md).

Learn from past inspections which consignments carry drugs, score new ones and queue the day's
inspections with their reasons. The pieces, in the order data flows through them:

- `declarations`, `sources`, `inputs`: declarations in one shape, from an export through the mapping that
  loads it (`baliza/mappings/*.yaml`, its `targeting:` section) or from the warehouse; outcomes entered on
  the targeting page.
- `features` (Ibis expressions, time-aware), `rules` (profiles as YAML), `matrix`: what the model reads.
- `model` (LightGBM), `baseline` (plain gradient boosting), `metrics`, `evaluation`: learning and judging.
- `queue` (exploration, reasons), `explain`, `drift`, `today`: the day's work at an entry point.
- `simulation`: traffickers who shift routes, with and without exploration.
"""
