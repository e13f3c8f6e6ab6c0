"""Agency ids named by an administrator or a sharing form are checked against the warehouse's agencies
table: a grant or an account for an agency that does not exist, or for a near-variant of one ("ag-cus",
"AG CUS"), would silently give nothing to anyone, or something to the wrong one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from typing import Any

from baliza.i18n import gettext as _

_SEPARATORS = re.compile(r"[\s_\-.]+")


class UnknownAgency(ValueError):
    """An agency id that is not in the warehouse's agencies table."""


def known_agencies(wh: Any) -> list[dict[str, str]]:
    """The agencies of the warehouse: id and name, by id."""
    t = wh.table("agencies")
    rows = t.select("agency_id", "name").order_by("agency_id").to_pyarrow().to_pylist()
    return [{"agency_id": r["agency_id"], "name": r["name"] or ""} for r in rows]


def _folded(agency_id: str) -> str:
    return _SEPARATORS.sub("", agency_id).casefold()


def check_agency(agency_id: str, known: Collection[str], what: str = "agency") -> str:
    """`agency_id` if it is one of `known`, exactly; else an error that names the right id when the
    input differs from it only in case, spaces or separators, or the closest ids otherwise."""
    if agency_id in known:
        return agency_id
    shown = repr(agency_id[:60] + ("…" if len(agency_id) > 60 else ""))
    variants = [k for k in known if _folded(k) == _folded(agency_id)]
    if variants:
        raise UnknownAgency(_("no %(what)s %(shown)s: the agency id is %(id)s (ids are exact)", what=what, shown=shown,
                              id=repr(variants[0])))
    close = difflib.get_close_matches(agency_id, list(known), n=3, cutoff=0.6)
    if close:
        raise UnknownAgency(_("no %(what)s %(shown)s in the warehouse's agencies; did you mean %(close)s?", what=what,
                              shown=shown, close=", ".join(map(repr, close))))
    if len(known) <= 12:
        raise UnknownAgency(_("no %(what)s %(shown)s in the warehouse's agencies; the agencies are %(known)s",
                              what=what, shown=shown, known=", ".join(sorted(known))))
    raise UnknownAgency(_("no %(what)s %(shown)s in the warehouse's agencies", what=what, shown=shown))
