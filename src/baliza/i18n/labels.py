"""Vocabulary values as words for people, in the current language: no page shows `cocaine_type`.

`label("cocaine_type")` is "cocaine-type drugs" in English, "drogas del tipo cocaína" in Spanish.
Values are the contract's codes (substance groups, outcomes, event kinds, entry point kinds...), the
chain's stages and breaks, finding rules and decisions, roles. A value with a different meaning in
one vocabulary is looked up there first (`label("court", "case_events.requested_by")`). A value
nobody labelled is shown as words ("some_code" -> "some code"), never as a code.
"""

from __future__ import annotations

from decimal import Decimal

from baliza.i18n import N_, gettext

LABELS: dict[str, str] = {
    # substance groups
    "cocaine_type": N_("cocaine-type drugs"), "cannabis_type": N_("cannabis-type drugs"),
    "opiates": N_("opiates"), "synthetic_opioids": N_("synthetic opioids"),
    "ats": N_("amphetamine-type stimulants"), "nps": N_("new psychoactive substances"),
    "sedatives": N_("sedatives"), "hallucinogens": N_("hallucinogens"), "precursors": N_("precursors"),
    "other": N_("other"), "unknown": N_("unknown"), "none": N_("none"),
    # agencies and units
    "customs": N_("customs"), "police": N_("police"), "drug_agency": N_("drug control agency"),
    "prosecution": N_("prosecution"), "attorney_general": N_("attorney general"), "court": N_("court"),
    "fiu": N_("financial intelligence unit"), "ministry": N_("ministry"), "ngo": N_("NGO"),
    "international": N_("international organisation"),
    "port_control_unit": N_("port control unit"), "airport_task_force": N_("airport task force"),
    "maritime_unit": N_("maritime unit"), "border_unit": N_("border unit"),
    "prosecution_office": N_("prosecution office"), "investigation_unit": N_("investigation unit"),
    "cyber_unit": N_("cyber unit"), "fiu_unit": N_("financial intelligence unit"),
    "treatment_provider": N_("treatment provider"), "programme_office": N_("programme office"),
    # entry points and transport
    "seaport": N_("seaport"), "airport": N_("airport"), "land_border": N_("land border"),
    "postal_hub": N_("postal hub"), "dry_port": N_("dry port"), "online": N_("online"),
    "sea_container": N_("sea container"), "air_cargo": N_("air cargo"), "air_passenger": N_("air passenger"),
    "air_mail": N_("air mail"), "postal": N_("postal"), "land_vehicle": N_("land vehicle"), "vessel": N_("vessel"),
    # staff, parties, organisations
    "officer": N_("officer"), "analyst": N_("analyst"), "investigator": N_("investigator"),
    "prosecutor": N_("prosecutor"), "supervisor": N_("supervisor"), "judge": N_("judge"),
    "lab_analyst": N_("laboratory analyst"), "defendant": N_("defendant"), "suspect": N_("suspect"),
    "witness": N_("witness"), "protected_witness": N_("protected witness"), "victim": N_("victim"),
    "company": N_("company"), "shipper": N_("shipper"), "consignee": N_("consignee"),
    "freight_forwarder": N_("freight forwarder"), "carrier": N_("carrier"), "exchange": N_("exchange"),
    # inspections
    "risk_profile": N_("risk profile"), "intelligence": N_("intelligence"), "partner_alert": N_("partner alert"),
    "random": N_("random"), "detector_dog": N_("detector dog"), "scanner": N_("scanner"),
    "no_find": N_("nothing found"), "seizure": N_("seizure"), "other_offence": N_("other offence"),
    # cases, charges, events, outcomes
    "arrest": N_("arrest"), "referral": N_("referral"), "investigation": N_("investigation"),
    "complaint": N_("complaint"), "rota": N_("rota"), "manual": N_("manual"), "specialised": N_("specialised"),
    "trafficking": N_("trafficking"), "possession_for_supply": N_("possession for supply"),
    "possession": N_("possession"), "production": N_("production"), "money_laundering": N_("money laundering"),
    "corruption": N_("corruption"), "organised_crime": N_("organised crime"),
    "assigned": N_("assigned"), "reassigned": N_("reassigned"), "hearing": N_("hearing"),
    "adjourned": N_("adjourned"), "evidence_filed": N_("evidence filed"), "evidence_missing": N_("evidence missing"),
    "evidence_destroyed": N_("evidence destroyed"), "plea_offered": N_("plea offered"), "indicted": N_("indicted"),
    "dismissed": N_("dismissed"), "acquitted": N_("acquitted"), "convicted": N_("convicted"),
    "sentenced": N_("sentenced"), "appealed": N_("appealed"), "closed": N_("closed"), "defence": N_("defence"),
    "plea_convicted": N_("convicted on a guilty plea"), "diverted": N_("diverted"),
    "statute_barred": N_("statute-barred"), "withdrawn": N_("withdrawn"), "died": N_("died"),
    # assets, money, crypto, online
    "cash": N_("cash"), "bank_account": N_("bank account"), "real_estate": N_("real estate"),
    "vehicle": N_("vehicle"), "aircraft": N_("aircraft"), "company_share": N_("company shares"),
    "crypto": N_("crypto-assets"), "jewellery": N_("jewellery"), "bank_transfer": N_("bank transfer"),
    "letter_of_credit": N_("letter of credit"), "prepaid": N_("prepaid"), "mixer": N_("mixer"),
    "darknet_market": N_("darknet market"), "gambling": N_("gambling"), "ransomware": N_("ransomware"),
    "scam": N_("scam"), "sanctioned": N_("sanctioned"), "seized": N_("seized"), "service": N_("service"),
    "social_media": N_("social media"), "messaging": N_("messaging"), "surface_web": N_("surface web"),
    "forum": N_("forum"), "in": N_("incoming"), "out": N_("outgoing"),
    # training, programmes, treatment
    "training": N_("training"), "mentoring": N_("mentoring"), "joint_exercise": N_("joint exercise"),
    "technical_assistance": N_("technical assistance"), "equipment": N_("equipment"),
    "coca": N_("coca"), "opium_poppy": N_("opium poppy"), "cannabis": N_("cannabis"),
    "confidential": N_("confidential"), "anonymous": N_("anonymous"), "relocated": N_("relocated"),
    "enrolled": N_("enrolled"), "placed": N_("placed"), "completed": N_("completed"),
    "dropped_out": N_("dropped out"), "relapsed_to_cultivation": N_("relapsed to cultivation"),
    "outpatient": N_("outpatient"), "residential": N_("residential"), "detox": N_("detoxification"),
    "opioid_agonist": N_("opioid agonist treatment"), "community": N_("community"), "prison": N_("prison"),
    "self": N_("self-referral"), "family": N_("family"), "health": N_("health services"),
    "transferred": N_("transferred"), "left": N_("left treatment"), "incarcerated": N_("incarcerated"),
    # the chain: stages, breaks, statuses
    "inspection": N_("inspection"), "lab": N_("laboratory"), "case": N_("case"), "charge": N_("charge"),
    "event": N_("case event"), "disposition": N_("disposition"), "asset": N_("asset"),
    "no_lab_confirmation": N_("no lab confirmation"), "no_case": N_("no case"),
    "charged_below_seized": N_("charged below the seized quantity"), "asset_released": N_("asset released"),
    "limitation_passed": N_("limitation date passed"), "broken": N_("broken"), "too_early": N_("too early to judge"),
    "open": N_("open"), "complete": N_("complete"), "continues_elsewhere": N_("continues at another agency"),
    # findings: rules and decisions; access requests
    "outcome_outlier": N_("unusual case outcomes"), "quantity_shrinkage": N_("quantity shrinking along the chain"),
    "quantity_shrinkage_concentration": N_("quantity shrinkage concentrated in one unit"),
    "seizure_not_converted": N_("seizures not turned into cases"),
    "seizure_not_converted_against_history": N_("fewer seizures turned into cases than before"),
    "steered_large_cases": N_("large cases steered to one prosecutor"),
    "steered_linked_defendants": N_("linked defendants steered to one prosecutor"),
    "reassigned_before_loss": N_("cases reassigned before they were lost"),
    "reassigned_before_loss_concentration": N_("reassignments before loss concentrated"),
    "repeated_prosecution_adjournments": N_("repeated adjournments asked by the prosecution"),
    "statute_barred_concentration": N_("statute-barred cases concentrated"),
    "evidence_lost_before_trial": N_("evidence lost before trial"),
    "evidence_loss_concentration": N_("evidence losses concentrated"),
    "sentencing_outlier": N_("unusual sentences"),
    "person_across_agencies": N_("one person in separate seizures, arrests or cases"), "confirmed": N_("confirmed"),
    "needs_more_data": N_("needs more data"), "undecided": N_("undecided"), "pending": N_("pending"),
    "approved": N_("approved"), "refused": N_("refused"),
    # columns a method text names (what a model compares like with like on)
    "substance_group": N_("substance group"), "quantity_band": N_("quantity band"),
    "defendants_band": N_("number of defendants"), "offence": N_("offence"), "office_id": N_("office"),
    "plea": N_("plea"), "kind": N_("kind of asset"),
    # roles
    "admin": N_("administrator"), "unit_officer": N_("unit officer"),
    "prosecution_inspector": N_("prosecution inspector"), "programme_officer": N_("programme officer"),
    "oversight": N_("oversight"),
}

IN_VOCABULARY: dict[tuple[str, str], str] = {
    ("case_events.requested_by", "court"): N_("the court"),
    ("case_events.requested_by", "other"): N_("someone else"),
    ("treatment_episodes.discharge_reason", "dismissed"): N_("discharged for breaking the rules"),
    ("treatment_episodes.discharge_reason", "completed"): N_("treatment completed"),
    ("farmer_enrolments.status", "relocated"): N_("relocated"),
    ("crypto_tags.category", "seized"): N_("seized by the authorities"),
}

INDICATORS: dict[str, str] = {
    "hit_rate": N_("hit rate"), "hit_rate_targeted": N_("hit rate targeted"),
    "hit_rate_random": N_("hit rate random"), "targeting_lift": N_("targeting lift"),
    "seizures": N_("seizures"), "intelligence_led_share": N_("intelligence led share"),
    "partner_sharing_48h": N_("partner sharing 48 h"),
    "prosecution_conversion": N_("prosecution conversion"),
    "conviction_conversion": N_("conviction conversion"),
    "lab_confirmation_days": N_("lab confirmation days"),
    "joint_operation_share": N_("joint operation share"),
    "new_substance_detections": N_("new substance detections"), "quantity_seized_kg": N_("quantity seized kg"),
    "training_hours_per_staff": N_("training hours per staff"),
    "mentoring_after_operational": N_("mentoring after operational"),
    "mentoring_hours_after_operational": N_("mentoring hours after operational"),
    "clearance_rate": N_("clearance rate"), "disposition_time_days": N_("disposition time (days)"),
    "dismissal_rate": N_("dismissal rate"), "conviction_rate": N_("conviction rate"),
    "case_turnover_ratio": N_("case turnover ratio"), "pending_age_mean_days": N_("mean age of pending cases (days)"),
    "statute_barred_share": N_("share of statute-barred cases"),
    "median_days_seizure_to_case": N_("median days from seizure to case"),
    "median_days_to_disposition": N_("median days to disposition"),
    "median_days_to_resolution_km": N_("median days to resolution (Kaplan–Meier)"),
    "incoming": N_("cases opened"), "resolved": N_("cases resolved"), "pending_end": N_("cases pending at the end"),
    "dea_ccr": N_("DEA efficiency (CCR)"), "dea_bcc": N_("DEA efficiency (BCC)"),
}
"""Indicators as named on pages, in reports and in chart titles (in English, the catalogue's names in words)."""

FIELDS: dict[str, str] = {
    "person_id": N_("person id"), "full_name": N_("full name"), "birth_date": N_("date of birth"),
    "nationality": N_("nationality"), "id_document": N_("identity document"), "phone": N_("phone"),
    "address": N_("address"), "protected": N_("protected"),
}
"""Column names shown as a record's field names."""

UNITS: dict[str, tuple[str, str]] = {
    "tablets": (N_("tablet"), N_("tablets")), "doses": (N_("dose"), N_("doses")),
    "plants": (N_("plant"), N_("plants")), "units": (N_("unit"), N_("units")),
}
"""Counted units, singular and plural; masses and volumes (kg, g, mg, l, ml) are symbols in every language."""


def label(value: object, vocabulary: str | None = None) -> str:
    """A vocabulary value as words in the current language (empty for None)."""
    if value is None:
        return ""
    code = str(getattr(value, "value", value))
    english = IN_VOCABULARY.get((vocabulary, code)) if vocabulary else None
    english = english or LABELS.get(code)
    return gettext(english) if english else code.replace("_", " ")


def indicator_label(name: str | None) -> str:
    """An indicator's name in the current language ('clearance_rate' -> 'clearance rate')."""
    if name is None:
        return ""
    english = INDICATORS.get(str(name))
    return gettext(english) if english else str(name).replace("_", " ")


def indicator_heading(name: str | None) -> str:
    """An indicator's name as a heading or column title: 'clearance_rate' -> 'Clearance rate'."""
    words = indicator_label(name)
    return words[:1].upper() + words[1:]


def field_label(column: str) -> str:
    """A column's name as a field label in the current language ('birth_date' -> 'date of birth')."""
    english = FIELDS.get(column)
    return gettext(english) if english else column.replace("_", " ")


def quantity_unit(unit: str | None, value: float | int | Decimal | None = None) -> str:
    """A unit as written after a number: 'kg', '1 tablet', '3 tablets' (translated)."""
    if unit is None:
        return ""
    forms = UNITS.get(unit)
    if forms is None:
        return unit
    return gettext(forms[0] if value is not None and float(value) == 1 else forms[1])
