"""The country's institutions: agencies, operational units and their staff.

Interdiction units sit at entry points (CCP port control units, AIRCOP airport task forces, SEACOP maritime
units, border and postal units); prosecution offices and courts serve judicial regions; programme offices and
treatment providers run the exit and treatment programmes. A few entry points have traffic and no unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from baliza.demo.geography import COUNTRY, ENTRY_POINTS, REGION_NAMES, REGIONS
from baliza.demo.scales import Scale

AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("AG-PER-CUSTOMS", "National Customs Administration", "customs"),
    ("AG-PER-POLICE", "National Police, Anti-Drug Directorate", "police"),
    ("AG-PER-COASTGUARD", "Coast Guard", "other"),
    ("AG-PER-DRUGS", "National Commission for Development and Life without Drugs", "drug_agency"),
    ("AG-PER-PROSECUTION", "Public Prosecution Service", "prosecution"),
    ("AG-PER-AG", "Attorney General's Office", "attorney_general"),
    ("AG-PER-COURTS", "Judiciary", "court"),
    ("AG-PER-FIU", "Financial Intelligence Unit", "fiu"),
    ("AG-PER-HEALTH", "Ministry of Health", "ministry"),
    ("AG-PER-NGO", "Andean Recovery Foundation", "ngo"),
    ("AG-UNODC", "UNODC Country Office", "international"),
)
REPORTING_AGENCY = "AG-PER-PROSECUTION"


@dataclass(frozen=True)
class Unit:
    unit_id: str
    agency_id: str
    name: str
    kind: str
    programme: str | None
    entry_point_id: str | None
    operational_since: str | None
    staff_count: int
    region: str
    activity: float = 0.0
    """Share of the country's inspections this unit performs (interdiction units only)."""


# unit_id, agency, name, kind, programme, entry point, operational since, staff, region, activity
INTERDICTION_UNITS: tuple[Unit, ...] = (
    Unit("U-PCU-CALLAO", "AG-PER-CUSTOMS", "Callao Port Control Unit", "port_control_unit", "CCP", "EP-PECLL",
         "2012-06-01", 24, "LIMA", 0.20),
    Unit("U-SEA-CALLAO", "AG-PER-COASTGUARD", "Callao Maritime Interdiction Unit", "maritime_unit", "SEACOP",
         "EP-PECLL", "2019-03-01", 14, "LIMA", 0.03),
    Unit("U-PCU-PAITA", "AG-PER-CUSTOMS", "Paita Port Control Unit", "port_control_unit", "CCP", "EP-PEPAI",
         "2009-01-15", 12, "NORTE", 0.07),
    Unit("U-SEA-PAITA", "AG-PER-COASTGUARD", "Paita Maritime Interdiction Unit", "maritime_unit", "SEACOP",
         "EP-PEPAI", "2021-09-01", 8, "NORTE", 0.015),
    Unit("U-PCU-MATARANI", "AG-PER-CUSTOMS", "Matarani Port Control Unit", "port_control_unit", "CCP", "EP-PEMRI",
         "2016-05-02", 8, "SUR", 0.03),
    Unit("U-PCU-PISCO", "AG-PER-CUSTOMS", "Pisco Port Control Unit", "port_control_unit", "CCP", "EP-PEPIO",
         "2022-04-01", 6, "LIMA", 0.015),
    Unit("U-CUS-ILO", "AG-PER-CUSTOMS", "Ilo Customs Control Team", "port_control_unit", "none", "EP-PEILQ",
         None, 5, "SUR", 0.012),
    Unit("U-JAITF-LIM", "AG-PER-POLICE", "Lima Joint Airport Interdiction Task Force", "airport_task_force",
         "AIRCOP", "EP-LIM", "2011-10-01", 30, "LIMA", 0.17),
    Unit("U-ACCU-LIM", "AG-PER-CUSTOMS", "Lima Air Cargo Control Unit", "port_control_unit", "CCP", "EP-LIM",
         "2017-03-15", 10, "LIMA", 0.05),
    Unit("U-JAITF-CUZ", "AG-PER-POLICE", "Cusco Joint Airport Interdiction Task Force", "airport_task_force",
         "AIRCOP", "EP-CUZ", "2023-02-01", 8, "SUR", 0.025),
    Unit("U-JAITF-AQP", "AG-PER-POLICE", "Arequipa Joint Airport Interdiction Task Force", "airport_task_force",
         "AIRCOP", "EP-AQP", "2020-05-04", 7, "SUR", 0.02),
    Unit("U-JAITF-IQT", "AG-PER-POLICE", "Iquitos Joint Airport Interdiction Task Force", "airport_task_force",
         "AIRCOP", "EP-IQT", "2021-11-15", 6, "ORIENTE", 0.02),
    Unit("U-POL-PCL", "AG-PER-POLICE", "Pucallpa Airport Police Post", "airport_task_force", "none", "EP-PCL",
         None, 5, "ORIENTE", 0.012),
    Unit("U-BOR-DESAG", "AG-PER-CUSTOMS", "Desaguadero Border Control Unit", "border_unit", "none", "EP-DESAG",
         None, 10, "SUR", 0.05),
    Unit("U-BOR-TUMBES", "AG-PER-CUSTOMS", "Tumbes Border Control Unit", "border_unit", "none", "EP-TUMBES",
         None, 12, "NORTE", 0.06),
    Unit("U-BOR-TACNA", "AG-PER-CUSTOMS", "Tacna Border Control Unit", "border_unit", "none", "EP-TACNA",
         None, 12, "SUR", 0.05),
    Unit("U-BOR-INAPARI", "AG-PER-POLICE", "Inapari Border Post", "border_unit", "none", "EP-INAPARI",
         None, 4, "ORIENTE", 0.012),
    Unit("U-BOR-STAROSA", "AG-PER-POLICE", "Santa Rosa River Border Post", "border_unit", "none", "EP-STAROSA",
         None, 4, "ORIENTE", 0.01),
    Unit("U-POST-LIM", "AG-PER-CUSTOMS", "Lima Postal Interdiction Team", "other", "none", "EP-POSTLIM",
         None, 9, "LIMA", 0.09),
    Unit("U-CUS-DRYLIM", "AG-PER-CUSTOMS", "Callao Extra-Port Terminal Control Team", "port_control_unit", "none",
         "EP-DRYLIM", None, 6, "LIMA", 0.02),
)
INVESTIGATION_UNITS: tuple[Unit, ...] = (
    Unit("U-INV-LIMA", "AG-PER-POLICE", "Anti-Drug Investigations Division, Lima", "investigation_unit", "none",
         None, None, 60, "LIMA"),
    Unit("U-INV-HUALLAGA", "AG-PER-POLICE", "Anti-Drug Operations Base, Huallaga", "investigation_unit", "none",
         None, None, 40, "ORIENTE"),
)
SUPPORT_UNITS: tuple[Unit, ...] = (
    Unit("U-CYBER", "AG-PER-POLICE", "Cybercrime Division, Drug Markets Desk", "cyber_unit", "none", None,
         "2020-01-06", 9, "LIMA"),
    Unit("U-FIU", "AG-PER-FIU", "Financial Intelligence Unit, Analysis Department", "fiu_unit", "none", None,
         None, 15, "LIMA"),
    Unit("U-LAB", "AG-PER-POLICE", "Forensic Drug Laboratory", "other", "none", None, None, 12, "LIMA"),
    Unit("U-PO-VRAEM", "AG-PER-DRUGS", "Alternative Development Office, VRAEM", "programme_office", "none", None,
         "2015-01-01", 14, "SUR"),
    Unit("U-PO-HUALLAGA", "AG-PER-DRUGS", "Alternative Development Office, Huallaga", "programme_office", "none",
         None, "2014-01-01", 11, "ORIENTE"),
    Unit("U-PO-PUTUMAYO", "AG-PER-DRUGS", "Alternative Development Office, Putumayo", "programme_office", "none",
         None, "2019-07-01", 6, "ORIENTE"),
    Unit("U-TX-LIMA", "AG-PER-HEALTH", "Lima Addiction Treatment Centre", "treatment_provider", "none", None,
         None, 40, "LIMA"),
    Unit("U-TX-AREQUIPA", "AG-PER-HEALTH", "Arequipa Mental Health Hospital, Addictions Service",
         "treatment_provider", "none", None, None, 18, "SUR"),
    Unit("U-TX-NGO", "AG-PER-NGO", "Andean Recovery Foundation Community Programme", "treatment_provider", "none",
         None, None, 12, "NORTE"),
    Unit("U-TX-PRISON", "AG-PER-HEALTH", "Prison Health Addictions Programme", "treatment_provider", "none",
         None, None, 10, "LIMA"),
)
TREATMENT_PROVIDERS = tuple(u.unit_id for u in SUPPORT_UNITS if u.kind == "treatment_provider")
PROGRAMME_OFFICES = tuple(u.unit_id for u in SUPPORT_UNITS if u.kind == "programme_office")


@dataclass
class Institutions:
    """Every unit and staff member, with the prosecution offices and courts of the chosen scale."""

    units: list[Unit]
    offices: list[Unit]
    office_region: np.ndarray
    courts: dict[str, Unit]
    staff: dict[str, list] = field(default_factory=dict)
    prosecutors: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    prosecutor_office: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    prosecutor_joined: np.ndarray = field(default_factory=lambda: np.array([], dtype="datetime64[D]"))
    judges: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    judge_region: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    officers_by_unit: dict[str, np.ndarray] = field(default_factory=dict)
    lab_analysts: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))

    def office_index(self, region: str) -> np.ndarray:
        return np.flatnonzero(self.office_region == region)


def build_institutions(rng: np.random.Generator, scale: Scale) -> Institutions:
    offices: list[Unit] = []
    for region in REGIONS:
        for k in range(scale.offices_per_region[region]):
            offices.append(Unit(
                f"U-PPO-{region}-{k + 1:02d}", "AG-PER-PROSECUTION",
                f"Specialised Drug Prosecution Office {REGION_NAMES[region]} no. {k + 1}", "prosecution_office",
                "none", None, None, scale.prosecutors_per_office + 3, region,
            ))
    courts = {
        region: Unit(f"U-COURT-{region}", "AG-PER-COURTS", f"Criminal Court for Drug Offences, {REGION_NAMES[region]}",
                     "court", "none", None, None, scale.judges_per_region * 3, region)
        for region in REGIONS
    }
    units = [*INTERDICTION_UNITS, *INVESTIGATION_UNITS, *SUPPORT_UNITS, *offices, *courts.values()]
    institutions = Institutions(units, offices, np.array([o.region for o in offices], dtype=object), courts)
    _add_staff(rng, scale, institutions)
    return institutions


def _add_staff(rng: np.random.Generator, scale: Scale, inst: Institutions) -> None:
    staff_id: list[str] = []
    unit_id: list[str] = []
    role: list[str] = []
    joined: list[np.datetime64] = []

    def add(unit: str, role_: str, joined_on: np.datetime64) -> str:
        sid = f"ST-{len(staff_id) + 1:05d}"
        staff_id.append(sid)
        unit_id.append(unit)
        role.append(role_)
        joined.append(joined_on)
        return sid

    def seniority(n: int) -> np.ndarray:
        days = rng.integers(0, 20 * 365, n)
        return np.datetime64("2020-12-31", "D") - days.astype("timedelta64[D]")

    for unit in (*INTERDICTION_UNITS, *INVESTIGATION_UNITS):
        n_officers = min(unit.staff_count, 12)
        dates = seniority(n_officers)
        ids = [add(unit.unit_id, "supervisor" if i == 0 else ("analyst" if i == 1 else "officer"), dates[i])
               for i in range(n_officers)]
        inst.officers_by_unit[unit.unit_id] = np.array(ids[2:] or ids, dtype=object)
    inst.lab_analysts = np.array([add("U-LAB", "lab_analyst", d) for d in seniority(6)], dtype=object)
    for unit in ("U-CYBER", "U-FIU"):
        for d in seniority(3):
            add(unit, "analyst", d)
    prosecutors, p_office, p_joined = [], [], []
    for i, office in enumerate(inst.offices):
        add(office.unit_id, "supervisor", seniority(1)[0])
        # Offices outside the capital are smaller.
        n_prosecutors = scale.prosecutors_per_office if office.region == "LIMA" else max(
            4, round(scale.prosecutors_per_office * 0.75))
        dates = seniority(n_prosecutors)
        for d in dates:
            prosecutors.append(add(office.unit_id, "prosecutor", d))
            p_office.append(i)
            p_joined.append(d)
    judges, j_region = [], []
    for region, court in inst.courts.items():
        for d in seniority(scale.judges_per_region):
            judges.append(add(court.unit_id, "judge", d))
            j_region.append(region)
    inst.prosecutors = np.array(prosecutors, dtype=object)
    inst.prosecutor_office = np.array(p_office, dtype=np.int64)
    inst.prosecutor_joined = np.array(p_joined, dtype="datetime64[D]")
    inst.judges = np.array(judges, dtype=object)
    inst.judge_region = np.array(j_region, dtype=object)
    inst.staff = {"staff_id": staff_id, "unit_id": unit_id, "role": role, "joined_on": joined}


def agency_columns() -> dict[str, list[str]]:
    return {
        "agency_id": [a[0] for a in AGENCIES],
        "name": [a[1] for a in AGENCIES],
        "country": [COUNTRY] * len(AGENCIES),
        "kind": [a[2] for a in AGENCIES],
    }


def unit_columns(inst: Institutions) -> dict[str, list]:
    units = inst.units
    return {
        "unit_id": [u.unit_id for u in units],
        "agency_id": [u.agency_id for u in units],
        "name": [u.name for u in units],
        "kind": [u.kind for u in units],
        "programme": [u.programme for u in units],
        "entry_point_id": [u.entry_point_id for u in units],
        "operational_since": np.array([u.operational_since or "NaT" for u in units], dtype="datetime64[D]"),
        "staff_count": [u.staff_count for u in units],
    }


def entry_point_columns() -> dict[str, list]:
    return {
        "entry_point_id": [e.entry_point_id for e in ENTRY_POINTS],
        "name": [e.name for e in ENTRY_POINTS],
        "kind": [e.kind for e in ENTRY_POINTS],
        "country": [COUNTRY] * len(ENTRY_POINTS),
        "code": [e.code for e in ENTRY_POINTS],
        "latitude": [e.latitude for e in ENTRY_POINTS],
        "longitude": [e.longitude for e in ENTRY_POINTS],
        "annual_traffic": [e.annual_traffic for e in ENTRY_POINTS],
    }
