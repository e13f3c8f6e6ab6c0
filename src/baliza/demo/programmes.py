"""Programmes around the chain: joint operations, training and mentoring of units, the farmers' exit
programme and treatment episodes (both with protected persons)."""

from __future__ import annotations

import numpy as np

from baliza.demo.draw import lognormal, pick
from baliza.demo.institutions import INTERDICTION_UNITS, PROGRAMME_OFFICES, TREATMENT_PROVIDERS
from baliza.demo.people import make_persons
from baliza.demo.timeline import EXTRACT_AT, PERIOD_END, PERIOD_START, after, day_weights, nat, sample_times

TOPICS = ("risk profiling", "passenger profiling", "container examination techniques", "precursor identification",
          "controlled deliveries", "secure information exchange", "financial investigation", "NPS identification",
          "maritime boarding", "gender and human rights in interdiction")
PROVIDERS = {"CCP": ("UNODC", "WCO"), "AIRCOP": ("UNODC", "INTERPOL"), "SEACOP": ("UNODC", "EU"),
             "none": ("national",)}


def plan_operations(rng: np.random.Generator, ids) -> dict:
    starts = np.array([f"{y}-{m:02d}-01" for y in range(2021, 2026) for m in (3, 6, 10)], dtype="datetime64[D]")
    starts = starts + rng.integers(0, 25, len(starts)).astype("timedelta64[D]")
    ends = starts + rng.integers(7, 21, len(starts)).astype("timedelta64[D]")
    ends = np.minimum(ends, PERIOD_END)
    programmed = [u for u in INTERDICTION_UNITS if u.programme != "none"]
    unit_lists, ep_lists, prog_lists = [], [], []
    for _ in starts:
        chosen = rng.choice(len(programmed), rng.integers(2, 6), replace=False)
        units = [programmed[i] for i in sorted(chosen)]
        unit_lists.append("|".join(u.unit_id for u in units))
        ep_lists.append("|".join(dict.fromkeys(u.entry_point_id for u in units)))
        prog_lists.append("|".join(sorted({u.programme for u in units})))
    names = [f"Operation {n}" for n in ("Cordillera", "Pacifico", "Amanecer", "Condor", "Nazca", "Vilcanota",
                                       "Huascaran", "Titicaca", "Mantaro", "Ucayali", "Maranon", "Colca",
                                       "Paracas", "Chavin", "Sipan")]
    return {"operation_id": ids.take("operations", len(starts)), "name": names[: len(starts)], "starts_on": starts,
            "ends_on": ends, "programmes": prog_lists, "unit_ids": unit_lists, "entry_point_ids": ep_lists}


def link_operations(rng: np.random.Generator, operations: dict, seizures: dict) -> np.ndarray:
    """The operation each seizure belongs to, when its unit took part and it fell within the dates."""
    result = np.full(len(seizures["seizure_id"]), None, dtype=object)
    day = seizures["seized_at"].astype("datetime64[D]")
    for op, start, end, units in zip(operations["operation_id"], operations["starts_on"], operations["ends_on"],
                                     operations["unit_ids"], strict=True):
        inside = (day >= start) & (day <= end) & np.isin(seizures["unit_id"], units.split("|"))
        result[inside & (rng.random(len(result)) < 0.8)] = op
    return result


def plan_trainings(rng: np.random.Generator, ids) -> dict:
    rows: dict[str, list] = {k: [] for k in ("unit_id", "kind", "topic", "starts_on", "ends_on", "participants",
                                             "hours", "provider", "programmes")}

    def add(unit, kind, topic, start, days, participants, hours, provider, programmes):
        for key, value in zip(rows, (unit.unit_id, kind, topic, start, start + np.timedelta64(days, "D"),
                                     participants, hours, provider, programmes), strict=True):
            rows[key].append(value)

    for unit in INTERDICTION_UNITS:
        since = np.datetime64(unit.operational_since or "2015-01-01", "D")
        for year in range(2021, 2026):
            for _ in range(rng.poisson(2.0 if unit.programme != "none" else 0.6)):
                start = np.datetime64(f"{year}-01-01") + np.timedelta64(int(rng.integers(0, 340)), "D")
                topic = TOPICS[rng.integers(len(TOPICS))]
                add(unit, "training", topic, start, int(rng.integers(2, 6)), int(min(unit.staff_count,
                    rng.integers(4, 20))), float(rng.choice([16, 24, 32, 40])),
                    pick(rng, PROVIDERS[unit.programme or "none"], 1)[0], unit.programme)
        if unit.programme != "none":
            # Mentoring continues after the unit becomes operational.
            for k in range(int(rng.integers(1, 4))):
                start = max(since, PERIOD_START) + np.timedelta64(int(60 + 120 * k + rng.integers(0, 60)), "D")
                if start <= PERIOD_END - np.timedelta64(10, "D"):
                    add(unit, "mentoring", "on-the-job mentoring", start, 5, int(min(unit.staff_count, 6)), 30.0,
                        "UNODC", unit.programme)
            if rng.random() < 0.4:
                start = np.datetime64("2022-05-01") + np.timedelta64(int(rng.integers(0, 900)), "D")
                add(unit, "equipment", "scanner and test kits", start, 1, None, None, "UNODC", unit.programme)
    # Programmes in the same country training separately on the same topic, and a few joint trainings.
    for year in (2022, 2024):
        for programme in ("CCP", "AIRCOP", "SEACOP"):
            unit = next(u for u in INTERDICTION_UNITS if u.programme == programme)
            start = np.datetime64(f"{year}-04-01") + np.timedelta64(int(rng.integers(0, 60)), "D")
            add(unit, "training", "risk profiling", start, 3, 12, 24.0, "UNODC", programme)
    for year in (2023, 2025):
        for unit in (INTERDICTION_UNITS[0], INTERDICTION_UNITS[1], INTERDICTION_UNITS[7]):
            start = np.datetime64(f"{year}-09-08")
            add(unit, "joint_exercise", "secure information exchange", start, 4, 10, 28.0, "UNODC",
                "CCP|AIRCOP|SEACOP")
    n = len(rows["unit_id"])
    rows["training_id"] = ids.take("trainings", n)
    rows["starts_on"] = np.array(rows["starts_on"], dtype="datetime64[D]")
    rows["ends_on"] = np.minimum(np.array(rows["ends_on"], dtype="datetime64[D]"), PERIOD_END)
    rows["participants"] = np.array([np.nan if p is None else p for p in rows["participants"]], dtype=float)
    rows["hours"] = np.array([np.nan if h is None else h for h in rows["hours"]], dtype=float)
    return rows


def enrol_farmers(rng: np.random.Generator, n: int, ids) -> tuple[dict, dict]:
    persons = make_persons(rng, ids.take("persons", n), foreign_share=0.0, protected=True,
                           birth_range=("1960-01-01", "2003-12-31"))
    office = pick(rng, {p: w for p, w in zip(PROGRAMME_OFFICES, (0.5, 0.35, 0.15), strict=True)}, n)
    region = np.array([{"U-PO-VRAEM": "VRAEM", "U-PO-HUALLAGA": "Alto Huallaga",
                        "U-PO-PUTUMAYO": "Putumayo"}[o] for o in office], dtype=object)
    enrolled = sample_times(rng, n, day_weights(growth_per_year=0.1)).astype("datetime64[D]")
    status = pick(rng, {"enrolled": 0.25, "placed": 0.3, "completed": 0.2, "dropped_out": 0.12,
                        "relapsed_to_cultivation": 0.08, "relocated": 0.05}, n)
    placed = np.isin(status, ["placed", "completed"])
    employed = np.where(placed, enrolled + rng.integers(60, 300, n).astype("timedelta64[D]"), np.datetime64("NaT"))
    exited = np.where(np.isin(status, ["completed", "dropped_out", "relapsed_to_cultivation", "relocated"]),
                      enrolled + rng.integers(120, 900, n).astype("timedelta64[D]"), np.datetime64("NaT"))
    late = (employed > PERIOD_END) | (exited > PERIOD_END)
    status[late] = "enrolled"
    employed[late] = np.datetime64("NaT")
    exited[late] = np.datetime64("NaT")
    before = np.round(lognormal(rng, 180, 0.4, n), 2)
    after_income = np.where(placed & ~late, np.round(before * lognormal(rng, 1.3, 0.3, n), 2), np.nan)
    protection = np.where(status == "relocated", "relocated",
                          pick(rng, {"none": 0.4, "confidential": 0.45, "anonymous": 0.15}, n)).astype(object)
    enrolments = {
        "enrolment_id": ids.take("farmer_enrolments", n), "person_id": persons["person_id"],
        "programme_office_id": office, "region": region,
        "crop": pick(rng, {"coca": 0.85, "opium_poppy": 0.03, "cannabis": 0.07, "other": 0.05}, n),
        "hectares": np.round(lognormal(rng, 1.2, 0.6, n), 2), "enrolled_at": enrolled,
        "dependents": rng.poisson(2.5, n), "protection_level": protection,
        "threats_reported": np.where(rng.random(n) < 0.15, rng.integers(1, 5, n), 0),
        "employment_sector": np.where(placed & ~late, pick(rng, ("cocoa", "coffee", "aquaculture", "eco-tourism",
                                                                  "timber", "palm heart"), n), None),
        "employed_at": employed, "monthly_income_before_usd": before, "monthly_income_after_usd": after_income,
        "exited_at": exited, "status": status,
    }
    return enrolments, persons


def treat_clients(rng: np.random.Generator, n: int, ids) -> tuple[dict, dict]:
    persons = make_persons(rng, ids.take("persons", n), foreign_share=0.03, protected=True,
                           birth_range=("1965-01-01", "2007-12-31"))
    admitted = sample_times(rng, n, day_weights(season_amplitude=0.05))
    setting = pick(rng, {"outpatient": 0.45, "residential": 0.2, "detox": 0.1, "opioid_agonist": 0.05,
                         "community": 0.12, "prison": 0.08}, n)
    provider = np.where(setting == "prison", "U-TX-PRISON", pick(rng, TREATMENT_PROVIDERS[:3], n)).astype(object)
    stay = lognormal(rng, np.where(setting == "detox", 14, np.where(setting == "residential", 90, 150)), 0.6, n)
    discharged = after(admitted, stay)
    open_ = discharged > EXTRACT_AT
    reason = pick(rng, {"completed": 0.5, "left": 0.25, "transferred": 0.08, "dismissed": 0.05,
                        "incarcerated": 0.04, "died": 0.01, "other": 0.07}, n)
    completed = reason == "completed"
    phys_in = np.round(np.clip(rng.normal(52, 14, n), 5, 95), 1)
    ment_in = np.round(np.clip(rng.normal(45, 15, n), 5, 95), 1)
    gain = np.where(completed, 14, 4)
    episodes = {
        "episode_id": ids.take("treatment_episodes", n), "person_id": persons["person_id"], "provider_id": provider,
        "admitted_at": admitted.astype("datetime64[D]"),
        "discharged_at": np.where(open_, nat(n), discharged).astype("datetime64[D]"), "setting": setting,
        "primary_substance_group": pick(rng, {"cocaine_type": 0.5, "cannabis_type": 0.2, "opiates": 0.04,
                                              "ats": 0.08, "sedatives": 0.08, "synthetic_opioids": 0.03,
                                              "other": 0.07}, n),
        "referral": pick(rng, {"self": 0.3, "family": 0.25, "health": 0.2, "court": 0.1, "police": 0.05,
                               "ngo": 0.07, "other": 0.03}, n),
        "discharge_reason": np.where(open_, None, reason),
        "physical_score_admission": phys_in,
        "physical_score_discharge": np.where(open_, np.nan, np.round(np.clip(phys_in + rng.normal(gain, 8), 0, 100),
                                                                     1)),
        "mental_score_admission": ment_in,
        "mental_score_discharge": np.where(open_, np.nan, np.round(np.clip(ment_in + rng.normal(gain, 9), 0, 100),
                                                                   1)),
        "abstinent_at_discharge": np.where(open_, None, completed & (rng.random(n) < 0.7) | (rng.random(n) < 0.1)),
    }
    return episodes, persons
