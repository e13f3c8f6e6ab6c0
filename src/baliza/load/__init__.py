"""Loading datasets: read, validate, normalise, quarantine, upsert with history, all or nothing.

```python
from baliza.load import load_datasets, LoadReport
report = load_datasets(warehouse, [Path("dataset")], agency=None, progress=None)
report.to_dict()  # {"load_id", "tables": {"seizures": {"rows", "accepted", "quarantined", "normalised",
                  #   "inserted", "replaced", "unchanged"}}, "files": [...], "warnings": [...], ...}
```

How the loader decides (the contract leaves these to the project):

- **Every row is accounted for**: per table, `accepted + quarantined == rows` read. A quarantined row
  keeps its file, line, first offending column and value, every reason, and the raw row (all columns of
  the file, known or not). `normalised` counts accepted rows with at least one changed cell; each change
  is a row of `normalisations` (column, original, normalised, rule).
- **A file that cannot be read** (not UTF-8, binary, not CSV, truncated Parquet, broken .xlsx) refuses the
  whole load with one message naming the file (and the line, for encoding errors); nothing is written.
  UTF-8 with a BOM is fine.
- **An empty file** (zero bytes or only whitespace) holds no rows: a warning, nothing loaded from it.
  A header-only file holds zero rows, without warning. Blank lines are skipped.
- **A ragged row** (more or fewer cells than the header) is quarantined, with its cells kept in `raw`.
- **A required column missing from a file** quarantines every row of that file with that reason (the rows
  are kept so that nothing is lost); unknown extra columns are left out of the warehouse, with a warning.
- **Duplicate keys within a load**: the first row (by file, then line) is loaded, later ones are
  quarantined naming the line of the first. Keys are global to a table, whichever agency reports them.
  A row of another file identical to the accepted first (two agencies' folders that both carry the
  directory) is counted unchanged, as it would be if the folders were loaded one after the other.
- **Ownership**: a stored row can be changed only by the agency that owns it (`_agency_id`), or by one
  whose manifest declares `successor_of: [that agency]`; another agency's different version is
  quarantined with a reason naming the owner, and nothing changes hands (an identical row is
  unchanged). References to it still resolve. See `baliza.load.ownership`.
- **Reloads**: an unchanged row adds nothing; a changed row replaces the stored one, which moves to
  `<table>__history` with `_replaced_at` and `_replaced_by_load`. Rows are compared by a 64-bit hash
  of their typed values (`_row_hash`, keyed with a secret for `persons`); a stored row whose hash
  differs is compared column by column before it counts as changed.
- **Speed**: each table is checked by one query (cells, duplicate keys, references) into one scratch
  table, then inserted; a first load is a plain insert. A CSV file in which no space touches a comma,
  quote or line break (and no tab, CR or no-break space appears) skips per-cell trimming.
  `baliza load --memory-limit` (default 2GB) bounds DuckDB's memory (beyond it, it spills to disk);
  `benchmarks/load_large.py` measures it.
- **References** resolve against the rows this load accepted and what the warehouse holds; a row pointing
  at a key quarantined in this load says so, and the refusal cascades down `load_order()`.
- **Dates** after the day of the load are quarantined (except `limitation_date`, `starts_on` and `ends_on`,
  which are naturally ahead: a planned operation or training); negative numbers are quarantined (except
  `latitude` and `longitude`). Datetimes are stored in UTC: offsets are honoured, naive times are read in
  the manifest's `timezone` (else UTC).
  ISO 8601's basic format (`20250301T143000Z`), a comma before a fraction of a second and lower-case
  `t`/`z` are read too, and so is an offset after a day-first date (`01/03/2025 09:30-05:00`).
- **Parquet** columns are read as the text a CSV would hold: lists joined with `|`, whole numbers in a
  float or decimal column without a fraction (pandas writes an integer column with a gap as float64),
  strings stored as plain binary (no UTF-8 annotation) decoded as UTF-8. A column stored as numbers has no
  decimal mark: the manifest's `decimal_mark: ","` does not apply to it (0.125 stays 0.125, not 125).
  Offsets and time zones are the contract's meaning, so they are not recorded as normalisations.
- **Formulas**: text cells starting with `=`, or with `+`, `-`, `@` and holding `(`, `|` or `!`, or `-`
  followed by a letter, are prefixed with `'` (rule `formula_neutralised`). Phone numbers such as
  `+51 999 555` and handles such as `@vendor` are left alone.
- **Decimals**: a comma decimal mark is read when the manifest says `decimal_mark: ","` (then `.` groups
  thousands: `1.234,5`) or when a column uses it throughout its file; a column mixing marks quarantines the
  odd cells.
- **Personal cells**: every person's personal columns are AES-GCM tokens from the INSERT that writes them
  (in `persons`, `persons__history`, and persons rows' `quarantine` and `normalisations` records), so they
  never reach the file or WAL in clear, and a protection that arrives later has nothing to rewrite;
  `person_lookups` holds keyed blind indexes for exact links (none for protected people: `protected = true`,
  or in `farmer_enrolments` or `treatment_episodes`). Reasons never show personal cells.
  `persons.birth_date` is therefore stored as ISO text (VARCHAR). See `baliza.load.protection`.
"""

from baliza.load.errors import LoadError, ManifestError, UnreadableFile
from baliza.load.loader import Progress, load_datasets
from baliza.load.report import FileReport, LoadReport, TableReport

__all__ = [
    "FileReport",
    "LoadError",
    "LoadReport",
    "ManifestError",
    "Progress",
    "TableReport",
    "UnreadableFile",
    "load_datasets",
]
