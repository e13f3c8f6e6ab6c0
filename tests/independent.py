"""An independent computation of the efficiency indicators (issue 3) and the key KSIs (issue 4) from the raw
CSV files, written from the issues' words with pandas alone: nothing here imports Baliza's analyses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DAYS = {"year": 365.0, "quarter": 91.25, "month": 365.0 / 12.0}
FREQ = {"year": "Y", "quarter": "Q", "month": "M"}


def read(folder: Path, table: str) -> pd.DataFrame:
    path = folder / f"{table}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def utc(values: pd.Series) -> pd.Series:
    """Datetimes in UTC, naive (a naive datetime is UTC by the contract)."""
    return pd.to_datetime(values.replace("", None), utc=True, format="ISO8601").dt.tz_localize(None)


def label(stamps: pd.Series, period: str) -> pd.Series:
    p = stamps.dt.to_period(FREQ[period])
    if period == "year":
        return p.dt.year.astype("Int64").astype(str)
    if period == "quarter":
        return p.dt.year.astype(str) + "-Q" + p.dt.quarter.astype(str)
    return p.dt.year.astype(str) + "-" + p.dt.month.map("{:02d}".format)


def period_end(lab: str) -> pd.Timestamp:
    """The first instant after the period."""
    if "-Q" in lab:
        year, q = lab.split("-Q")
        return pd.Timestamp(int(year), 3 * int(q), 1) + pd.offsets.MonthBegin(1)
    if "-" in lab:
        year, m = lab.split("-")
        return pd.Timestamp(int(year), int(m), 1) + pd.offsets.MonthBegin(1)
    return pd.Timestamp(int(lab) + 1, 1, 1)


def cases_with_resolution(folder: Path) -> pd.DataFrame:
    """Each case with resolved_at: the latest disposed_at of its dispositions, once every defendant in
    case_parties has a disposition (never without a disposition)."""
    cases = read(folder, "cases")
    cases["opened_at"] = utc(cases["opened_at"])
    disp = read(folder, "dispositions")
    parties = read(folder, "case_parties")
    disp["disposed_at"] = utc(disp["disposed_at"])
    latest = disp.groupby("case_id")["disposed_at"].max()
    disposed = set(zip(disp.case_id, disp.person_id, strict=True))
    defendants = parties[parties.role == "defendant"]
    undisposed = {c for c, p in zip(defendants.case_id, defendants.person_id, strict=True) if (c, p) not in disposed}
    cases["resolved_at"] = [
        latest.get(c, pd.NaT) if c not in undisposed else pd.NaT for c in cases.case_id
    ]
    cases["resolved_at"] = pd.to_datetime(cases["resolved_at"])
    # the judge of a case: the judge of its latest disposition that names one (ties: the greatest id)
    judged = disp[disp.judge_id != ""].sort_values(["disposed_at", "judge_id"])
    judge = judged.groupby("case_id")["judge_id"].last()
    cases["judge_id"] = cases.case_id.map(judge).fillna("")
    return cases


def efficiency(folder: Path, period: str, by: str) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """{(subject, period): {indicator: (numerator, denominator)}} for the exact indicators."""
    cases = cases_with_resolution(folder)
    column = {"office": "office_id", "prosecutor": "lead_prosecutor_id", "judge": "judge_id"}[by]
    cases = cases[cases[column] != ""]
    disp = read(folder, "dispositions")
    disp["disposed_at"] = utc(disp["disposed_at"])
    if by == "judge":
        disp["subject"] = disp.judge_id
    else:
        disp["subject"] = disp.case_id.map(cases.set_index("case_id")[column])
    disp = disp[disp.subject.notna() & (disp.subject != "")]
    disp["period"] = label(disp.disposed_at, period)
    seizures = read(folder, "seizures")
    seized_at = pd.Series(utc(seizures.seized_at).values, index=seizures.seizure_id)
    cases["seized_at"] = cases.seizure_id.map(seized_at)
    cases = cases.assign(opened_period=label(cases.opened_at, period),
                         resolved_period=label(cases.resolved_at.dropna(), period).reindex(cases.index))
    out: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
    barred = set(disp.loc[disp.outcome == "statute_barred", "case_id"])
    day = pd.Timedelta(days=1)
    cases["days_to_resolution"] = ((cases.resolved_at.dt.normalize() - cases.opened_at.dt.normalize()) / day).clip(0)
    cases["days_seizure_to_case"] = (cases.opened_at.dt.normalize() - cases.seized_at.dt.normalize()) / day
    labels = sorted(set(cases.opened_period) | set(cases.resolved_period.dropna()) | set(disp.period))
    for subject, own in cases.groupby(column):
        own_disp = disp[disp.subject == subject]
        for lab in labels:
            end = period_end(lab)
            incoming = float((own.opened_period == lab).sum())
            resolved = float((own.resolved_period == lab).sum())
            pending = float(((own.opened_at < end) & ~(own.resolved_at < end)).sum())
            d = own_disp[own_disp.period == lab]
            out[(subject, lab)] = {
                "incoming": (incoming, 1), "resolved": (resolved, 1), "pending_end": (pending, 1),
                "clearance_rate": (resolved, incoming),
                "disposition_time_days": (DAYS[period] * pending, resolved),
                "case_turnover_ratio": (resolved, pending),
                "dismissal_rate": (float((d.outcome == "dismissed").sum()), float(len(d))),
                "conviction_rate": (float(d.outcome.isin(["convicted", "plea_convicted"]).sum()), float(len(d))),
                "statute_barred_share": (float(own[own.resolved_period == lab].case_id.isin(barred).sum()), resolved),
                "median_days_to_disposition": _median(own.loc[own.resolved_period == lab, "days_to_resolution"]),
                "median_days_seizure_to_case": _median(
                    own.loc[own.opened_period == lab, "days_seizure_to_case"].dropna()),
            }
    return out


def _median(days: pd.Series) -> tuple[float, float]:
    """A median goes out as (median, number of cases it is taken over); the value is the median itself."""
    return (float(days.median()) if len(days) else 0.0, float(len(days)))


def value(numerator: float | None, denominator: float | None) -> float | None:
    return None if numerator is None or not denominator else numerator / denominator


def data_end(folder: Path) -> pd.Timestamp:
    """The first instant after the period the manifest declares (`period: to:`)."""
    import yaml

    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    return pd.Timestamp(str(manifest["period"]["to"])) + pd.Timedelta(days=1)


def period_start(lab: str) -> pd.Timestamp:
    if "-Q" in lab:
        year, q = lab.split("-Q")
        return pd.Timestamp(int(year), 3 * int(q) - 2, 1)
    return pd.Timestamp(lab + "-01") if "-" in lab else pd.Timestamp(int(lab), 1, 1)


def ksi(folder: Path, period: str) -> dict[tuple[str, str, str], tuple[float | None, float | None]]:
    """{(unit, indicator, period): (numerator, denominator)} for hit rates, intelligence-led share, sharing
    within 48 h and prosecution conversion.

    Sharing counts only seizures made at least 2 days, and prosecution conversion at least 90 days, before the
    end of the data (the manifest's period): a seizure younger than its window has not had the time. A period
    with no seizure that old has no figure at all (None, None).
    """
    out: dict[tuple[str, str, str], tuple[float | None, float | None]] = {}
    end = data_end(folder)
    sharing_cut, case_cut = end - pd.Timedelta(days=2), end - pd.Timedelta(days=90)
    ins = read(folder, "inspections")
    if len(ins):
        ins["period"] = label(utc(ins.inspected_at), period)
        ins["hit"] = ins.outcome == "seizure"
        ins["targeted"] = ins.selection.isin(["risk_profile", "intelligence", "partner_alert"])
        for (unit, lab), g in ins.groupby(["unit_id", "period"]):
            out[(unit, "hit_rate", lab)] = (float(g.hit.sum()), float(len(g)))
            t, r = g[g.targeted], g[g.selection == "random"]
            out[(unit, "hit_rate_targeted", lab)] = (float(t.hit.sum()), float(len(t)))
            out[(unit, "hit_rate_random", lab)] = (float(r.hit.sum()), float(len(r)))
            # targeting_lift: (targeted hit rate, random hit rate), each None when it has no inspection
            out[(unit, "targeting_lift", lab)] = (value(float(t.hit.sum()), float(len(t))),
                                                  value(float(r.hit.sum()), float(len(r))))
    sz = read(folder, "seizures")
    if len(sz):
        sz["seized_at"] = utc(sz.seized_at)
        sz["period"] = label(sz.seized_at, period)
        shared = utc(sz.shared_with_partners_at) if "shared_with_partners_at" in sz else pd.Series(pd.NaT, sz.index)
        sz["shared48"] = (shared - sz.seized_at) <= pd.Timedelta(hours=48)
        led = sz.intelligence_led.str.lower() if "intelligence_led" in sz else pd.Series("", sz.index)
        arrests = read(folder, "arrests")
        arrested = set(arrests.seizure_id) - {""} if len(arrests) else set()
        cases = read(folder, "cases")
        first_case = pd.Series(dtype="datetime64[ns]")
        if len(cases) and "seizure_id" in cases:
            cases = cases[cases.seizure_id != ""]
            first_case = utc(cases.opened_at).groupby(cases.seizure_id.values).min()
        opened = sz.seizure_id.map(first_case)
        sz["converted"] = (opened - sz.seized_at) <= pd.Timedelta(days=90)
        sz["arrested"] = sz.seizure_id.isin(arrested)
        sz["led_known"] = led.isin(["true", "false"])
        sz["led"] = led == "true"
        for (unit, lab), g in sz.groupby(["unit_id", "period"]):
            out[(unit, "intelligence_led_share", lab)] = (float(g.led.sum()), float(g.led_known.sum()))
            old = g[g.seized_at < sharing_cut]
            out[(unit, "partner_sharing_48h", lab)] = (float(old.shared48.sum()), float(len(old)))
            if period_start(lab) >= sharing_cut:
                out[(unit, "partner_sharing_48h", lab)] = (None, None)
            a = g[g.arrested & (g.seized_at < case_cut)]
            out[(unit, "prosecution_conversion", lab)] = (float(a.converted.sum()), float(len(a)))
            if period_start(lab) >= case_cut:
                out[(unit, "prosecution_conversion", lab)] = (None, None)
    return out


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.isclose(a, b, rtol=1e-9, atol=1e-9))
