"""A sign-in link never silently replaces an open session (login CSRF): it asks first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.auth import SESSION_COOKIE


def _signed_in_as(client: TestClient) -> str:
    return client.cookies.get(SESSION_COOKIE) or ""


def test_a_link_for_another_token_asks_before_switching(client: TestClient, tokens: Any) -> None:
    assert client.get(f"/login?token={tokens.viewer}", follow_redirects=False).status_code == 303
    asked = client.get(f"/login?token={tokens.other}", follow_redirects=False)
    assert asked.status_code == 200
    assert "Switch to another workspace?" in asked.text
    assert "w1" in asked.text and "w2" in asked.text
    assert SESSION_COOKIE not in asked.cookies  # nothing switched yet
    assert _signed_in_as(client) == tokens.viewer
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', asked.text)
    assert nonce is not None
    switched = client.post(
        "/login",
        data={"token": tokens.other, "login_csrf": nonce.group(1)},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert _signed_in_as(client) == tokens.other


def test_a_forged_confirmation_does_not_switch(client: TestClient, tokens: Any) -> None:
    client.get(f"/login?token={tokens.viewer}", follow_redirects=False)
    client.cookies.delete("toc_login_csrf")
    forged = client.post(
        "/login", data={"token": tokens.other, "login_csrf": "guessed"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert _signed_in_as(client) == tokens.viewer


def test_the_same_token_again_or_no_session_signs_in_at_once(
    client: TestClient, tokens: Any
) -> None:
    assert client.get(f"/login?token={tokens.viewer}", follow_redirects=False).status_code == 303
    again = client.get(f"/login?token={tokens.viewer}", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/models"


@pytest.mark.browser
def test_the_confirmation_in_a_browser(page: Any, live_server: Any) -> None:
    page.goto(live_server.login_url("viewer"))
    assert page.url == f"{live_server.url}/models"
    page.goto(f"{live_server.url}/login?token={live_server.tokens['other']}")
    assert page.locator("h1").inner_text() == "Switch to another workspace?"
    page.click("#stay")
    assert page.url == f"{live_server.url}/models"
    assert "district" in page.content()  # still the viewer's workspace
    page.goto(f"{live_server.url}/login?token={live_server.tokens['other']}")
    page.click("#switch")
    page.wait_for_url(f"{live_server.url}/models")
    assert "elsewhere" in page.content()
