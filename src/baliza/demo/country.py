"""Generate a whole synthetic country: every contract table as CSV, a manifest, and the ground truth apart.

The seizure chain is generated in chunks of seizures (each with its own random stream), so the large scale
keeps memory flat; the rest (institutions, crypto, online markets, programmes) is generated once.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import yaml

from baliza.contract import CONTRACT_VERSION, TABLES
from baliza.demo import institutions as inst_mod
from baliza.demo.anomalies import plan_justice
from baliza.demo.by_agency import split_by_agency
from baliza.demo.court import judge_cases
from baliza.demo.crypto import build_crypto
from baliza.demo.draw import digits, join, pick
from baliza.demo.flaws import plant_flaws
from baliza.demo.geography import COUNTRY, COUNTRY_NAME
from baliza.demo.ids import IdCounter
from baliza.demo.justice import build_cases
from baliza.demo.money import trace_assets
from baliza.demo.online import observe_listings
from baliza.demo.people import (
    customs_travellers,
    make_persons,
    person_columns,
    plant_repeaters,
    rewrite_records,
    staff_names,
)
from baliza.demo.planted import SURGES, plant_asset_anomalies, plant_surges
from baliza.demo.programmes import enrol_farmers, link_operations, plan_operations, plan_trainings, treat_clients
from baliza.demo.scales import get_scale
from baliza.demo.substances import FIRST_SEEN
from baliza.demo.traffic import generate_traffic, unit_skills
from baliza.demo.truth import Truth, default_truth_path, is_inside
from baliza.demo.writer import DatasetWriter

Progress = Callable[[str, float], None]
ORG_WORDS = ("Andina", "Pacifico", "Inca", "Sol", "Costa", "Amazonas", "Cordillera", "Norte", "Sur", "Lima")
ORG_KINDS = ("Export SAC", "Trading SRL", "Logistics SAC", "Agro EIRL", "Import SA", "Cargo SAC")


@dataclass
class GenerationSummary:
    out_dir: Path
    rows: dict[str, int]
    truth_path: Path
    seed: int
    scale: str
    corruption: bool

    @property
    def chain_rows(self) -> int:
        chain = ("consignments", "inspections", "seizures", "arrests", "cases", "case_parties", "charges",
                 "case_events", "dispositions", "assets")
        return sum(self.rows.get(t, 0) for t in chain)


def generate_country(out_dir: Path, *, seed: int = 0, scale: str = "small", truth_path: Path | None = None,
                     corruption: bool = True, progress: Progress | None = None,
                     by_agency: bool = False, flaws: bool | None = None) -> GenerationSummary:
    """Write a synthetic country into `out_dir` (one CSV per contract table plus manifest.yaml) and its ground
    truth to `truth_path` (default `<out_dir parent>/<out_dir name>.truth.json`, never inside `out_dir`).

    With `by_agency`, `out_dir` holds one dataset folder per reporting agency instead (see `by_agency.py`),
    to be loaded together; then, unless `flaws` is False, a few bad rows are planted in the police's and
    customs' seizures and arrests (`flaws.py`), so that the demo's quarantine shows what it does."""
    size = get_scale(scale)
    out_dir = Path(out_dir)
    truth_path = Path(truth_path) if truth_path else default_truth_path(out_dir)
    if is_inside(truth_path, out_dir):
        raise ValueError("the ground truth must be written outside the dataset folder")
    final_dir = out_dir
    if by_agency:
        out_dir = out_dir / ".whole-country"
        shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, fraction: None)
    rng = np.random.default_rng([seed, 0])
    ids = IdCounter()
    inst = inst_mod.build_institutions(rng, size)
    plan = plan_justice(rng, size, inst, corruption)
    skills = unit_skills(rng)
    office_speed = np.exp(rng.normal(0, 0.25, len(inst.offices)))
    truth = Truth(seed, scale, corruption)
    n_chunks = max(1, math.ceil(size.seizures / size.chunk_seizures))
    with DatasetWriter(out_dir) as writer:
        report("institutions", 0.0)
        writer.write("agencies", inst_mod.agency_columns())
        writer.write("entry_points", inst_mod.entry_point_columns())
        writer.write("units", inst_mod.unit_columns(inst))
        staff = dict(inst.staff)
        staff["display_name"] = staff_names(seed, len(staff["staff_id"]))
        staff["joined_on"] = np.array(staff["joined_on"], dtype="datetime64[D]")
        joined = dict(zip(staff["staff_id"], range(len(staff["staff_id"])), strict=True))
        for p, day in zip(inst.prosecutors, inst.prosecutor_joined, strict=True):
            staff["joined_on"][joined[p]] = day
        writer.write("staff", staff)
        organizations = _organizations(rng, size.organizations, ids)
        writer.write("organizations", organizations)
        operations = plan_operations(rng, ids)
        writer.write("operations", operations)
        writer.write("trainings", plan_trainings(rng, ids))
        wallet_cases: list[tuple[str, str, np.datetime64]] = []
        laundering_case = None
        for k in range(n_chunks):
            report("seizure chain", k / n_chunks)
            chunk_rng = np.random.default_rng([seed, 1, k])
            n_seizures = min(size.chunk_seizures, size.seizures - k * size.chunk_seizures)
            traffic = generate_traffic(chunk_rng, n_seizures, skills, ids)
            traffic.seizures["operation_id"] = link_operations(chunk_rng, operations, traffic.seizures)
            cases = build_cases(chunk_rng, traffic, inst, plan, ids, first_chunk=k == 0)
            court = judge_cases(chunk_rng, cases, traffic, inst, plan, ids, office_speed)
            assets = trace_assets(chunk_rng, cases, court, organizations["organization_id"], ids)
            plant_rng = np.random.default_rng([seed, 5, k])  # its own stream: planting changes nothing else
            plant_surges(plant_rng, traffic.seizures)
            if corruption:
                after, before = plant_asset_anomalies(plant_rng, assets, cases.cases["case_id"],
                                                      court.case_outcome, court.case_disposed_at)
                truth.released_after_conviction_assets += after
                truth.freeze_lifted_before_verdict_assets += before
            _fill_parties(chunk_rng, traffic, cases, organizations)
            # a few people arrested again at other seizures, recorded afresh (a generator of their own)
            rewrites, repeaters = plant_repeaters(np.random.default_rng([seed, 7, k]), cases.persons, cases.arrests)
            truth.repeat_offenders += repeaters
            # customs' own records of the arrested passengers: the same people, written customs' way
            travellers, same_people = customs_travellers(np.random.default_rng([seed, 6, k]), traffic.consignments,
                                                         cases.persons)
            truth.same_people += same_people
            arrested = rewrite_records(person_columns(cases.persons), rewrites)
            witnesses = make_persons(chunk_rng, court.witnesses["person_id"])
            witnesses["protected"] = court.witnesses["role"] == "protected_witness"
            for table, columns in (("consignments", traffic.consignments), ("inspections", traffic.inspections),
                                   ("seizures", traffic.seizures), ("persons", arrested),
                                   ("persons", person_columns(witnesses)), ("persons", travellers),
                                   ("arrests", cases.arrests),
                                   ("cases", cases.cases), ("case_parties", court.case_parties),
                                   ("charges", court.charges), ("case_events", court.case_events),
                                   ("dispositions", court.dispositions), ("assets", assets)):
                writer.write(table, columns)
            _record_truth(truth, cases, court)
            truth.steered_group_cases += cases.steered_group_cases
            if k == 0:
                wallet_cases, laundering_case = _crypto_cases(chunk_rng, cases, corruption)
        report("crypto", 0.9)
        crypto = build_crypto(np.random.default_rng([seed, 2]), size.crypto_transactions, wallet_cases,
                              laundering_case, ids)
        writer.write("crypto_io", crypto.io)
        writer.write("crypto_transfers", crypto.transfers)
        writer.write("crypto_tags", crypto.tags)
        if crypto.assets["asset_id"]:
            crypto.assets["identified_at"] = np.array(crypto.assets["identified_at"], dtype="datetime64[D]")
            crypto.assets["frozen_at"] = np.array(crypto.assets["frozen_at"], dtype="datetime64[D]")
            crypto.assets["released_at"] = np.array([d or "NaT" for d in crypto.assets["released_at"]],
                                                    dtype="datetime64[D]")
            writer.write("assets", crypto.assets)
        report("online markets and programmes", 0.95)
        online = observe_listings(np.random.default_rng([seed, 3]), size.online_listings, ids, corruption)
        writer.write("online_listings", online.listings)
        programme_rng = np.random.default_rng([seed, 4])
        enrolments, farmers = enrol_farmers(programme_rng, size.farmers, ids)
        episodes, clients = treat_clients(programme_rng, size.treatment_episodes, ids)
        writer.write("persons", person_columns(farmers))
        writer.write("persons", person_columns(clients))
        writer.write("farmer_enrolments", enrolments)
        writer.write("treatment_episodes", episodes)
        rows = dict(writer.rows)
    _write_manifest(out_dir, seed, scale)
    if by_agency:
        split_by_agency(out_dir, final_dir, inst_mod.REPORTING_AGENCY)
        if flaws is not False:
            plant_flaws(final_dir)  # a few bad rows, so that the demo's quarantine is not empty
        shutil.rmtree(out_dir)
        out_dir = final_dir
    truth.laundering_addresses = crypto.laundering_addresses
    truth.laundering_path = crypto.laundering_path
    truth.laundering_case = laundering_case[0] if laundering_case else None
    truth.vendor_aliases = online.aliases
    truth.surges = [s.to_dict() for s in SURGES]
    truth.first_detections = dict(FIRST_SEEN)
    _record_plan(truth, plan, inst)
    truth.write(truth_path)
    report("done", 1.0)
    missing = [t.name for t in TABLES if not rows.get(t.name)]
    if missing:
        raise RuntimeError(f"tables left empty: {missing}")
    return GenerationSummary(out_dir, {t.name: rows.get(t.name, 0) for t in TABLES}, truth_path, seed, scale,
                             corruption)


def _organizations(rng: np.random.Generator, n: int, ids) -> dict:
    kind = pick(rng, {"company": 0.3, "shipper": 0.25, "consignee": 0.2, "freight_forwarder": 0.15,
                      "carrier": 0.05, "exchange": 0.02, "ngo": 0.03}, n)
    name = np.asarray(join(pick(rng, ORG_WORDS, n), " ", pick(rng, ORG_WORDS, n), " ", pick(rng, ORG_KINDS, n)),
                      dtype=object)
    foreign = np.isin(kind, ["consignee", "carrier"]) & (rng.random(n) < 0.6)
    return {"organization_id": ids.take("organizations", n), "name": name,
            "country": np.where(foreign, pick(rng, {"ESP": 1, "NLD": 1, "BEL": 1, "USA": 1, "CHN": 1}, n), COUNTRY),
            "registration_number": np.where(foreign, None, np.asarray(join("20", digits(rng, n, 9)), dtype=object)),
            "kind": kind, "address": np.where(foreign, None, "Av. Argentina 2450, Callao")}


def _fill_parties(rng: np.random.Generator, traffic, cases, organizations: dict) -> None:
    """Shippers and consignees of cargo; the traveller of a passenger consignment that led to an arrest."""
    cons = traffic.consignments
    n = len(cons["consignment_id"])
    cargo = np.isin(cons["mode"], ["sea_container", "air_cargo"])
    org = organizations["organization_id"]
    cons["shipper_id"] = np.where(cargo, org[rng.integers(0, len(org), n)], None)
    cons["consignee_id"] = np.where(cargo, org[rng.integers(0, len(org), n)], None)
    traveller = np.full(n, None, dtype=object)
    arrests = cases.arrests
    seizure_row = {sid: i for i, sid in enumerate(traffic.seizures["seizure_id"])}
    for person, seizure in zip(arrests["person_id"], arrests["seizure_id"], strict=True):
        if seizure is None:
            continue
        row = traffic.seizure_consignment[seizure_row[seizure]]
        if row >= 0 and cons["mode"][row] == "air_passenger" and traveller[row] is None:
            traveller[row] = person
    cons["traveller_id"] = traveller


def _record_truth(truth: Truth, cases, court) -> None:
    case_ids = cases.cases["case_id"]
    charged = set(court.charges["case_id"][~np.isnan(court.charges["quantity"])])
    truth.shrunk_cases += [case_ids[r] for r in court.shrunk if case_ids[r] in charged]
    barred = set(court.dispositions["case_id"][court.dispositions["outcome"] == "statute_barred"])
    truth.limitation_cases += [case_ids[r] for r in court.limitation if case_ids[r] in barred]
    flagged = set(court.case_events["case_id"][np.isin(court.case_events["kind"],
                                                       ["evidence_missing", "evidence_destroyed"])])
    truth.evidence_cases += [case_ids[r] for r in court.evidence if case_ids[r] in flagged]
    truth.reassigned_cases += [case_ids[r] for r in np.flatnonzero(cases.pattern == "reassign")]
    truth.bought_cases += [case_ids[r] for r in np.flatnonzero(cases.bought)]


def _crypto_cases(rng: np.random.Generator, cases, corruption: bool):
    c = cases.cases
    trafficking = np.flatnonzero(cases.offence == "trafficking")
    if not len(trafficking):
        trafficking = np.arange(len(c["case_id"]))
    person = cases.defendant_person[np.searchsorted(cases.defendant_case, trafficking)]
    picked = rng.choice(len(trafficking), min(6, len(trafficking)), replace=False)
    wallets = [(c["case_id"][trafficking[i]], person[i], c["opened_at"][trafficking[i]]) for i in picked]
    laundering = None
    if corruption:
        bought = np.flatnonzero(cases.bought[trafficking])
        i = int(bought[0]) if len(bought) else int(picked[0])
        laundering = (c["case_id"][trafficking[i]], person[i], c["opened_at"][trafficking[i]])
        wallets = [w for w in wallets if w[0] != laundering[0]]
    return wallets, laundering


def _record_plan(truth: Truth, plan, inst) -> None:
    truth.honest_outliers = {
        "small_possession_prosecutor": str(inst.prosecutors[plan.small_possession_prosecutor]),
        "new_prosecutor": str(inst.prosecutors[plan.new_prosecutor]),
        "busy_prosecutor": str(inst.prosecutors[plan.busy_prosecutor]),
    }
    if not plan.corruption:
        return
    truth.corrupt_prosecutors = [str(inst.prosecutors[p]) for p in plan.corrupt]
    truth.corrupt_prosecutor_patterns = {str(inst.prosecutors[p]): sorted(v) for p, v in plan.corrupt.items()}
    truth.steered_prosecutors = sorted({str(inst.prosecutors[p]) for p in plan.has("steer_large")
                                        + plan.has("steer_group")})
    truth.corrupt_judges = [str(inst.judges[j]) for j in sorted(plan.corrupt_judges)]
    truth.low_conversion_units = list(plan.low_conversion_units)


def _write_manifest(out_dir: Path, seed: int, scale: str) -> None:
    manifest = {
        "contract_version": CONTRACT_VERSION,
        "dataset": f"{COUNTRY_NAME}, 2021-2025 (seed {seed}, {scale})",
        "reported_by": inst_mod.REPORTING_AGENCY,
        "period": {"from": date(2021, 1, 1), "to": date(2025, 12, 31)},
    }
    (out_dir / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
