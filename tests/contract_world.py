"""A small world of three agencies written from the interchange format's own text (version 0), not from Baliza's
generator, and a writer that spells it in the ways the contract allows.

The world: customs seizes at a seaport and an airport (consignments, inspections, seizures), the police arrest
the couriers and make seizures of their own, the prosecution opens cases on both agencies' seizures, charges,
hears, disposes and traces assets. Each agency hands its own folder. Ids use characters a real agency's ids
have (spaces, slashes, commas, apostrophes, accents, leading zeros).

`World` holds typed values (aware datetimes, dates, floats, booleans, lists); `write_folder` spells them in a
`Style`: CSV or Parquet, line endings, BOM, quoting, column order, optional columns dropped, extra columns,
datetime offsets and the manifest's date format, decimal mark and time zone. Whatever the style, the same world
must land in the warehouse.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from baliza.contract import TABLES_BY_NAME, ColumnType

CUSTOMS, POLICE, PROSECUTION = "AG PER Aduanas", "ag.per/policía", "AG-PER-FISCALÍA#1"
MINISTRY = "MINSA:DEVIDA"
OWNERS = (CUSTOMS, POLICE, PROSECUTION)
Row = dict[str, Any]


@dataclass
class World:
    """Rows by agency and table, with typed values (None: empty)."""

    folders: dict[str, dict[str, list[Row]]] = field(default_factory=dict)

    def add(self, agency: str, table: str, **row: Any) -> Row:
        self.folders.setdefault(agency, {}).setdefault(table, []).append(row)
        return row

    def rows(self, table: str) -> list[Row]:
        return [r for tables in self.folders.values() for r in tables.get(table, [])]


def _at(rng: random.Random, start: datetime, days: int) -> datetime:
    return (start + timedelta(days=rng.randrange(days), minutes=rng.randrange(24 * 60))).replace(second=0)


def build_world(seed: int = 7) -> World:
    rng = random.Random(seed)
    w = World()
    w.add(CUSTOMS, "agencies", agency_id=CUSTOMS, name="Superintendencia de Aduanas", country="PER", kind="customs")
    w.add(POLICE, "agencies", agency_id=POLICE, name="Policía Nacional, DIRANDRO", country="PER", kind="police")
    w.add(PROSECUTION, "agencies", agency_id=PROSECUTION, name="Fiscalía \"antidrogas\"", country="PER",
          kind="prosecution")
    w.add(CUSTOMS, "entry_points", entry_point_id="PE CLL", name="Callao", kind="seaport", country="PER",
          code="PECLL", latitude=-12.0508, longitude=-77.1426, annual_traffic=2_600_000)
    w.add(CUSTOMS, "entry_points", entry_point_id="007", name="Jorge Chávez", kind="airport", country="PER",
          code="LIM", latitude=-12.0219, longitude=-77.1143, annual_traffic=None)
    pcu = w.add(CUSTOMS, "units", unit_id="PCU/Callao", agency_id=CUSTOMS, name="Port Control Unit Callao",
                kind="port_control_unit", programme="CCP", entry_point_id="PE CLL", operational_since=date(2019, 5, 2),
                staff_count=14)
    jaitf = w.add(CUSTOMS, "units", unit_id="JAITF, Lima", agency_id=CUSTOMS, name="JAITF Lima",
                  kind="airport_task_force", programme="AIRCOP", entry_point_id="007", operational_since=None,
                  staff_count=None)
    police = w.add(POLICE, "units", unit_id="DIRANDRO 'Norte'", agency_id=POLICE, name="DIRANDRO Norte",
                   kind="investigation_unit", programme="none", entry_point_id=None, operational_since=None,
                   staff_count=40)
    office = w.add(PROSECUTION, "units", unit_id="FE-TID Lima", agency_id=PROSECUTION,
                   name="Fiscalía especializada, Lima", kind="prosecution_office", programme=None,
                   entry_point_id=None, operational_since=date(2010, 1, 1), staff_count=9)
    court = w.add(PROSECUTION, "units", unit_id="CSJ Lima", agency_id=PROSECUTION, name="Corte Superior de Lima",
                  kind="court", programme=None, entry_point_id=None, operational_since=None, staff_count=None)
    prosecutors = [w.add(PROSECUTION, "staff", staff_id=f"P-{i:03d}", unit_id=office["unit_id"], role="prosecutor",
                         display_name=f"Fiscal {i}", joined_on=date(2015 + i, 3, 1)) for i in range(1, 4)]
    judges = [w.add(PROSECUTION, "staff", staff_id=f"J.{i}", unit_id=court["unit_id"], role="judge",
                    display_name=None, joined_on=None) for i in range(1, 3)]
    w.add(CUSTOMS, "operations", operation_id="OP Pacífico", name="Operación Pacífico",
          starts_on=date(2025, 2, 1), ends_on=date(2025, 4, 30), programmes=["CCP", "AIRCOP"],
          unit_ids=[pcu["unit_id"], jaitf["unit_id"]], entry_point_ids=["PE CLL", "007"])
    for i, topic in enumerate(["Container profiling", "Passenger risk, \"behaviour\""]):
        w.add(CUSTOMS, "trainings", training_id=f"TR-{i}", unit_id=[pcu, jaitf][i]["unit_id"],
              kind=["training", "mentoring"][i], topic=topic, starts_on=date(2024, 6 + i, 3),
              ends_on=date(2024, 6 + i, 7) if i == 0 else None, participants=12 if i == 0 else None,
              hours=35.5 if i == 0 else None, provider="UNODC" if i == 0 else None,
              programmes=["CCP"] if i == 0 else None)
    persons = []
    for i in range(24):
        persons.append(w.add(
            POLICE, "persons", person_id=f"X-{i:04d}", full_name=f"Persona {chr(65 + i)} Quispe",
            birth_date=date(1970 + i, 1 + i % 12, 1 + i % 28) if i % 3 else None,
            nationality=["PER", "COL", "ESP", None][i % 4], id_document=f"DNI {40000000 + i}" if i % 2 else None,
            phone=None, address=None, protected=True if i == 5 else (False if i % 2 else None)))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    seizures: list[Row] = []
    for i in range(30):
        at_sea = i % 3 != 0
        unit, point = (pcu, "PE CLL") if at_sea else (jaitf, "007")
        declared = _at(rng, start, 600)
        consignment = w.add(
            CUSTOMS, "consignments", consignment_id=f"CN-{i:03d}", entry_point_id=point,
            mode="sea_container" if at_sea else "air_passenger", declared_at=declared,
            reference=f"MSKU{1000000 + i}" if at_sea else f"LA2{i:03d}/14C",
            origin_country="COL" if i % 2 else None, transit_countries=["PAN", "ECU"] if i % 4 == 1 else None,
            destination_country="ESP" if i % 2 else "NLD",
            hs_code="0803" if at_sea else None,
            declared_description="Bananas, fresh\nreefer container" if at_sea else None,
            declared_value_usd=round(rng.uniform(1000, 90000), 2) if at_sea else None,
            gross_weight_kg=round(rng.uniform(100, 25000), 1) if at_sea else None, shipper_id=None,
            consignee_id=None, traveller_id=None if at_sea else persons[i % 24]["person_id"],
            carrier="Maersk" if at_sea else None, payment_method="bank_transfer" if at_sea else None)
        found = i < 20
        inspection = w.add(
            CUSTOMS, "inspections", inspection_id=f"IN-{i:03d}", consignment_id=consignment["consignment_id"],
            unit_id=unit["unit_id"], inspected_at=declared + timedelta(hours=5), selection="risk_profile",
            outcome="seizure" if found else "no_find", minutes_spent=90 if i % 2 else None)
        if not found:
            continue
        seized = declared + timedelta(hours=6)
        seizures.append(w.add(
            CUSTOMS, "seizures", seizure_id=f"SZ/2024/{i:03d}", unit_id=unit["unit_id"], seized_at=seized,
            entry_point_id=point, inspection_id=inspection["inspection_id"],
            operation_id="OP Pacífico" if i == 4 else None, substance="cocaine hydrochloride",
            substance_group="cocaine_type", quantity=round(rng.uniform(0.5, 400), 3), quantity_unit="kg",
            lab_quantity=None, lab_purity_pct=round(rng.uniform(40, 95), 1) if i % 2 else None,
            lab_confirmed_at=seized + timedelta(days=9) if i % 2 else None,
            concealment="Rip-on/rip-off, \"gancho ciego\"" if at_sea else "ingestion",
            origin_country="COL" if i % 2 else None, destination_country="ESP",
            intelligence_led=bool(i % 2) if i % 5 else None,
            shared_with_partners_at=seized + timedelta(hours=30) if i % 3 == 1 else None))
    for i in range(6):
        seized = _at(rng, start, 600)
        seizures.append(w.add(
            POLICE, "seizures", seizure_id=f"{i:02d}", unit_id=police["unit_id"], seized_at=seized,
            entry_point_id=None, inspection_id=None, operation_id=None, substance="marihuana prensada",
            substance_group="cannabis_type", quantity=float(10 + i), quantity_unit="kg", lab_quantity=9.5 + i,
            lab_purity_pct=None, lab_confirmed_at=None, concealment=None, origin_country=None,
            destination_country=None, intelligence_led=True, shared_with_partners_at=None))
    cases: list[Row] = []
    for i, seizure in enumerate(seizures[:22]):
        person = persons[i]
        w.add(POLICE, "arrests", arrest_id=f"AR {i}", person_id=person["person_id"], unit_id=police["unit_id"],
              arrested_at=seizure["seized_at"] + timedelta(hours=2), seizure_id=seizure["seizure_id"])
        if i >= 16:
            continue
        opened = seizure["seized_at"] + timedelta(days=3 + i)
        prosecutor = prosecutors[i % 3]["staff_id"]
        case = w.add(PROSECUTION, "cases", case_id=f"CASO-{2024}-{i:03d}", office_id=office["unit_id"],
                     opened_at=opened, origin="seizure", seizure_id=seizure["seizure_id"],
                     lead_prosecutor_id=prosecutor if i != 7 else None,
                     assignment=["random", "rota", None][i % 3], limitation_date=date(2034, 1, 1))
        cases.append(case)
        w.add(PROSECUTION, "case_parties", case_id=case["case_id"], person_id=person["person_id"], role="defendant")
        if i % 4 == 0:
            w.add(PROSECUTION, "case_parties", case_id=case["case_id"], person_id=persons[23 - i // 4]["person_id"],
                  role="witness")
        w.add(PROSECUTION, "charges", charge_id=f"CH-{i}", case_id=case["case_id"], person_id=person["person_id"],
              filed_at=opened + timedelta(days=20), offence="trafficking",
              substance_group=seizure["substance_group"], quantity=seizure["quantity"] if i % 2 else None,
              quantity_unit="kg" if i % 2 else None)
        events = [("assigned", 0, prosecutor), ("hearing", 60, judges[i % 2]["staff_id"]),
                  ("adjourned", 90, None), ("hearing", 120, judges[i % 2]["staff_id"])]
        for n, (kind, days, staff) in enumerate(events):
            w.add(PROSECUTION, "case_events", event_id=f"EV-{i}-{n}", case_id=case["case_id"],
                  at=opened + timedelta(days=days), kind=kind, staff_id=staff if i != 7 else None,
                  requested_by="defence" if kind == "adjourned" else None,
                  note="Defensa pide aplazamiento;\nnuevo perito" if kind == "adjourned" else None)
        if i < 11:
            w.add(PROSECUTION, "dispositions", case_id=case["case_id"], person_id=person["person_id"],
                  disposed_at=opened + timedelta(days=150 + 10 * i),
                  outcome=["convicted", "plea_convicted", "acquitted", "dismissed"][i % 4],
                  judge_id=judges[i % 2]["staff_id"] if i % 4 != 3 else None,
                  sentence_months=96.0 + i if i % 4 < 2 else None, fine_usd=1500.5 if i % 4 == 0 else None)
    for i, case in enumerate(cases[:5]):
        identified = case["opened_at"].date() + timedelta(days=30)
        w.add(PROSECUTION, "assets", asset_id=f"AS-{i}", kind=["cash", "vehicle", "real_estate", "crypto", "vessel"][i],
              estimated_value_usd=round(rng.uniform(5000, 800000), 2), case_id=case["case_id"],
              owner_person_id=persons[i]["person_id"] if i % 2 == 0 else None, owner_organization_id=None,
              jurisdiction="PER", identified_at=identified, frozen_at=identified + timedelta(days=5),
              confiscated_at=identified + timedelta(days=200) if i < 3 else None,
              recovered_at=None, returned_at=None, released_at=identified + timedelta(days=90) if i == 4 else None)
    return w


def add_other_tables(w: World) -> World:
    """The tables the chain does not need: organisations, crypto, online listings, and a ministry's programmes
    (its own people, confidential by the contract)."""
    w.add(CUSTOMS, "organizations", organization_id="RUC 20100047218", name="Frutas del Pacífico S.A.C.",
          country="PER", registration_number="20100047218", kind="shipper", address="Av. Néstor Gambetta 123, Callao")
    w.add(CUSTOMS, "organizations", organization_id="NL-KvK 0012", name="Rotterdam Fresh B.V.", country=None,
          registration_number=None, kind=None, address=None)
    for c in w.folders[CUSTOMS]["consignments"][::4]:
        c["shipper_id"], c["consignee_id"] = "RUC 20100047218", "NL-KvK 0012"
    case = w.rows("cases")[0]["case_id"]
    at = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    for i in range(3):
        w.add(PROSECUTION, "crypto_transfers", chain="trx", tx_hash=f"0x{i:064x}", block_time=at + timedelta(hours=i),
              from_address="TXyz" + "a" * 30, to_address=f"TAbc{i}", asset="USDT", amount=1250.123456 + i,
              amount_usd=1250.12 if i else None)
        w.add(PROSECUTION, "crypto_io", chain="btc", tx_hash="f" * 64, block_time=at, direction=["in", "out"][i % 2],
              index=i, address=f"bc1q{i}xyz", amount=0.00012345 * (i + 1),
              spent_tx_hash="e" * 64 if i % 2 == 0 else None, spent_index=i if i % 2 == 0 else None)
    w.add(PROSECUTION, "crypto_tags", chain="trx", address="TXyz" + "a" * 30, label="Vendor wallet, \"El Chino\"",
          category="suspect", source="case file", confidence=0.9, case_id=case,
          person_id=w.rows("persons")[0]["person_id"])
    w.add(PROSECUTION, "crypto_tags", chain="trx", address="TXyz" + "a" * 30, label="Exchange X deposit",
          category="exchange", source=None, confidence=None, case_id=None, person_id=None)
    w.add(POLICE, "online_listings", listing_id="L-1", platform="Telegram @ventas", platform_kind="messaging",
          observed_at=at, vendor_handle="@el_chino", title="Coca 90% 🇵🇪, envío\ndiscreto", description=None,
          price=35.5, currency="USD", ships_from="Lima", ships_to="Worldwide", url=None, vendor_pgp_fingerprint=None,
          vendor_contact="+51 999 555 111", crypto_address="TXyz" + "a" * 30)
    w.add(POLICE, "online_listings", listing_id="L-2", platform="Abacus", platform_kind="darknet_market",
          observed_at=at, vendor_handle="chino_2", title="1g \"=)\" -100% puro", description="tal cual",
          price=None, currency=None, ships_from=None, ships_to=None, url="http://abc.onion/l/2",
          vendor_pgp_fingerprint="ABCD 1234", vendor_contact=None, crypto_address=None)
    w.add(MINISTRY, "agencies", agency_id=MINISTRY, name="DEVIDA", country="PER", kind="ministry")
    w.add(MINISTRY, "units", unit_id="PO VRAEM", agency_id=MINISTRY, name="Oficina VRAEM", kind="programme_office",
          programme=None, entry_point_id=None, operational_since=None, staff_count=None)
    w.add(MINISTRY, "units", unit_id="CT-01", agency_id=MINISTRY, name="Centro de tratamiento",
          kind="treatment_provider", programme=None, entry_point_id=None, operational_since=None, staff_count=None)
    statuses = ["enrolled", "placed", "completed", "dropped_out", "relapsed_to_cultivation", "relocated"]
    for i in range(12):
        person = w.add(MINISTRY, "persons", person_id=f"M{i}", full_name=f"Agricultor {i}", birth_date=None,
                       nationality="PER", id_document=None, phone=None, address=None, protected=None)
        w.add(MINISTRY, "farmer_enrolments", enrolment_id=f"FE-{i}", person_id=person["person_id"],
              programme_office_id="PO VRAEM", region="VRAEM, Ayacucho", crop=["coca", "opium_poppy", "cannabis",
                                                                                "other"][i % 4],
              hectares=1.5 + i / 4, enrolled_at=date(2024, 1 + i % 12, 10), dependents=i % 5,
              protection_level=["none", "confidential", "anonymous", "relocated", None][i % 5],
              threats_reported=i % 3 if i % 2 else None, employment_sector="cacao" if i % 2 else None,
              employed_at=date(2025, 1, 15) if i % 2 else None, monthly_income_before_usd=120.0,
              monthly_income_after_usd=210.5 if i % 2 else None, exited_at=date(2025, 6, 1) if i % 6 == 2 else None,
              status=statuses[i % 6])
        w.add(MINISTRY, "treatment_episodes", episode_id=f"TE-{i}", person_id=person["person_id"], provider_id="CT-01",
              admitted_at=date(2024, 2 + i % 10, 1), discharged_at=date(2024, 12, 1) if i % 3 else None,
              setting=["outpatient", "residential", "detox", "opioid_agonist", "community", "prison"][i % 6],
              primary_substance_group=["cocaine_type", "cannabis_type", "opiates", "other"][i % 4],
              referral=["self", "family", "health", "court", "police", "ngo", "other", None][i % 8],
              discharge_reason=["completed", "transferred", "left", "dismissed", "incarcerated", "died", "other"][i % 7]
              if i % 3 else None, physical_score_admission=40.0 + i, physical_score_discharge=60.5 if i % 3 else None,
              mental_score_admission=35.0, mental_score_discharge=55.0 if i % 3 else None,
              abstinent_at_discharge=bool(i % 2) if i % 3 else None)
    return w


def vary_enums(w: World) -> World:
    """Every value of every enum used somewhere: row i of a table takes the (i + k)-th value of its k-th enum
    column (optional enums are left empty every few rows)."""
    for tables in w.folders.values():
        for table, rows in tables.items():
            enums = [c for c in TABLES_BY_NAME[table].columns if c.type == ColumnType.ENUM]
            for i, row in enumerate(rows):
                for k, column in enumerate(enums):
                    if column.required or (i + k) % 5:
                        row[column.name] = column.values[(i + k) % len(column.values)]
                    else:
                        row[column.name] = None
    return w


# --- spelling the world -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How a folder spells its tables. The defaults are the contract's own plain spelling."""

    format: str = "csv"                      # csv | parquet | pandas (Parquet as pandas writes a data frame)
    #                                          | pandas_csv (CSV as pandas writes a data frame: 14.0, True)
    line_end: str = "\n"
    bom: bool = False
    quote_all: bool = False
    final_newline: bool = True
    column_order: str = "contract"           # contract | reversed | shuffled
    required_only: bool = False
    extra_columns: bool = False
    offset: str = "Z"                        # Z | -05:00 | +0530 | +05 | naive | local (manifest timezone)
    fraction: str = ""                       # seconds with a fraction: "." 10:00:00.000, "," 10:00:00,000
    iso_basic: bool = False                  # ISO 8601 basic format: 20250102T100000Z
    space_separator: bool = False            # 2025-01-02 10:00:00Z
    day_first: bool = False                  # manifest date_format: DD/MM/YYYY
    decimal_comma: bool = False              # manifest decimal_mark: ","
    timezone: str | None = None              # manifest timezone
    booleans: tuple[str, str] = ("true", "false")
    countries: str = "alpha3"                # alpha3 | alpha2 | name
    list_spacing: bool = False               # "CCP | AIRCOP"
    manifest: str = "full"                   # full | minimal | none
    parquet_types: str = "native"            # native (typed columns) | text (every column a string) | binary
    #                                          (native, strings as BYTE_ARRAY without the UTF-8 annotation)


ALPHA2 = {"PER": "PE", "COL": "CO", "ESP": "ES", "NLD": "NL", "PAN": "PA", "ECU": "EC"}
NAMES = {"PER": "Peru", "COL": "Colombia", "ESP": "Spain", "NLD": "Netherlands", "PAN": "Panama", "ECU": "Ecuador"}


def _offset_text(style: Style) -> str:
    return {"Z": "Z", "naive": "", "local": ""}.get(style.offset, style.offset)


def _datetime_text(value: datetime, style: Style) -> str:
    if style.offset == "local":
        assert style.timezone
        value = value.astimezone(ZoneInfo(style.timezone))
    elif style.offset not in ("Z", "naive"):
        sign = -1 if style.offset.startswith("-") else 1
        digits = style.offset[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:]) if len(digits) > 2 else 0)
        value = value.astimezone(timezone(sign * timedelta(minutes=minutes)))
    if style.day_first:
        return value.strftime("%d/%m/%Y %H:%M:%S") + _offset_text(style)
    fraction = style.fraction + "000" if style.fraction else ""
    if style.iso_basic:
        return value.strftime("%Y%m%dT%H%M%S") + fraction + _offset_text(style).replace(":", "")
    separator = " " if style.space_separator else "T"
    return value.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + fraction + _offset_text(style)


def _decimal_text(value: float, style: Style) -> str:
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    if style.decimal_comma:
        whole, _, fraction = text.partition(".")
        negative = whole.startswith("-")
        digits = whole.lstrip("-")
        groups = []
        while len(digits) > 3:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        grouped = ".".join([digits, *groups])
        text = ("-" if negative else "") + grouped + ("," + fraction if fraction else "")
    return text


def text_of(kind: ColumnType, value: Any, style: Style) -> str:
    """A typed value as the style writes it in a CSV cell."""
    if value is None:
        return ""
    if kind == ColumnType.DATETIME:
        return _datetime_text(value, style)
    if kind == ColumnType.DATE:
        return value.strftime("%d/%m/%Y") if style.day_first else value.isoformat()
    if kind == ColumnType.DECIMAL:
        return _decimal_text(value, style)
    if kind == ColumnType.BOOL:
        return style.booleans[0] if value else style.booleans[1]
    if kind == ColumnType.LIST:
        return (" | " if style.list_spacing else "|").join(value)
    if kind == ColumnType.COUNTRY:
        return {"alpha3": value, "alpha2": ALPHA2.get(value, value), "name": NAMES.get(value, value)}[style.countries]
    return str(value)


def _columns(table: str, style: Style, rows: list[Row]) -> list[str]:
    spec = TABLES_BY_NAME[table]
    names = [c.name for c in spec.columns if not style.required_only or c.required]
    if style.column_order == "reversed":
        names.reverse()
    elif style.column_order == "shuffled":
        random.Random(table).shuffle(names)
    if style.extra_columns:
        names.insert(len(names) // 2, "remarks_internal")
        names.append("Exported By")
    return names


def _extra(name: str, index: int) -> str:
    return f"fila {index}, revisado" if name == "remarks_internal" else "SIGAD v3.1"


def _write_csv(path: Path, table: str, rows: list[Row], style: Style) -> None:
    spec = TABLES_BY_NAME[table]
    names = _columns(table, style, rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=style.line_end,
                        quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for index, row in enumerate(rows):
        writer.writerow([text_of(spec.column(n).type, row.get(n), style) if spec.has_column(n) else _extra(n, index)
                         for n in names])
    text = buffer.getvalue()
    if not style.final_newline:
        text = text.removesuffix(style.line_end)
    path.write_bytes((b"\xef\xbb\xbf" if style.bom else b"") + text.encode("utf-8"))


_ARROW = {
    ColumnType.INT: pa.int64(), ColumnType.DECIMAL: pa.float64(), ColumnType.BOOL: pa.bool_(),
    ColumnType.DATE: pa.date32(), ColumnType.LIST: pa.list_(pa.string()),
}


def _arrow_column(kind: ColumnType, values: list[Any], style: Style) -> pa.Array:
    if style.parquet_types == "text":
        return pa.array([text_of(kind, v, style) or None for v in values], pa.string())
    if style.parquet_types == "binary" and kind not in _ARROW and kind != ColumnType.DATETIME:
        return pa.array([None if v is None else str(v).encode("utf-8") for v in values], pa.binary())
    if kind == ColumnType.DATETIME:
        if style.offset == "naive":
            return pa.array([v.astimezone(UTC).replace(tzinfo=None) if v else None for v in values],
                            pa.timestamp("us"))
        zone = style.timezone or "UTC"
        return pa.array([v.astimezone(UTC) if v else None for v in values], pa.timestamp("us", tz=zone))
    return pa.array(values, _ARROW.get(kind, pa.string()))


def _write_parquet(path: Path, table: str, rows: list[Row], style: Style) -> None:
    spec = TABLES_BY_NAME[table]
    names = _columns(table, style, rows)
    arrays = {}
    for name in names:
        if spec.has_column(name):
            arrays[name] = _arrow_column(spec.column(name).type, [r.get(name) for r in rows], style)
        else:
            arrays[name] = pa.array([_extra(name, i) for i in range(len(rows))], pa.string())
    pq.write_table(pa.table(arrays) if arrays else pa.table({}), path)


def _write_pandas(path: Path, table: str, rows: list[Row], style: Style) -> None:
    """As an analyst's script writes it: a data frame of the rows (an integer column with a missing value becomes
    float64, datetimes datetime64[ns, UTC]) with its index, `to_parquet`."""
    import pandas as pd

    names = _columns(table, style, rows)
    frame = pd.DataFrame([{n: r.get(n) for n in names} for r in rows], columns=names)
    for c in TABLES_BY_NAME[table].columns:
        if c.type == ColumnType.DATETIME and c.name in frame:
            frame[c.name] = pd.to_datetime(frame[c.name], utc=True)
    frame.index = frame.index + 100  # not a default index: pandas writes it as a column of its own
    if style.format == "pandas_csv":  # lists joined as the contract says; the rest as pandas spells it
        for c in TABLES_BY_NAME[table].columns:
            if c.type == ColumnType.LIST and c.name in frame:
                frame[c.name] = frame[c.name].map(lambda v: "|".join(v) if isinstance(v, list) else v)
        frame.to_csv(path, index=False)
        return
    frame.to_parquet(path)


def write_manifest(folder: Path, agency: str, style: Style) -> None:
    if style.manifest == "none":
        return
    lines = ["contract_version: 0"]
    if style.manifest == "full":
        lines += [f'dataset: "{agency}, 2024-2026"', f'reported_by: "{agency}"',
                  "period: {from: 2024-01-01, to: 2026-06-30}"]
    if style.day_first:
        lines.append("date_format: DD/MM/YYYY")
    if style.decimal_comma:
        lines.append('decimal_mark: ","')
    if style.timezone:
        lines.append(f"timezone: {style.timezone}")
    (folder / "manifest.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_folder(folder: Path, agency: str, tables: dict[str, list[Row]], style: Style,
                 empty_tables: tuple[str, ...] = ()) -> Path:
    """One agency's folder: its tables in `style`, plus header-only files for `empty_tables`."""
    folder.mkdir(parents=True, exist_ok=True)
    write_manifest(folder, agency, style)
    for table, rows in {**{t: [] for t in empty_tables}, **tables}.items():
        path = folder / f"{table}.{'parquet' if style.format in ('parquet', 'pandas') else 'csv'}"
        writer = {"csv": _write_csv, "parquet": _write_parquet, "pandas": _write_pandas,
                  "pandas_csv": _write_pandas}[style.format]
        writer(path, table, rows, style)
    return folder


def write_world(root: Path, world: World, style: Style | dict[str, Style]) -> dict[str, Path]:
    """Each agency's folder under `root`; `style` is one for all or one per agency."""
    styles = style if isinstance(style, dict) else dict.fromkeys(world.folders, style)
    return {agency: write_folder(root / f"agency_{i}", agency, world.folders[agency], styles[agency])
            for i, agency in enumerate(world.folders)}


def with_style(style: Style, **changes: Any) -> Style:
    return replace(style, **changes)
