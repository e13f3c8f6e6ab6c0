"""`baliza listings`, `baliza vendors` and `baliza listings-import` as a user runs them, on the generated
country: every listing answered in the documented interface, the planted alias found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.demo import generate_country

runner = CliRunner()


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("markets")
    generate_country(tmp / "country", seed=0, scale="small", truth_path=tmp / "truth.json")
    loaded = runner.invoke(app, ["load", str(tmp / "country"), "--db", str(tmp / "c.duckdb")])
    assert loaded.exit_code == 0, loaded.output
    return tmp / "c.duckdb", json.loads((tmp / "truth.json").read_text())


def test_listings_json_answers_every_listing_with_the_documented_fields(country: tuple[Path, dict]) -> None:
    db, _ = country
    done = runner.invoke(app, ["listings", "--db", str(db), "--json"])
    assert done.exit_code == 0, done.output
    listings = json.loads(done.output)
    ids = (db.parent / "country" / "online_listings.csv").read_text().count("\n") - 1
    assert len(listings) == ids == len({r["listing_id"] for r in listings})
    for key in ("listing_id", "substance_group", "quantity", "unit", "price_per_gram_usd", "vendor_id"):
        assert all(key in r for r in listings)
    assert all(r["substance_group"] for r in listings)
    perico = [r for r in listings if r["title"].startswith("Perico puro")]
    assert perico and {r["substance_group"] for r in perico} == {"cocaine_type"}
    assert all(r["unit"] == "g" and r["quantity"] == float(r["title"].split()[-1][:-1]) for r in perico)


def test_vendors_links_the_planted_alias_and_nothing_else(country: tuple[Path, dict]) -> None:
    db, truth = country
    done = runner.invoke(app, ["vendors", "--db", str(db), "--json"])
    assert done.exit_code == 0, done.output
    answer = json.loads(done.output)
    found = {frozenset(h.split(":", 1)[1] for h in (k["vendor_a"], k["vendor_b"])) for k in answer["links"]}
    planted = {frozenset(pair) for pair in truth["vendor_aliases"]}
    assert found == planted
    assert answer["country"] == "Peru"
    assert any(f["rule"] == "online_ships_to_country" for f in answer["findings"])


def test_a_scrape_is_mapped_loaded_and_listed(tmp_path: Path) -> None:
    scrape = tmp_path / "scrape.json"
    scrape.write_text(json.dumps([
        {"id": "nx-1", "seller": "ElNevado", "name": "Cocaína peruana 3.5g", "cost": "120", "at": "2024-05-01"},
        {"id": "nx-2", "seller": "ElNevado", "name": "Weed 1 oz", "cost": "150", "at": "2024-05-02"}]))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("listing_id: id\nvendor_handle: seller\ntitle: name\nprice: cost\nobserved_at: at\n"
                       "platform: {value: Nexo Market}\nplatform_kind: {value: darknet_market}\n"
                       "currency: {value: USD}\n")
    done = runner.invoke(app, ["listings-import", str(scrape), "--mapping", str(mapping), "--out",
                               str(tmp_path / "ds")])
    assert done.exit_code == 0, done.output
    db = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["load", str(tmp_path / "ds"), "--db", str(db), "--agency", "AG-1"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["listings", "--db", str(db), "--json"]).output)
    assert [(r["listing_id"], r["substance_group"], r["price_per_gram_usd"]) for r in listed] == [
        ("nx-1", "cocaine_type", pytest.approx(120 / 3.5)), ("nx-2", "cannabis_type", pytest.approx(150 / 28.3495))]


def test_a_mapping_without_a_required_column_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("id,name\n1,x\n")
    (tmp_path / "m.yaml").write_text("listing_id: id\ntitle: name\n")
    done = runner.invoke(app, ["listings-import", str(tmp_path / "s.csv"), "--mapping", str(tmp_path / "m.yaml"),
                               "--out", str(tmp_path / "o")])
    assert done.exit_code != 0 and "vendor_handle" in done.output


def test_a_warehouse_without_listings_answers_empty_lists(tmp_path: Path) -> None:
    from baliza.warehouse import open_warehouse

    with open_warehouse(tmp_path / "empty.duckdb") as warehouse:
        warehouse.ensure_schema()
    listed = runner.invoke(app, ["listings", "--db", str(tmp_path / "empty.duckdb"), "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == []
    vendors = runner.invoke(app, ["vendors", "--db", str(tmp_path / "empty.duckdb"), "--json"])
    assert vendors.exit_code == 0, vendors.output
    assert json.loads(vendors.output)["links"] == []
