"""The Fellegi-Sunter model that says how likely two person records are one person (Splink).

Each pair of records is compared on five things, each with levels from strong agreement to disagreement
(a missing value on either side is its own level, which weighs nothing):

- name: the same tokens; the same given name and a surname in common (surnames swapped or one left out);
  two tokens in common; one token in common; none;
- date of birth: the same day; the same day with day and month swapped (one agency typed it the other
  way); the same year; another;
- document number: the same letters and digits; the same digits only; another;
- phone: the same last nine digits; another;
- nationality: the same; another.

How often each level occurs among true matches (m) and among any two records (u) is estimated without
labels: u by comparing random pairs of records, m by expectation maximisation on the pairs that share a
document number (which trains everything but the document) and on the pairs that share a date of birth
and a given name (which trains the document, the phone and the nationality). The priors below (m and u)
are EM's starting point, and what is used when there are too few records to estimate from
(`min_records_to_train` in `settings.yaml`: a few hundred records say nothing reliable of how often
strangers share a name); they are set from what such registers hold (thousands of name combinations,
dates of birth spread over fifty years, documents and phones unique to a person). The prior probability
that two records are one person is estimated from the pairs that agree on a document number or on name and
date of birth (assuming those catch `deterministic_recall` of the true matches), and is one match per
record otherwise.

Only pairs that share something are scored (blocking): a document number, its digits, the name's tokens
as a set with the year of birth, the date of birth (either way round) with the given name, or the phone.
A pair that shares none of these is never compared, hence never linked.

The engine is DuckDB in memory (default), or Spark when the warehouse is on Spark (`backend="spark"` with a
session). The frame handed to either holds digests only (`baliza.analyses.people.pseudonyms`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

from baliza.analyses.people.settings import people_settings

Backend = Literal["duckdb", "spark"]
COMPARED = ("name", "birth", "document", "phone", "nationality")

# m priors, strongest level first (the null level is set aside by Splink)
NAME_M = [0.55, 0.3, 0.08, 0.05, 0.02]
BIRTH_M = [0.88, 0.06, 0.03, 0.03]
DOCUMENT_M = [0.9, 0.04, 0.06]
PHONE_M = [0.75, 0.25]
NATIONALITY_M = [0.97, 0.03]
# u priors: how often two people taken at random agree so (a country's registers: thousands of name
# combinations, dates of birth spread over fifty years, unique documents and phones, one main nationality)
NAME_U = [0.0005, 0.001, 0.003, 0.08, 0.9155]
BIRTH_U = [0.0001, 0.0001, 0.02, 0.9798]
DOCUMENT_U = [0.00001, 0.00005, 0.99994]
PHONE_U = [0.0001, 0.9999]
NATIONALITY_U = [0.8, 0.2]


@dataclass
class LinkingModel:
    """The settings used and what training said, for the record (`to_dict`)."""

    records: int
    trained: bool
    prior_match_probability: float
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "trained": self.trained,
                "prior_match_probability": self.prior_match_probability, "notes": self.notes,
                "parameters": self.parameters}


def comparisons() -> list[Any]:
    """The five comparisons, their levels and their m priors."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def compare(output: str, description: str, null: Any, *graded: Any, m: list[float], u: list[float]) -> Any:
        levels = [null.configure(is_null_level=True)] + [
            level.configure(m_probability=pm, u_probability=pu)
            for level, pm, pu in zip([*graded, cll.ElseLevel()], m, u, strict=True)]
        return cl.CustomComparison(levels, output_column_name=output, comparison_description=description)

    name = compare(
        "name", "name tokens", cll.NullLevel("name_key"),
        cll.ExactMatchLevel("name_key").configure(label_for_charts="same name"),
        cll.And(cll.ExactMatchLevel("given"), cll.ArrayIntersectLevel("surnames", 1)).configure(
            label_for_charts="same given name, a surname in common"),
        cll.ArrayIntersectLevel("name_tokens", 2).configure(label_for_charts="two names in common"),
        cll.ArrayIntersectLevel("name_tokens", 1).configure(label_for_charts="one name in common"),
        m=NAME_M, u=NAME_U)
    birth = compare(
        "birth", "date of birth", cll.NullLevel("birth_day"),
        cll.ExactMatchLevel("birth_day").configure(label_for_charts="same date of birth"),
        cll.CustomLevel("(birth_day_l = birth_swapped_r) OR (birth_swapped_l = birth_day_r)",
                        label_for_charts="day and month swapped"),
        cll.ExactMatchLevel("birth_year").configure(label_for_charts="same year of birth"),
        m=BIRTH_M, u=BIRTH_U)
    document = compare(
        "document", "document number", cll.NullLevel("document"),
        cll.ExactMatchLevel("document").configure(label_for_charts="same document number"),
        cll.ExactMatchLevel("document_digits").configure(label_for_charts="same document digits"),
        m=DOCUMENT_M, u=DOCUMENT_U)
    phone = compare("phone", "phone", cll.NullLevel("phone"),
                    cll.ExactMatchLevel("phone").configure(label_for_charts="same phone"), m=PHONE_M, u=PHONE_U)
    nationality = compare("nationality", "nationality", cll.NullLevel("nationality"),
                          cll.ExactMatchLevel("nationality").configure(label_for_charts="same nationality"),
                          m=NATIONALITY_M, u=NATIONALITY_U)
    return [name, birth, document, phone, nationality]


def blocking_rules() -> list[Any]:
    """The pairs scored: those sharing a document, its digits, the set of name tokens and the year of birth,
    the date of birth (either way round) and given name, or a phone."""
    from splink import block_on

    return [
        block_on("document"),
        block_on("document_digits"),
        block_on("name_key", "birth_year"),
        block_on("birth_day", "given"),
        "l.birth_day = r.birth_swapped AND l.given = r.given",
        block_on("phone"),
    ]


def settings(prior: float) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=blocking_rules(),
        comparisons=comparisons(),
        retain_intermediate_calculation_columns=True, retain_matching_columns=True,
        additional_columns_to_retain=["agency_id"],
    )


def _database(backend: Backend, spark: Any = None) -> Any:
    """Splink's own engine. It never reads the warehouse: the records come in as Arrow (read through Ibis,
    `people.records`), so an in-memory DuckDB (or the Spark session) is Splink's workspace on every engine,
    as the issue asks for Splink's DuckDB and Spark backends."""
    if backend == "duckdb":
        import duckdb
        from splink.internals.duckdb.database_api import DuckDBAPI

        con = duckdb.connect()
        con.execute("SET threads TO 2")
        return DuckDBAPI(con)
    if backend == "spark":
        from splink.internals.spark.database_api import SparkAPI

        if spark is None:
            raise ValueError("the Spark backend needs a Spark session (spark=...)")
        # no string-similarity UDFs (only equality and array overlap of digests are compared); intermediate
        # tables persisted by Spark (memory, then its local disk) rather than checkpointed to a folder
        return SparkAPI(spark_session=spark, register_udfs_automatically=False,  # type: ignore[no-untyped-call]
                        break_lineage_method="persist")
    raise ValueError(f"unknown backend {backend!r}: duckdb or spark")


def _register(api: Any, backend: Backend, features: pa.Table, spark: Any) -> Any:
    if backend == "spark":
        return api.register(spark.createDataFrame(features.to_pandas()), table_name="person_records")
    return api.register(features, table_name="person_records")


def train_and_predict(features: pa.Table, backend: Backend = "duckdb", spark: Any = None,
                      threshold: float = 0.5) -> tuple[pa.Table, Any, LinkingModel]:
    """Score the candidate pairs of `features` (digests only); returns the pairs at or above `threshold`
    probability (ids, match weight and probability, each comparison's level and Bayes factor), the
    linker (for clustering) and what was estimated."""
    from splink import Linker, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    n = features.num_rows
    chosen = people_settings()
    api = _database(backend, spark)
    frame = _register(api, backend, features, spark)
    prior = 1 / max(n, 2)
    linker = Linker(frame, settings(prior), log_level=logging.ERROR)
    model = LinkingModel(records=n, trained=False, prior_match_probability=prior)
    if n >= chosen.min_records_to_train:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("document"), block_on("name_key", "birth_day")], recall=chosen.deterministic_recall)
        linker.training.estimate_u_using_random_sampling(max_pairs=chosen.random_pairs, seed=1)
        for rule in (block_on("document"), block_on("birth_day", "given")):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
            except Exception as error:  # a block with too few pairs to estimate from: keep the priors
                model.notes.append(f"EM on {rule.get_blocking_rule('duckdb').blocking_rule_sql}: {error}")
        model.trained = True
        model.prior_match_probability = float(linker._settings_obj._probability_two_random_records_match)
    else:
        model.notes.append(f"{n} records: fewer than {chosen.min_records_to_train}, the priors are kept")
    model.parameters = _parameters(linker)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    kept = ["unique_id_l", "unique_id_r", "match_weight", "match_probability",
            *(f"gamma_{c}" for c in COMPARED), *(f"mw_{c}" for c in COMPARED)]
    pairs = predictions.as_pandas_dataframe()[kept]  # type: ignore[no-untyped-call]  # the digests compared are left behind
    return pa.Table.from_pandas(pairs, preserve_index=False), linker, model


def _parameters(linker: Any) -> dict[str, Any]:
    """Each comparison level's m, u and match weight, as trained (no values of anyone: levels only)."""
    out: dict[str, Any] = {}
    for comparison in linker._settings_obj.comparisons:
        out[comparison.output_column_name] = [
            {"level": level.label_for_charts, "m": level.m_probability, "u": level.u_probability,
             "weight": level._log2_bayes_factor if level.m_probability and level.u_probability else None}
            for level in comparison.comparison_levels if not level.is_null_level]
    return out
