"""The language of a page: Accept-Language picks, the header's switch overrides and is remembered."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.i18n.web import choose, from_accept_language
from baliza.web.app import create_app
from web_world import build_web_world, sign_in, user_name


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("i18nweb"))


@pytest.fixture
def client(world):
    application = create_app(world.db, state_url=world.state_url)
    with TestClient(application) as test_client:
        yield test_client
    application.state.baliza.close()


@pytest.mark.parametrize(("header", "expected"), [
    ("es", "es"), ("es-PE,es;q=0.9,en;q=0.8", "es"), ("pt-BR", "pt"), ("pt_PT", "pt"),
    ("fr-FR,fr;q=0.9,pt;q=0.5,es;q=0.4", "pt"), ("en-US,en;q=0.9", "en"), ("de, es;q=0", None),
    ("es;q=0.2, pt;q=0.8", "pt"), ("*", None), ("", None), ("es;q=abc, pt", "pt"),
])
def test_accept_language_is_read_by_preference(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_a_switch_beats_the_cookie_which_beats_the_browser() -> None:
    assert choose("pt", "es", "en") == "pt"
    assert choose(None, "es", "pt-BR") == "es"
    assert choose("xx", None, "pt-BR") == "pt"  # an unknown choice is ignored, not an error
    assert choose(None, None, None) == "en"


def test_sign_in_page_answers_in_the_browsers_language(client: TestClient) -> None:
    spanish = client.get("/login", headers={"Accept-Language": "es"})
    assert '<html lang="es">' in spanish.text
    assert "Iniciar sesión" in spanish.text and "Contraseña" in spanish.text
    assert "Password" not in spanish.text
    assert spanish.headers["content-language"] == "es"
    portuguese = client.get("/login", headers={"Accept-Language": "pt-BR,pt;q=0.9"})
    assert '<html lang="pt">' in portuguese.text
    assert "Entrar" in portuguese.text and "Senha" in portuguese.text
    english = client.get("/login")
    assert '<html lang="en">' in english.text and "Password" in english.text


def test_the_switch_is_remembered_over_the_browser(client: TestClient) -> None:
    switched = client.get("/login?lang=pt", headers={"Accept-Language": "es"})
    assert '<html lang="pt">' in switched.text
    assert "baliza_lang=pt" in switched.headers["set-cookie"]
    later = client.get("/login", headers={"Accept-Language": "es"})  # the client keeps the cookie
    assert '<html lang="pt">' in later.text
    assert 'href="/login?lang=es"' in later.text  # the switch offers the other languages


def test_a_wrong_password_is_told_in_the_readers_language(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "es"}).text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/login", data={"username": "nobody", "password": "wrong", "csrf_token": token},
                          headers={"Accept-Language": "es"})
    assert refused.status_code == 401
    assert "Usuario o contraseña incorrectos." in refused.text


def test_the_not_found_page_keeps_the_navigation_and_the_language(client: TestClient) -> None:
    sign_in(client, user_name("AG-CUS", Role.ANALYST))
    missing = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert missing.status_code == 404
    assert '<html lang="es">' in missing.text
    assert "No encontrado" in missing.text
    assert 'href="/chain"' in missing.text and "Explorador de cadenas" in missing.text
    assert "Not Found" not in missing.text
    assert client.get("/static/favicon.svg").headers["content-type"].startswith("image/svg")


def test_a_seizure_and_the_explorer_read_in_spanish_with_words_not_codes(client: TestClient) -> None:
    sign_in(client, user_name("AG-CUS", Role.ANALYST))
    seizure = client.get("/chain/seizure/S1", headers={"Accept-Language": "es-PE"})
    assert seizure.status_code == 200 and '<html lang="es">' in seizure.text
    assert "Incautación S1" in seizure.text and "drogas del tipo cocaína" in seizure.text
    assert "cocaine_type" not in seizure.text and "120 kg" in seizure.text
    assert "02/01/2025" in seizure.text  # the day, as a reader in Lima writes it
    explorer = client.get("/chain", headers={"Accept-Language": "pt-BR"})
    assert "Explorador de cadeias" in explorer.text and "Limpar filtros" not in explorer.text
    assert "apreens" in explorer.text  # '2 apreensões', counted in words
