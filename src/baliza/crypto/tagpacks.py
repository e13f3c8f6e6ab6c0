"""Tag packs: YAML files of address tags, every tag kept with its source.

    chain: btc                      # default for every tag of the pack
    source: "Exchange KYC answer 2026-031"   # default source
    confidence: 0.9                 # default confidence, 0..1
    tags:
      - {address: bc1q..., label: "Andes Exchange deposit", category: exchange}
      - {address: bc1q..., label: "Nexo Market", category: darknet_market, source: "court records",
         confidence: 1, case_id: CS-0000098}

A pack is kept in its own table (`crypto_tag_packs`), keyed by chain, address, label and source, so that two
sources tagging one address are both kept (the contract's `crypto_tags` keeps one row per label).
Loading a pack again replaces its own tags and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from baliza.crypto.tags import PACK_TABLE
from baliza.i18n import gettext as _

CATEGORIES = ("exchange", "mixer", "darknet_market", "gambling", "ransomware", "scam", "sanctioned", "seized",
              "suspect", "service", "other")
PACK_DDL = f"""CREATE TABLE IF NOT EXISTS {PACK_TABLE} (
    chain VARCHAR NOT NULL, address VARCHAR NOT NULL, label VARCHAR NOT NULL, category VARCHAR NOT NULL,
    source VARCHAR NOT NULL, confidence DOUBLE, case_id VARCHAR, person_id VARCHAR, pack VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL, _agency_id VARCHAR, _load_id BIGINT, PRIMARY KEY (chain, address, label, source))"""
OWNER_COLUMNS = (("_agency_id", "VARCHAR"), ("_load_id", "BIGINT"))  # added to packs stored before they were owned


class TagPackError(ValueError):
    """A tag pack that breaks the format; the message names the file, the tag and what to fix."""


def read_pack(path: Path) -> list[dict[str, Any]]:
    """The tags of the pack at `path`, each complete (defaults applied) and checked."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TagPackError(_("%(file)s is not valid YAML: %(reason)s", file=path.name, reason=str(error))) from None
    if isinstance(document, list):
        document = {"tags": document}
    if not isinstance(document, dict) or not isinstance(document.get("tags"), list):
        raise TagPackError(_("%(file)s has no list of tags under 'tags'.", file=path.name))
    defaults = {k: document.get(k) for k in ("chain", "source", "confidence")}
    tags = []
    for number, entry in enumerate(document["tags"], start=1):
        if not isinstance(entry, dict):
            raise TagPackError(_("%(file)s, tag %(number)s: a tag is a mapping of address, label, category, "
                                 "source and confidence.", file=path.name, number=number))
        tag = {**{k: v for k, v in defaults.items() if v is not None}, **entry}
        for required in ("chain", "address", "label", "category", "source"):
            if not str(tag.get(required) or "").strip():
                raise TagPackError(_("%(file)s, tag %(number)s: %(field)s is missing.", file=path.name,
                                     number=number, field=required))
        if tag["category"] not in CATEGORIES:
            raise TagPackError(_("%(file)s, tag %(number)s: the category %(category)s is not one of %(allowed)s.",
                                 file=path.name, number=number, category=tag["category"],
                                 allowed=", ".join(CATEGORIES)))
        confidence = tag.get("confidence")
        if confidence is not None and not (isinstance(confidence, int | float) and 0 <= confidence <= 1):
            raise TagPackError(_("%(file)s, tag %(number)s: the confidence must be a number from 0 to 1.",
                                 file=path.name, number=number))
        tags.append({"chain": str(tag["chain"]), "address": str(tag["address"]).strip(),
                     "label": str(tag["label"]), "category": tag["category"], "source": str(tag["source"]),
                     "confidence": None if confidence is None else float(confidence),
                     "case_id": tag.get("case_id"), "person_id": tag.get("person_id")})
    return tags


def load_pack(warehouse: Any, path: Path, agency: str) -> int:
    """Store the pack's tags as `agency`'s (replacing those the same pack stored before); the number stored.

    Tags are owned like every row: only the agency that loaded the pack, and those it shares it with, read
    them (`baliza.crypto.scoped`)."""
    tags = read_pack(path)
    con = warehouse.duckdb
    con.execute(PACK_DDL)
    present = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [PACK_TABLE]).fetchall()}
    for column, kind in OWNER_COLUMNS:
        if column not in present:
            con.execute(f"ALTER TABLE {PACK_TABLE} ADD COLUMN {column} {kind}")
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {PACK_TABLE} WHERE pack = ?", [path.name])
        for tag in tags:
            con.execute(f"INSERT OR REPLACE INTO {PACK_TABLE} (chain, address, label, category, source, "
                        "confidence, case_id, person_id, pack, loaded_at, _agency_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [tag["chain"], tag["address"], tag["label"], tag["category"], tag["source"],
                         tag["confidence"], tag["case_id"], tag["person_id"], path.name, now, agency])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(tags)
