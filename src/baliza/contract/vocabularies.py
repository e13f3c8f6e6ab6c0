"""Controlled vocabularies shared by several tables of the contract (version 0)."""

SUBSTANCE_GROUPS: tuple[str, ...] = (
    "cocaine_type",  # cocaine hydrochloride, coca paste/base, crack
    "cannabis_type",  # herb, resin, oil, plants
    "opiates",  # opium, morphine, heroin
    "synthetic_opioids",  # fentanyl and analogues, nitazenes, tramadol (non-medical)
    "ats",  # amphetamine-type stimulants
    "nps",  # new psychoactive substances
    "sedatives",
    "hallucinogens",
    "precursors",
    "other",
)
QUANTITY_UNITS: tuple[str, ...] = ("kg", "g", "mg", "l", "ml", "tablets", "doses", "plants", "units")
ENTRY_POINT_KINDS: tuple[str, ...] = ("seaport", "airport", "land_border", "postal_hub", "dry_port", "online")
PROGRAMMES: tuple[str, ...] = ("CCP", "AIRCOP", "SEACOP", "none")
TRANSPORT_MODES: tuple[str, ...] = (
    "sea_container",
    "air_cargo",
    "air_passenger",
    "air_mail",
    "postal",
    "land_vehicle",
    "vessel",
    "other",
)

# Convertible units: factor to the base unit of their dimension (mass to kg, volume to l).
MASS_TO_KG: dict[str, float] = {"kg": 1.0, "g": 1e-3, "mg": 1e-6}
VOLUME_TO_L: dict[str, float] = {"l": 1.0, "ml": 1e-3}
