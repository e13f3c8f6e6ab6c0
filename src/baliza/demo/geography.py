"""The synthetic country's map: a Peru-like coast, Andes and Amazon with real coordinates of real ports,
airports, border crossings and the Lima postal hub. Declared as data; the volumes are invented.

Each entry point belongs to a judicial region; seizures there go to that region's prosecution offices.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTRY = "PER"
COUNTRY_NAME = "Republic of Peru (synthetic)"


@dataclass(frozen=True)
class EntryPoint:
    entry_point_id: str
    name: str
    kind: str
    code: str
    latitude: float
    longitude: float
    annual_traffic: int
    """Containers (TEU), passengers or parcels a year."""
    region: str
    neighbour: str | None = None
    """For land borders: the country across."""


ENTRY_POINTS: tuple[EntryPoint, ...] = (
    EntryPoint("EP-PECLL", "Port of Callao", "seaport", "PECLL", -12.0508, -77.1460, 2_600_000, "LIMA"),
    EntryPoint("EP-PEPAI", "Port of Paita", "seaport", "PEPAI", -5.0846, -81.1143, 320_000, "NORTE"),
    EntryPoint("EP-PEMRI", "Port of Matarani", "seaport", "PEMRI", -17.0010, -72.1060, 90_000, "SUR"),
    EntryPoint("EP-PEPIO", "Port of Pisco (General San Martin)", "seaport", "PEPIO", -13.8060, -76.2870, 60_000,
               "LIMA"),
    EntryPoint("EP-PESVY", "Port of Salaverry", "seaport", "PESVY", -8.2250, -78.9780, 45_000, "NORTE"),
    EntryPoint("EP-PECHM", "Port of Chimbote", "seaport", "PECHM", -9.0770, -78.5990, 30_000, "NORTE"),
    EntryPoint("EP-PEILQ", "Port of Ilo", "seaport", "PEILQ", -17.6390, -71.3410, 40_000, "SUR"),
    EntryPoint("EP-LIM", "Jorge Chavez International Airport, Lima", "airport", "LIM", -12.0219, -77.1143,
               24_000_000, "LIMA"),
    EntryPoint("EP-CUZ", "Alejandro Velasco Astete Airport, Cusco", "airport", "CUZ", -13.5357, -71.9388,
               3_500_000, "SUR"),
    EntryPoint("EP-AQP", "Rodriguez Ballon Airport, Arequipa", "airport", "AQP", -16.3411, -71.5830, 2_100_000,
               "SUR"),
    EntryPoint("EP-IQT", "Francisco Secada Vignetta Airport, Iquitos", "airport", "IQT", -3.7847, -73.3088,
               1_200_000, "ORIENTE"),
    EntryPoint("EP-PCL", "Captain Rolden Airport, Pucallpa", "airport", "PCL", -8.3779, -74.5743, 600_000,
               "ORIENTE"),
    EntryPoint("EP-TPP", "Cadete Guillermo del Castillo Airport, Tarapoto", "airport", "TPP", -6.5087, -76.3732,
               900_000, "NORTE"),
    EntryPoint("EP-DESAG", "Desaguadero border crossing", "land_border", "PEDES", -16.5660, -69.0400, 450_000,
               "SUR", "BOL"),
    EntryPoint("EP-TUMBES", "Aguas Verdes border crossing (Tumbes)", "land_border", "PETYL", -3.4800, -80.2450,
               600_000, "NORTE", "ECU"),
    EntryPoint("EP-TACNA", "Santa Rosa border crossing (Tacna)", "land_border", "PETCQ", -18.3500, -70.3300,
               1_100_000, "SUR", "CHL"),
    EntryPoint("EP-INAPARI", "Inapari border crossing", "land_border", "PEINP", -10.9500, -69.5800, 80_000,
               "ORIENTE", "BRA"),
    EntryPoint("EP-STAROSA", "Santa Rosa de Yavari border post", "land_border", "PESRY", -4.2200, -69.9500,
               40_000, "ORIENTE", "COL"),
    EntryPoint("EP-POSTLIM", "Lima international postal hub", "postal_hub", "PELIMPO", -12.0560, -77.0400,
               5_500_000, "LIMA"),
    EntryPoint("EP-DRYLIM", "Callao extra-port container terminal", "dry_port", "PECLLDP", -12.0300, -77.1000,
               350_000, "LIMA"),
)

REGIONS: tuple[str, ...] = ("LIMA", "NORTE", "SUR", "ORIENTE")
REGION_NAMES = {"LIMA": "Lima and Callao", "NORTE": "North", "SUR": "South", "ORIENTE": "Amazon"}
REGION_CITIES = {
    "LIMA": ("Lima", "Callao", "Ica", "Huacho"),
    "NORTE": ("Piura", "Trujillo", "Chiclayo", "Tumbes", "Tarapoto"),
    "SUR": ("Arequipa", "Cusco", "Puno", "Tacna", "Moquegua"),
    "ORIENTE": ("Iquitos", "Pucallpa", "Puerto Maldonado", "Tingo Maria"),
}

# Destinations of outbound cocaine and origins of inbound synthetics (alpha-3).
EUROPE = ("NLD", "BEL", "ESP", "DEU", "ITA", "FRA", "PRT", "GBR")
AMERICAS = ("USA", "MEX", "BRA", "CHL", "ARG", "PAN", "ECU", "COL", "BOL", "CAN")
ASIA_PACIFIC = ("CHN", "IND", "HKG", "AUS", "JPN", "KOR", "TUR")
