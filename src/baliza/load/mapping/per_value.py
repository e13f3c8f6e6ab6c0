"""Rules worked out once per distinct value of the cells they read, then joined back to the lines.

A rule that translates (a vocabulary, a lookup) or reads a date reads few distinct values however many
lines there are (days, places, words). The lines are grouped once by every cell such rules read (one pass
over the export), those combinations by each rule's own cells (grouping sets), each rule's values are
worked out on its groups, and every rule's value is put beside its combination of cells: the lines then
need one join, not one per rule. The per-value tables also count (`_n`, data lines) and locate (`_first`,
the first data line) each value, for the conversions a load reports (`conversions`).

The lines are joined to their combination by a 64-bit hash of its cells (one number to match instead of
several texts); the cells themselves are compared only for the rare combinations whose hash another one
shares (`_shared`), so that a collision never gives a line another combination's values.

When the `not_data` rules read only grouped cells, the combinations are judged instead of the lines: a
regular expression per combination rather than per line, and twice fewer passes over the lines with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from baliza.load.sql import quote_name


def combination_hash(cells: list[str]) -> str:
    """The SQL of the 64-bit hash a line and its combination are matched by."""
    return f"hash({', '.join(cells)})"


@dataclass(frozen=True)
class ValueRule:
    """A rule's per-value table `name`: one row per distinct value of `cells` (`k0..`), its `value`, the
    `original` it was read from, `_n` and `_first`; `query` reads `{groups}` rows `{grouping}`."""

    name: str
    cells: tuple[str, ...]
    query: str


@dataclass
class PerValue:
    """The rules of one projection worked out per value, over the cleaned export cells `cells`."""

    cells: str
    rules: list[ValueRule] = field(default_factory=list)
    groups: dict[tuple[str, ...], None] = field(default_factory=dict)
    """The sets of cells read by the rules (in order, without repeats)."""

    def add(self, rule: ValueRule) -> str:
        """Remember a rule; the SQL of its value on a line (once joined by `statements`)."""
        self.groups.setdefault(rule.cells, None)
        self.rules.append(rule)
        return f"_w.value_{len(self.rules) - 1}"

    @property
    def grouped(self) -> list[str]:
        """Every cell a rule reads, in order."""
        return list(dict.fromkeys(c for cells in self.groups for c in cells))

    def statements(self, not_data: str | None = None) -> tuple[list[str], str, list[str]]:
        """(statements building the per-value tables, the LEFT JOIN of the lines with every rule's value as
        `_w`, the scratch tables). With `not_data` (the number of the `not_data` rule a combination of the
        grouped cells matches, in SQL over them), `_w._not_data` says it for each line."""
        if not self.rules:
            return [], "", []
        every = self.grouped
        tuples, groups, wide = (f"_bz_{what}_{self.cells}" for what in ("tuples", "groups", "wide"))
        sets = ", ".join("(" + ", ".join(cells) + ")" for cells in self.groups)
        columns = ", ".join(every)
        if not_data is None:
            counted = (f"SELECT {columns}, count(*) FILTER (_problem IS NULL) AS _n, "
                       f"min(_line) FILTER (_problem IS NULL) AS _first FROM {quote_name(self.cells)} GROUP BY ALL")
        else:  # the lines' own problems (blank, ragged) counted here, the combinations' judged once each
            lines = (f"SELECT {columns}, count(*) FILTER (_read_problem IS NULL) AS _lines, "
                     f"min(_line) FILTER (_read_problem IS NULL) AS _first_line FROM {quote_name(self.cells)} "
                     "GROUP BY ALL")
            judged = f"SELECT *, {not_data} AS _not_data FROM ({lines})"
            counted = (f"SELECT {columns}, _not_data, CASE WHEN _not_data IS NULL THEN _lines ELSE 0 END AS _n, "
                       f"CASE WHEN _not_data IS NULL THEN _first_line END AS _first FROM ({judged})")
        prepare = [
            f"CREATE OR REPLACE TEMP TABLE {quote_name(tuples)} AS {counted}",
            f"CREATE OR REPLACE TEMP TABLE {quote_name(groups)} AS SELECT {columns}, GROUPING({columns}) AS _set, "
            f"sum(_n) AS _n, min(_first) AS _first FROM {quote_name(tuples)} GROUP BY GROUPING SETS ({sets})",
        ]
        values, joins = [], []
        for number, rule in enumerate(self.rules):
            # GROUPING() has a bit per column, the first the highest, set for the columns a row does not group.
            mask = sum(1 << (len(every) - 1 - i) for i, c in enumerate(every) if c not in rule.cells)
            query = rule.query.replace("{groups}", quote_name(groups)).replace("{grouping}", f"_set = {mask}")
            prepare.append(f"CREATE OR REPLACE TEMP TABLE {quote_name(rule.name)} AS {query}")
            on = " AND ".join(f"p{number}.k{i} IS NOT DISTINCT FROM t.{c}" for i, c in enumerate(rule.cells))
            joins.append(f"LEFT JOIN {quote_name(rule.name)} p{number} ON {on}")
            values.append(f"p{number}.value AS value_{number}")
        if not_data is not None:
            values.append("t._not_data")
        prepare.append(
            f"CREATE OR REPLACE TEMP TABLE {quote_name(wide)} AS SELECT *, count(*) OVER (PARTITION BY _h) > 1 "
            f"AS _shared FROM (SELECT {', '.join(f't.{c} AS key_{c}' for c in every)}, "
            f"{combination_hash([f't.{c}' for c in every])} AS _h, "
            f"{', '.join(values)} FROM {quote_name(tuples)} t {' '.join(joins)})")
        lines = quote_name(self.cells)
        same = " AND ".join(f"_w.key_{c} IS NOT DISTINCT FROM {lines}.{c}" for c in every)
        line_hash = combination_hash([f"{lines}.{c}" for c in every])
        on = f"_w._h = {line_hash} AND (NOT _w._shared OR ({same}))"
        scratch = [*(r.name for r in self.rules), groups, tuples, wide]
        return prepare, f"LEFT JOIN {quote_name(wide)} _w ON {on}", scratch
