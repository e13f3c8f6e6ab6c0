"""The optional `manifest.yaml` of a dataset folder: who reports, and how dates and decimals are written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from baliza.contract import CONTRACT_VERSION
from baliza.load.errors import ManifestError

MANIFEST_NAME = "manifest.yaml"
DATE_FORMATS = {"YYYY-MM-DD": False, "DD/MM/YYYY": True}


@dataclass(frozen=True)
class Manifest:
    dataset: str | None = None
    reported_by: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    day_first: bool = False
    """Dates are written DD/MM/YYYY (`date_format: DD/MM/YYYY`)."""
    decimal_comma: bool = False
    """Decimals are written with a comma (`decimal_mark: ","`)."""
    timezone: str | None = None
    """For datetimes written without an offset; UTC when absent."""
    successor_of: tuple[str, ...] = ()
    """Agencies whose rows the reporting agency may change (`successor_of: [AG-OLD]`: it took over their
    reporting); see `baliza.load.ownership`."""


def read_manifest(folder: Path) -> Manifest:
    """The manifest of `folder`, or the defaults of the contract when there is none."""
    path = folder / MANIFEST_NAME
    if not path.exists():
        return Manifest()
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not readable YAML ({exc.__class__.__name__})") from None
    if not isinstance(content, dict):
        raise ManifestError(f"{path}: expected keys such as reported_by, date_format, decimal_mark")
    version = content.get("contract_version", CONTRACT_VERSION)
    if str(version) != str(CONTRACT_VERSION):
        raise ManifestError(
            f"{path}: contract_version {version} is not supported (this Baliza reads {CONTRACT_VERSION})"
        )
    date_format = str(content.get("date_format") or "YYYY-MM-DD").strip().upper()
    if date_format not in DATE_FORMATS:
        raise ManifestError(f"{path}: date_format {date_format!r} is not one of {', '.join(DATE_FORMATS)}")
    decimal_mark = str(content.get("decimal_mark") or ".").strip()
    if decimal_mark not in {".", ","}:
        raise ManifestError(f"{path}: decimal_mark {decimal_mark!r} must be '.' or ','")
    timezone = content.get("timezone")
    if timezone:
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ManifestError(f"{path}: timezone {timezone!r} is not an IANA time zone like America/Lima") from None
    successor_of = content.get("successor_of") or []
    if isinstance(successor_of, str):
        successor_of = [successor_of]
    if not isinstance(successor_of, list) or not all(isinstance(a, str) and a.strip() for a in successor_of):
        raise ManifestError(f"{path}: successor_of must be a list of agency ids, like [AG-OLD]")
    period = content.get("period") or {}
    return Manifest(
        dataset=str(content["dataset"]) if content.get("dataset") else None,
        reported_by=str(content["reported_by"]).strip() if content.get("reported_by") else None,
        period_from=_date(period.get("from")) if isinstance(period, dict) else None,
        period_to=_date(period.get("to")) if isinstance(period, dict) else None,
        day_first=DATE_FORMATS[date_format],
        decimal_comma=decimal_mark == ",",
        timezone=str(timezone) if timezone else None,
        successor_of=tuple(a.strip() for a in successor_of),
    )


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if value:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None
    return None
