"""A sign-in link never silently replaces an open session (login CSRF): it asks first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_support import sign_in

from services.auth import SESSION_COOKIE


def _signed_in_as(client: TestClient) -> str:
    return client.cookies.get(SESSION_COOKIE) or ""


def test_a_link_for_another_token_asks_before_switching(client: TestClient, tokens: Any) -> None:
    assert sign_in(client, tokens.viewer).status_code == 303
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
    sign_in(client, tokens.viewer)
    client.cookies.delete("toc_login_csrf")
    forged = client.post(
        "/login", data={"token": tokens.other, "login_csrf": "guessed"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert _signed_in_as(client) == tokens.viewer


def test_the_same_token_again_goes_straight_to_the_models(client: TestClient, tokens: Any) -> None:
    assert sign_in(client, tokens.viewer).status_code == 303
    again = sign_in(client, tokens.viewer)
    assert again.status_code == 303 and again.headers["location"] == "/models"


@pytest.mark.browser
def test_the_confirmation_in_a_browser(page: Any, live_server: Any) -> None:
    live_server.sign_in(page, "viewer")
    page.goto(f"{live_server.url}/login?token={live_server.tokens['other']}")
    assert page.locator("h1").inner_text() == "Switch to another workspace?"
    page.click("#stay")
    assert page.url == f"{live_server.url}/models"
    assert "district" in page.content()  # still the viewer's workspace
    page.goto(f"{live_server.url}/login?token={live_server.tokens['other']}")
    page.click("#switch")
    page.wait_for_url(f"{live_server.url}/models")
    assert "elsewhere" in page.content()


# -- SPEC §4: a link shows, a same-site button signs in; logout is CSRF-checked (issue #18) ----


def test_a_sign_in_link_shows_the_workspace_and_role_and_signs_nobody_in(
    client: TestClient, tokens: Any
) -> None:
    shown = client.get(f"/login?token={tokens.editor}", follow_redirects=False)
    assert shown.status_code == 200
    assert "Sign in to w1?" in shown.text
    assert "<strong>w1</strong> as <strong>editor</strong>" in shown.text
    assert 'id="sign-in"' in shown.text and 'action="/login"' in shown.text
    assert SESSION_COOKIE not in shown.cookies
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/models", follow_redirects=False).headers["location"] == "/login"
    pressed = sign_in(client, tokens.editor)
    assert pressed.status_code == 303 and _signed_in_as(client) == tokens.editor


def test_a_bad_link_gets_the_sign_in_page_with_an_error_and_no_cookie(client: TestClient) -> None:
    answer = client.get("/login?token=toc_forged", follow_redirects=False)
    assert answer.status_code == 401
    assert "That token is not valid" in answer.text
    assert SESSION_COOKIE not in answer.cookies


def test_a_cross_site_logout_signs_nobody_out(client: TestClient, tokens: Any) -> None:
    sign_in(client, tokens.viewer)
    # What a forging site's form sends: no CSRF value (and, SameSite, no session cookie).
    for cookies in ({}, {SESSION_COOKIE: tokens.viewer}):
        forged = client.post(
            "/logout", data={}, cookies=cookies, follow_redirects=False, headers={}
        )
        assert forged.status_code == 403
        assert not any(
            value.startswith(SESSION_COOKIE + "=")
            for value in forged.headers.get_list("set-cookie")
        )
    assert client.get("/models", follow_redirects=False).status_code == 200


def test_login_csrf_cannot_put_a_person_in_the_attackers_workspace(
    client: TestClient, tokens: Any
) -> None:
    sign_in(client, tokens.viewer)
    client.post("/logout", data={}, follow_redirects=False)  # the forged logout: refused
    client.cookies.delete(SESSION_COOKIE)  # even if the person had signed out themselves...
    attacker = client.get(f"/login?token={tokens.other}", follow_redirects=False)
    assert attacker.status_code == 200 and "Sign in to w2?" in attacker.text
    assert SESSION_COOKIE not in client.cookies  # ...the link alone signs nobody in
    # A forging site cannot press the button: its POST carries no nonce it could know.
    forged = client.post(
        "/login", data={"token": tokens.other, "login_csrf": "guessed"}, follow_redirects=False
    )
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies


def test_signing_out_with_the_pages_own_form_works_even_for_a_revoked_session(
    client: TestClient, tokens: Any
) -> None:
    from sqlmodel import Session

    from services import auth

    sign_in(client, tokens.editor)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/models").text)
    assert csrf is not None
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        [mine] = [t for t in auth.list_tokens(session) if (t.role, t.workspace) == ("editor", "w1")]
        auth.revoke_token(session, mine.id)
    answer = client.post("/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert answer.status_code == 303
    assert SESSION_COOKIE not in client.cookies
