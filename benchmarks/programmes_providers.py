"""Treatment providers with KNOWN effects: does the provider comparison find the outlying ones, and only them?

Its own simulator (not the demo's): providers of very different sizes (15 to 600 episodes) whose case mix
differs on purpose (some take mostly opiate users referred by courts with poor health at admission, which
lowers completion for reasons that are not the provider's), ordinary between-provider variation (a random
effect every provider has), and a few providers with a planted effect, half better and half worse, on
completion and on mental-health change. `baliza.analyses.programmes.compare_providers` then runs on the
episodes (through Ibis on DuckDB), and we count, over several seeds:

- recall: planted providers (with at least the minimum number of episodes) flagged in the planted direction;
- false flags: providers flagged that have no planted effect.

    python benchmarks/programmes_providers.py [--seeds 10] [--providers 40]
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from scipy.special import expit

from baliza.analyses.programmes import CompareSettings, compare_providers

SUBSTANCES = {"cocaine_type": 0.0, "cannabis_type": 0.4, "opiates": -0.9, "ats": -0.3, "sedatives": -0.2}
SETTINGS = {"outpatient": 0.0, "residential": 0.5, "detox": -0.4, "community": 0.1}
REFERRALS = {"self": 0.2, "family": 0.1, "health": 0.0, "court": -0.6, "police": -0.5}
COMPLETION_EFFECT = 1.0  # log-odds of the planted providers (+ or -)
MENTAL_EFFECT = 6.0  # points of mental-score change of the planted providers (+ or -)
ORDINARY_SD = 0.15  # log-odds spread every provider has (not an outlier)
ORDINARY_MENTAL_SD = 1.0


@dataclass(frozen=True)
class World:
    episodes: pd.DataFrame
    completion_truth: dict[str, int]  # provider -> +1, -1 (planted) or 0
    mental_truth: dict[str, int]
    hardness: dict[str, float]  # provider -> how hard its case mix is (0 easy, 1 hard)


def simulate(seed: int, providers: int = 40, planted: int = 6) -> World:
    """Episodes of `providers` providers, `planted` of them with a planted effect (half up, half down)."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in range(providers)]
    volume = np.clip(np.round(rng.lognormal(np.log(120), 0.9, providers)), 15, 600).astype(int)
    hard = rng.random(providers)  # how hard the provider's case mix is: 0 easy, 1 hard
    ordinary = rng.normal(0, ORDINARY_SD, providers)
    ordinary_mental = rng.normal(0, ORDINARY_MENTAL_SD, providers)
    planted_idx = rng.choice(np.flatnonzero(volume >= 40), size=min(planted, int((volume >= 40).sum())),
                             replace=False)
    sign = np.zeros(providers, int)
    sign[planted_idx] = np.where(np.arange(len(planted_idx)) % 2 == 0, -1, 1)
    mental_idx = rng.choice(np.flatnonzero(volume >= 40), size=len(planted_idx), replace=False)
    mental_sign = np.zeros(providers, int)
    mental_sign[mental_idx] = np.where(np.arange(len(mental_idx)) % 2 == 0, -1, 1)
    frames = []
    for i, pid in enumerate(ids):
        n = int(volume[i])
        h = hard[i]
        substance = rng.choice(list(SUBSTANCES), n,
                               p=_mix([0.45, 0.25, 0.05, 0.15, 0.10], [0.2, 0.05, 0.5, 0.15, 0.1], h))
        setting = rng.choice(list(SETTINGS), n, p=_mix([0.5, 0.2, 0.1, 0.2], [0.2, 0.3, 0.4, 0.1], h))
        referral = rng.choice(list(REFERRALS), n, p=_mix([0.35, 0.3, 0.25, 0.05, 0.05], [0.1, 0.1, 0.1, 0.5, 0.2], h))
        physical = np.clip(rng.normal(60 - 20 * h, 12, n), 0, 100)
        mental = np.clip(rng.normal(55 - 20 * h, 12, n), 0, 100)
        logit = (-0.1 + np.vectorize(SUBSTANCES.get)(substance) + np.vectorize(SETTINGS.get)(setting)
                 + np.vectorize(REFERRALS.get)(referral) + 0.03 * (physical - 50) + ordinary[i]
                 + COMPLETION_EFFECT * sign[i])
        completed = rng.random(n) < expit(logit)
        # the mental gain does not depend on completion, so a completion effect is not also a mental one
        gain = 8 - 0.1 * (mental - 45) + ordinary_mental[i] + MENTAL_EFFECT * mental_sign[i]
        frames.append(pd.DataFrame({
            "episode_id": [f"{pid}-{k}" for k in range(n)], "provider_id": pid,
            "admitted_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 600, n), "D"),
            "setting": setting, "primary_substance_group": substance, "referral": referral,
            "discharge_reason": np.where(completed, "completed", "left"),
            "physical_score_admission": physical.round(1), "mental_score_admission": mental.round(1),
            "physical_score_discharge": np.clip(physical + rng.normal(5, 8, n), 0, 100).round(1),
            "mental_score_discharge": np.clip(mental + gain + rng.normal(0, 9, n), 0, 100).round(1),
            "abstinent_at_discharge": completed & (rng.random(n) < 0.7),
        }))
    episodes = pd.concat(frames, ignore_index=True)
    episodes["discharged_at"] = episodes["admitted_at"] + pd.to_timedelta(rng.integers(7, 200, len(episodes)), "D")
    return World(episodes, dict(zip(ids, sign.tolist(), strict=True)),
                 dict(zip(ids, mental_sign.tolist(), strict=True)), dict(zip(ids, hard.tolist(), strict=True)))


def _mix(easy: list[float], hard: list[float], h: float) -> np.ndarray:
    p = (1 - h) * np.asarray(easy) + h * np.asarray(hard)
    return p / p.sum()


def score(world: World, settings: CompareSettings) -> dict[str, dict[str, int]]:
    """Planted providers found (right direction), planted tested, and false flags, per measure."""
    table = ibis.memtable(world.episodes)
    comparison = compare_providers(table, settings, measures=("completion", "mental_change"))
    out = {}
    for measure, truth in (("completion", world.completion_truth), ("mental_change", world.mental_truth)):
        units = comparison.measures[measure].units
        tested = [u for u in units if u.q is not None]
        planted = [u for u in tested if truth[u.unit_id] != 0]
        found = [u for u in planted if u.outside == ("above" if truth[u.unit_id] > 0 else "below")]
        false = [u for u in tested if u.outside and truth[u.unit_id] == 0]
        out[measure] = {"planted": len(planted), "found": len(found), "false_flags": len(false),
                        "tested": len(tested)}
    return out


def evaluate(seeds: range, providers: int = 40, settings: CompareSettings | None = None) -> dict[str, dict[str, float]]:
    """Recall and false flags summed over `seeds`."""
    settings = settings or CompareSettings()
    totals: dict[str, dict[str, float]] = {}
    for seed in seeds:
        for measure, counts in score(simulate(seed, providers), settings).items():
            total = totals.setdefault(measure, {"planted": 0, "found": 0, "false_flags": 0, "tested": 0,
                                                "worlds_with_false_flag": 0})
            for key, value in counts.items():
                total[key] += value
            total["worlds_with_false_flag"] += counts["false_flags"] > 0
    for total in totals.values():
        total["recall"] = total["found"] / total["planted"] if total["planted"] else float("nan")
        unplanted = total["tested"] - total["planted"]
        total["false_flag_rate"] = total["false_flags"] / unplanted if unplanted else float("nan")
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--providers", type=int, default=40)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; seeds: {args.seeds}; providers per world: {args.providers}")
    for measure, total in evaluate(range(args.seeds), args.providers).items():
        print(f"{measure}: recall {total['recall']:.2f} ({int(total['found'])}/{int(total['planted'])} planted), "
              f"false flags {int(total['false_flags'])} of {int(total['tested'] - total['planted'])} ordinary "
              f"providers ({total['false_flag_rate']:.3f}); worlds with a false flag: "
              f"{int(total['worlds_with_false_flag'])}/{args.seeds}")


if __name__ == "__main__":
    main()
