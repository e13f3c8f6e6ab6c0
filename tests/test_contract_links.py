"""The chain links declared in code agree with the interchange format (`shared/contract/tables.yaml`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from baliza.access.scope import CASE_CHILDREN
from baliza.contract.links import CHAIN_LINKS, check_links, owned_with_target, parts_of
from baliza.web.queries import CASE_PARTS

CONTRACT = Path(__file__).resolve().parents[1].parent / "shared" / "contract" / "tables.yaml"


def test_every_link_is_a_reference_of_the_contract_code() -> None:
    check_links()  # raises on a link whose column is not a reference to its target


@pytest.mark.skipif(not CONTRACT.exists(), reason=f"no {CONTRACT} beside the project")
def test_every_link_is_a_reference_of_the_published_contract() -> None:
    tables = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["tables"]
    for link in CHAIN_LINKS:
        column = tables[link.table]["columns"].get(link.column)
        assert column is not None, f"{link.table}.{link.column} is not in tables.yaml"
        assert column["type"] == f"ref:{link.target}", (link, column)


def test_case_parts_are_read_from_the_links_everywhere() -> None:
    assert set(parts_of("cases")) == {"case_parties", "charges", "case_events", "dispositions", "assets"}
    assert CASE_CHILDREN == CASE_PARTS == parts_of("cases")
    # a case's parties, charges, events and dispositions belong to the office that prosecutes it; assets
    # are traced by the financial intelligence unit and belong to it
    assert set(owned_with_target("cases")) == {"case_parties", "charges", "case_events", "dispositions"}
