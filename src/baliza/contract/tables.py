"""The tables of the interchange format, version 0, written as code.

Written from `shared/contract/tables.yaml`; the project never reads that file at run time.
Each table is declared as data: column name, type, whether it is required, and for enums
the allowed values, for references the table they point at.
"""

from __future__ import annotations

from baliza.contract.spec import Column, ColumnType, Table
from baliza.contract.vocabularies import (
    ENTRY_POINT_KINDS,
    PROGRAMMES,
    QUANTITY_UNITS,
    SUBSTANCE_GROUPS,
    TRANSPORT_MODES,
)

CONTRACT_VERSION = 0

T = ColumnType


def col(name: str, type_: ColumnType, required: bool = False, *, personal: bool = False) -> Column:
    return Column(name, type_, required, personal=personal)


def enum(name: str, values: tuple[str, ...] | list[str], required: bool = False) -> Column:
    return Column(name, T.ENUM, required, values=tuple(values))


def ref(name: str, table: str, required: bool = False) -> Column:
    return Column(name, T.REF, required, references=table)


def table(name: str, key: str | tuple[str, ...], *columns: Column, description: str = "") -> Table:
    return Table(name, (key,) if isinstance(key, str) else key, columns, description)


TABLES: tuple[Table, ...] = (
    table(
        "agencies", "agency_id",
        col("agency_id", T.ID, True),
        col("name", T.STRING, True),
        col("country", T.COUNTRY, True),
        enum("kind", ["customs", "police", "drug_agency", "prosecution", "attorney_general", "court", "fiu",
                      "ministry", "ngo", "international", "other"], True),
    ),
    table(
        "units", "unit_id",
        col("unit_id", T.ID, True),
        ref("agency_id", "agencies", True),
        col("name", T.STRING, True),
        enum("kind", ["port_control_unit", "airport_task_force", "maritime_unit", "border_unit",
                      "prosecution_office", "investigation_unit", "cyber_unit", "fiu_unit", "court",
                      "treatment_provider", "programme_office", "other"], True),
        enum("programme", PROGRAMMES),
        ref("entry_point_id", "entry_points"),
        col("operational_since", T.DATE),
        col("staff_count", T.INT),
        description="Operational units: port control units, airport task forces, prosecution offices...",
    ),
    table(
        "entry_points", "entry_point_id",
        col("entry_point_id", T.ID, True),
        col("name", T.STRING, True),
        enum("kind", ENTRY_POINT_KINDS, True),
        col("country", T.COUNTRY, True),
        col("code", T.STRING),
        col("latitude", T.DECIMAL),
        col("longitude", T.DECIMAL),
        col("annual_traffic", T.INT),
    ),
    table(
        "staff", "staff_id",
        col("staff_id", T.ID, True),
        ref("unit_id", "units", True),
        enum("role", ["officer", "analyst", "investigator", "prosecutor", "supervisor", "judge", "lab_analyst",
                      "other"], True),
        col("display_name", T.STRING),
        col("joined_on", T.DATE),
    ),
    table(
        "persons", "person_id",
        col("person_id", T.ID, True),
        col("full_name", T.STRING, personal=True),
        col("birth_date", T.DATE, personal=True),
        col("nationality", T.COUNTRY),
        col("id_document", T.STRING, personal=True),
        col("phone", T.STRING, personal=True),
        col("address", T.STRING, personal=True),
        col("protected", T.BOOL),
        description="Suspects, defendants, couriers, vendors, enrolled farmers, treatment clients.",
    ),
    table(
        "organizations", "organization_id",
        col("organization_id", T.ID, True),
        col("name", T.STRING, True),
        col("country", T.COUNTRY),
        col("registration_number", T.STRING),
        enum("kind", ["company", "shipper", "consignee", "freight_forwarder", "carrier", "exchange", "ngo",
                      "other"]),
        col("address", T.STRING),
    ),
    table(
        "consignments", "consignment_id",
        col("consignment_id", T.ID, True),
        ref("entry_point_id", "entry_points", True),
        enum("mode", TRANSPORT_MODES, True),
        col("declared_at", T.DATETIME, True),
        col("reference", T.STRING),
        col("origin_country", T.COUNTRY),
        col("transit_countries", T.LIST),
        col("destination_country", T.COUNTRY),
        col("hs_code", T.STRING),
        col("declared_description", T.TEXT),
        col("declared_value_usd", T.DECIMAL),
        col("gross_weight_kg", T.DECIMAL),
        ref("shipper_id", "organizations"),
        ref("consignee_id", "organizations"),
        ref("traveller_id", "persons"),
        col("carrier", T.STRING),
        enum("payment_method", ["bank_transfer", "cash", "letter_of_credit", "prepaid", "other", "unknown"]),
    ),
    table(
        "inspections", "inspection_id",
        col("inspection_id", T.ID, True),
        ref("consignment_id", "consignments", True),
        ref("unit_id", "units", True),
        col("inspected_at", T.DATETIME, True),
        enum("selection", ["risk_profile", "intelligence", "partner_alert", "random", "detector_dog", "scanner",
                           "other"], True),
        enum("outcome", ["no_find", "seizure", "other_offence"], True),
        col("minutes_spent", T.INT),
    ),
    table(
        "seizures", "seizure_id",
        col("seizure_id", T.ID, True),
        ref("unit_id", "units", True),
        col("seized_at", T.DATETIME, True),
        ref("entry_point_id", "entry_points"),
        ref("inspection_id", "inspections"),
        ref("operation_id", "operations"),
        col("substance", T.STRING, True),
        enum("substance_group", SUBSTANCE_GROUPS, True),
        col("quantity", T.DECIMAL, True),
        enum("quantity_unit", QUANTITY_UNITS, True),
        col("lab_quantity", T.DECIMAL),
        col("lab_purity_pct", T.DECIMAL),
        col("lab_confirmed_at", T.DATETIME),
        col("concealment", T.STRING),
        col("origin_country", T.COUNTRY),
        col("destination_country", T.COUNTRY),
        col("intelligence_led", T.BOOL),
        col("shared_with_partners_at", T.DATETIME),
    ),
    table(
        "arrests", "arrest_id",
        col("arrest_id", T.ID, True),
        ref("person_id", "persons", True),
        ref("unit_id", "units", True),
        col("arrested_at", T.DATETIME, True),
        ref("seizure_id", "seizures"),
    ),
    table(
        "cases", "case_id",
        col("case_id", T.ID, True),
        ref("office_id", "units", True),
        col("opened_at", T.DATETIME, True),
        enum("origin", ["seizure", "arrest", "referral", "investigation", "complaint", "other"], True),
        ref("seizure_id", "seizures"),
        ref("lead_prosecutor_id", "staff"),
        enum("assignment", ["random", "rota", "manual", "specialised"]),
        col("limitation_date", T.DATE),
        description="A prosecution case file.",
    ),
    table(
        "case_parties", ("case_id", "person_id"),
        ref("case_id", "cases", True),
        ref("person_id", "persons", True),
        enum("role", ["defendant", "suspect", "witness", "protected_witness", "victim"], True),
    ),
    table(
        "charges", "charge_id",
        col("charge_id", T.ID, True),
        ref("case_id", "cases", True),
        ref("person_id", "persons", True),
        col("filed_at", T.DATETIME, True),
        enum("offence", ["trafficking", "possession_for_supply", "possession", "production", "money_laundering",
                         "corruption", "organised_crime", "other"], True),
        enum("substance_group", SUBSTANCE_GROUPS),
        col("quantity", T.DECIMAL),
        enum("quantity_unit", QUANTITY_UNITS),
    ),
    table(
        "case_events", "event_id",
        col("event_id", T.ID, True),
        ref("case_id", "cases", True),
        col("at", T.DATETIME, True),
        enum("kind", ["assigned", "reassigned", "hearing", "adjourned", "evidence_filed", "evidence_missing",
                      "evidence_destroyed", "plea_offered", "indicted", "dismissed", "acquitted", "convicted",
                      "sentenced", "appealed", "closed"], True),
        ref("staff_id", "staff"),
        enum("requested_by", ["prosecution", "defence", "court", "other"]),
        col("note", T.TEXT),
    ),
    table(
        "dispositions", ("case_id", "person_id"),
        ref("case_id", "cases", True),
        ref("person_id", "persons", True),
        col("disposed_at", T.DATETIME, True),
        enum("outcome", ["convicted", "plea_convicted", "acquitted", "dismissed", "diverted", "statute_barred",
                         "withdrawn", "died"], True),
        ref("judge_id", "staff"),
        col("sentence_months", T.DECIMAL),
        col("fine_usd", T.DECIMAL),
    ),
    table(
        "assets", "asset_id",
        col("asset_id", T.ID, True),
        enum("kind", ["cash", "bank_account", "real_estate", "vehicle", "vessel", "aircraft", "company_share",
                      "crypto", "jewellery", "other"], True),
        col("estimated_value_usd", T.DECIMAL, True),
        ref("case_id", "cases"),
        ref("owner_person_id", "persons"),
        ref("owner_organization_id", "organizations"),
        col("jurisdiction", T.COUNTRY),
        col("identified_at", T.DATE),
        col("frozen_at", T.DATE),
        col("confiscated_at", T.DATE),
        col("recovered_at", T.DATE),
        col("returned_at", T.DATE),
        col("released_at", T.DATE),
        description="Proceeds and instrumentalities traced, frozen, confiscated and recovered.",
    ),
    table(
        "operations", "operation_id",
        col("operation_id", T.ID, True),
        col("name", T.STRING, True),
        col("starts_on", T.DATE, True),
        col("ends_on", T.DATE, True),
        col("programmes", T.LIST),
        col("unit_ids", T.LIST),
        col("entry_point_ids", T.LIST),
    ),
    table(
        "trainings", "training_id",
        col("training_id", T.ID, True),
        ref("unit_id", "units", True),
        enum("kind", ["training", "mentoring", "joint_exercise", "technical_assistance", "equipment"], True),
        col("topic", T.STRING, True),
        col("starts_on", T.DATE, True),
        col("ends_on", T.DATE),
        col("participants", T.INT),
        col("hours", T.DECIMAL),
        col("provider", T.STRING),
        col("programmes", T.LIST),
    ),
    table(
        "crypto_transfers", ("chain", "tx_hash", "from_address", "to_address", "asset"),
        col("chain", T.STRING, True),
        col("tx_hash", T.STRING, True),
        col("block_time", T.DATETIME, True),
        col("from_address", T.STRING, True),
        col("to_address", T.STRING, True),
        col("asset", T.STRING, True),
        col("amount", T.DECIMAL, True),
        col("amount_usd", T.DECIMAL),
    ),
    table(
        "crypto_io", ("chain", "tx_hash", "direction", "index"),
        col("chain", T.STRING, True),
        col("tx_hash", T.STRING, True),
        col("block_time", T.DATETIME, True),
        enum("direction", ["in", "out"], True),
        col("index", T.INT, True),
        col("address", T.STRING, True),
        col("amount", T.DECIMAL, True),
        col("spent_tx_hash", T.STRING),
        col("spent_index", T.INT),
    ),
    table(
        "crypto_tags", ("chain", "address", "label"),
        col("chain", T.STRING, True),
        col("address", T.STRING, True),
        col("label", T.STRING, True),
        enum("category", ["exchange", "mixer", "darknet_market", "gambling", "ransomware", "scam", "sanctioned",
                          "seized", "suspect", "service", "other"], True),
        col("source", T.STRING),
        col("confidence", T.DECIMAL),
        ref("case_id", "cases"),
        ref("person_id", "persons"),
    ),
    table(
        "online_listings", "listing_id",
        col("listing_id", T.ID, True),
        col("platform", T.STRING, True),
        enum("platform_kind", ["darknet_market", "social_media", "messaging", "surface_web", "forum"], True),
        col("observed_at", T.DATETIME, True),
        col("vendor_handle", T.STRING, True),
        col("title", T.TEXT, True),
        col("description", T.TEXT),
        col("price", T.DECIMAL),
        col("currency", T.STRING),
        col("ships_from", T.STRING),
        col("ships_to", T.STRING),
        col("url", T.STRING),
        col("vendor_pgp_fingerprint", T.STRING),
        col("vendor_contact", T.STRING),
        col("crypto_address", T.STRING),
    ),
    table(
        "farmer_enrolments", "enrolment_id",
        col("enrolment_id", T.ID, True),
        ref("person_id", "persons", True),
        ref("programme_office_id", "units", True),
        col("region", T.STRING, True),
        enum("crop", ["coca", "opium_poppy", "cannabis", "other"], True),
        col("hectares", T.DECIMAL),
        col("enrolled_at", T.DATE, True),
        col("dependents", T.INT),
        enum("protection_level", ["none", "confidential", "anonymous", "relocated"]),
        col("threats_reported", T.INT),
        col("employment_sector", T.STRING),
        col("employed_at", T.DATE),
        col("monthly_income_before_usd", T.DECIMAL),
        col("monthly_income_after_usd", T.DECIMAL),
        col("exited_at", T.DATE),
        enum("status", ["enrolled", "placed", "completed", "dropped_out", "relapsed_to_cultivation", "relocated"],
             True),
        description="Alternative-livelihood exit programme for growers of narcotic plants. Confidential.",
    ),
    table(
        "treatment_episodes", "episode_id",
        col("episode_id", T.ID, True),
        ref("person_id", "persons", True),
        ref("provider_id", "units", True),
        col("admitted_at", T.DATE, True),
        col("discharged_at", T.DATE),
        enum("setting", ["outpatient", "residential", "detox", "opioid_agonist", "community", "prison"], True),
        enum("primary_substance_group", SUBSTANCE_GROUPS, True),
        enum("referral", ["self", "family", "health", "court", "police", "ngo", "other"]),
        enum("discharge_reason", ["completed", "transferred", "left", "dismissed", "incarcerated", "died", "other"]),
        col("physical_score_admission", T.DECIMAL),
        col("physical_score_discharge", T.DECIMAL),
        col("mental_score_admission", T.DECIMAL),
        col("mental_score_discharge", T.DECIMAL),
        col("abstinent_at_discharge", T.BOOL),
        description="Rehabilitation: one admission to discharge.",
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

# Tables whose people are confidential whatever their `protected` flag says.
PROTECTING_TABLES: tuple[str, ...] = ("farmer_enrolments", "treatment_episodes")


def get_table(name: str) -> Table:
    """The contract table called `name`; a KeyError names the known tables."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(TABLES_BY_NAME))
        raise KeyError(f"no table {name!r} in contract version {CONTRACT_VERSION}; known: {known}") from None


def load_order() -> list[Table]:
    """Tables ordered so that every referenced table comes before the tables that reference it.

    `seizures` and `operations` reference each other only one way (seizures -> operations), but
    `units` -> `entry_points` means entry points load before units.
    """
    ordered: list[Table] = []
    placed: set[str] = set()
    pending = list(TABLES)
    while pending:
        progressed = False
        for t in list(pending):
            deps = {c.references for c in t.references if c.references != t.name}
            if deps <= placed:
                ordered.append(t)
                placed.add(t.name)
                pending.remove(t)
                progressed = True
        if not progressed:  # pragma: no cover - the contract has no cycles
            raise RuntimeError(f"reference cycle among {[t.name for t in pending]}")
    return ordered
