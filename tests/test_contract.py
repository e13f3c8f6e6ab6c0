"""The contract as code: every table, key and reference of version 0."""

from baliza.contract import TABLES, TABLES_BY_NAME, ColumnType, get_table, load_order
from baliza.contract.normalise import BOOLEAN_SPELLINGS, UNIT_SPELLINGS, country_spellings


def test_every_table_of_version_0_is_declared() -> None:
    assert len(TABLES) == 24
    assert {"seizures", "cases", "dispositions", "crypto_io", "treatment_episodes"} <= set(TABLES_BY_NAME)


def test_references_point_at_declared_tables_and_keys() -> None:
    for table in TABLES:
        for column in table.references:
            target = get_table(column.references or "")
            assert len(target.key) == 1, f"{table.name}.{column.name} points at a composite key"


def test_load_order_puts_referenced_tables_first() -> None:
    position = {t.name: i for i, t in enumerate(load_order())}
    for table in TABLES:
        for column in table.references:
            if column.references != table.name:
                assert position[column.references] < position[table.name]


def test_composite_keys_and_enums() -> None:
    assert get_table("case_parties").key == ("case_id", "person_id")
    assert get_table("crypto_transfers").key == ("chain", "tx_hash", "from_address", "to_address", "asset")
    outcome = get_table("dispositions").column("outcome")
    assert outcome.type is ColumnType.ENUM and "plea_convicted" in outcome.values


def test_unknown_table_error_names_the_known_ones() -> None:
    try:
        get_table("seizure")
    except KeyError as error:
        assert "seizures" in str(error)
    else:  # pragma: no cover
        raise AssertionError("expected a KeyError")


def test_spellings() -> None:
    countries = country_spellings()
    assert countries["pe"] == "PER" and countries["perú"] == "PER" and countries["col"] == "COL"
    assert countries["netherlands"] == "NLD" and countries["united states"] == "USA"
    assert BOOLEAN_SPELLINGS["yes"] is True and BOOLEAN_SPELLINGS["0"] is False
    assert UNIT_SPELLINGS["kilograms"] == "kg" and UNIT_SPELLINGS["gramos"] == "g"
