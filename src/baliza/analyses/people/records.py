"""The person records each agency loaded, read from the warehouse with their sealed cells opened.

Every person's identifying cells are sealed at rest (`baliza.load.protection`). Resolution needs them
normalised, so they are opened here, in this process, record by record, and handed straight to the
`Pseudonymiser`: the clear values are never written to a table, a file or a log. Which records are
protected (the flag, or enrolment in a protection programme) is read with the loader's own rule
(`baliza.access.protection.protected_person_ids`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from baliza.access import fieldcrypt
from baliza.access.protection import protected_person_ids
from baliza.analyses.people.pseudonyms import PersonRecord
from baliza.warehouse.store import Warehouse

READ_COLUMNS = ("person_id", "_agency_id", "full_name", "birth_date", "nationality", "id_document", "phone")
BATCH_ROWS = 50_000


def _opener(wh: Warehouse) -> Callable[[Any], str | None]:
    ring = getattr(wh, "keys", None) or fieldcrypt.KeyRing.for_warehouse(wh.home)

    def opened(value: Any) -> str | None:
        if value is None:
            return None
        return ring.open(value) if fieldcrypt.is_encrypted(value) else str(value)

    return opened


def person_records(wh: Warehouse) -> Iterator[PersonRecord]:
    """Every person row of every agency, opened, in batches (a country's persons never sit in memory as
    clear text all at once: each batch becomes digests before the next is opened)."""
    protected = protected_person_ids(wh)
    opened = _opener(wh)
    persons = wh.table("persons").select(*READ_COLUMNS)
    after: str | None = None
    while True:  # pages in person_id order (keyset): one page of clear values at a time
        page = persons if after is None else persons.filter(persons.person_id > after)
        rows = page.order_by("person_id").limit(BATCH_ROWS).to_pyarrow().to_pylist()
        if not rows:
            return
        after = rows[-1]["person_id"]
        for row in rows:
            yield PersonRecord(
                person_id=row["person_id"], agency_id=row["_agency_id"] or "",
                full_name=opened(row["full_name"]), birth_date=opened(row["birth_date"]),
                nationality=row["nationality"], id_document=opened(row["id_document"]),
                phone=opened(row["phone"]), protected=row["person_id"] in protected)


def protected_ids(wh: Warehouse) -> set[str]:
    """The protected records (flag or programme), as the rest of Baliza decides it."""
    return protected_person_ids(wh)
