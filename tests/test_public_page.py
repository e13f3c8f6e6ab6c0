"""The public page of published aggregates (`web.public`): off unless `BALIZA_PUBLIC_PAGE` turns it on;
when on, it needs no sign-in, shows the day of publication, downloads as CSV, hides small cells and no
person, and each address is held to its request budget. Oversight reads the same figures signed in.
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.web.app import create_app
from baliza.web.public import PUBLIC_REQUESTS_PER_MINUTE
from web_world import build_web_world, sign_in, user_name


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("public"))


def serve(world, monkeypatch, on: bool) -> TestClient:
    if on:
        monkeypatch.setenv("BALIZA_PUBLIC_PAGE", "1")
    else:
        monkeypatch.delenv("BALIZA_PUBLIC_PAGE", raising=False)
    return TestClient(create_app(world.db, state_url=world.state_url))


def test_the_public_page_is_off_by_default(world, monkeypatch) -> None:
    client = serve(world, monkeypatch, on=False)
    for path in ("/public", "/public.csv"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 404, path  # as if absent: no sign-in page, no figures
        assert "Seizures" not in answer.text


def test_when_on_it_needs_no_sign_in_and_dates_the_figures(world, monkeypatch) -> None:
    client = serve(world, monkeypatch, on=True)
    page = client.get("/public", follow_redirects=False)
    assert page.status_code == 200
    assert "Published on" in page.text and "Sign out" not in page.text
    assert "Farmer Flores" not in page.text
    download = client.get("/public.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert rows and {r["published on"] for r in rows} == {rows[0]["published on"]} != {""}
    values = [int(r["value"]) for r in rows if r["value"]]
    assert not [v for v in values if 0 < v < 5]  # the tiny world's counts are all small: none shown
    assert any(r["value"] == "" for r in rows)
    assert "Farmer Flores" not in download.text


def test_each_address_has_a_request_budget(world, monkeypatch) -> None:
    client = serve(world, monkeypatch, on=True)
    answers = [client.get("/public.csv").status_code for _ in range(PUBLIC_REQUESTS_PER_MINUTE + 1)]
    assert answers[:-1] == [200] * PUBLIC_REQUESTS_PER_MINUTE
    refused = client.get("/public.csv")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OVERSIGHT])
def test_only_oversight_reads_the_oversight_pages(world, monkeypatch, role: Role) -> None:
    client = serve(world, monkeypatch, on=False)
    sign_in(client, user_name("AG-POL", role))
    for path in ("/oversight", "/oversight.csv", "/api/published"):
        assert client.get(path).status_code == 403, (role, path)


def test_oversight_reads_the_same_cells_signed_in(world, monkeypatch) -> None:
    client = serve(world, monkeypatch, on=True)
    public = client.get("/public.csv").text
    sign_in(client, user_name("AG-POL", Role.OVERSIGHT))
    assert client.get("/oversight").status_code == 200
    assert client.get("/oversight.csv").text == public
    published = client.get("/api/published").json()
    assert set(published) >= {"enforcement", "livelihood", "treatment", "published_on"}
