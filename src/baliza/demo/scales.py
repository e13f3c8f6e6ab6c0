"""How big a synthetic country is at each scale."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    seizures: int
    """Seizures over the five years; the rest of the chain grows with them (about 38 chain rows a seizure)."""
    offices_per_region: dict[str, int]
    prosecutors_per_office: int
    judges_per_region: int
    corrupt_prosecutors: int
    corrupt_judges: int
    low_conversion_units: int
    organizations: int
    crypto_transactions: int
    online_listings: int
    farmers: int
    treatment_episodes: int
    chunk_seizures: int = 20_000


SCALES: dict[str, Scale] = {
    "small": Scale("small", 1_500, {"LIMA": 2, "NORTE": 1, "SUR": 1, "ORIENTE": 1}, 6, 4, 3, 1, 1,
                   300, 600, 600, 400, 500),
    "medium": Scale("medium", 29_000, {"LIMA": 6, "NORTE": 3, "SUR": 3, "ORIENTE": 2}, 12, 12, 6, 2, 1,
                    3_000, 20_000, 8_000, 4_000, 8_000),
    "large": Scale("large", 290_000, {"LIMA": 30, "NORTE": 15, "SUR": 15, "ORIENTE": 10}, 15, 60, 20, 4, 2,
                   20_000, 100_000, 40_000, 20_000, 50_000),
}


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}: choose one of {', '.join(SCALES)}") from None
