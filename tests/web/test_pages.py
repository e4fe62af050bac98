"""The pages through the ASGI app, without a browser: sign-in, escaping, CSRF, roles, versions."""

from __future__ import annotations

import io
import json
import re
import zipfile
from http.cookies import SimpleCookie
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_support import PAYLOAD, assert_inert, demo_document, hostile_document

from services.auth import SESSION_COOKIE


def _store(client: TestClient, token: str, document: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/models", json=document, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text


def _sign_in(client: TestClient, token: str) -> None:
    response = client.get(f"/login?token={token}", follow_redirects=False)
    assert response.status_code == 303


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match is not None, "no CSRF field in the page"
    return match.group(1)


def _version(client: TestClient, token: str, model_id: str = "milford-hqi") -> int:
    response = client.get(
        f"/api/v1/models/{model_id}", headers={"Authorization": f"Bearer {token}"}
    )
    return int(response.json()["version"])


def _check(client: TestClient, token: str, model_id: str = "milford-hqi") -> list[tuple[str, str]]:
    response = client.get(
        f"/api/v1/models/{model_id}/check", headers={"Authorization": f"Bearer {token}"}
    )
    return [
        (f["code"], f["initiative"] or f["node"] or f["link"]) for f in response.json()["findings"]
    ]


@pytest.fixture
def editor(client: TestClient, tokens: Any) -> TestClient:
    """The client signed in as an editor of w1, with the demo model stored."""
    _store(client, tokens.editor, demo_document())
    _sign_in(client, tokens.editor)
    return client


# -- sign-in --------------------------------------------------------------------------------------
def test_the_login_url_sets_a_strict_session_cookie(client: TestClient, tokens: Any) -> None:
    response = client.get(f"/login?token={tokens.viewer}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/models"
    header = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(SESSION_COOKIE + "=")
    )
    cookie = SimpleCookie(header)[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    page = client.get("/models")
    assert page.status_code == 200
    assert "Workspace <b>w1</b> · viewer" in page.text


def test_a_bad_token_gets_the_sign_in_page_and_no_cookie(client: TestClient) -> None:
    response = client.get("/login?token=toc_nonsense", follow_redirects=False)
    assert response.status_code == 401
    assert "That token is not valid" in response.text
    assert not any(
        value.startswith(SESSION_COOKIE + "=") for value in response.headers.get_list("set-cookie")
    )
    assert client.get("/models", follow_redirects=False).headers["location"] == "/login"


def test_a_token_typed_into_the_form_signs_in(client: TestClient, tokens: Any) -> None:
    form = client.get("/login")
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert nonce is not None
    response = client.post(
        "/login",
        data={"token": tokens.editor, "login_csrf": nonce.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert SESSION_COOKIE in response.cookies


def test_the_sign_in_form_refuses_a_forged_post(client: TestClient, tokens: Any) -> None:
    response = client.post(
        "/login", data={"token": tokens.editor, "login_csrf": "guessed"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_sign_out_forgets_the_session(editor: TestClient) -> None:
    csrf = _csrf(editor.get("/models").text)
    response = editor.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert editor.get("/models", follow_redirects=False).status_code == 303


# -- the models and a model's page ----------------------------------------------------------------
def test_the_models_page_counts_errors_and_warnings(editor: TestClient) -> None:
    page = editor.get("/models")
    assert page.status_code == 200
    row = re.search(r'<tr data-model="milford-hqi">(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert '<span class="sev sev-error">2</span>' in row.group(1)
    # Four warnings, and TOC304: coaching is measured only at the outcome.
    assert '<span class="sev sev-warning">5</span>' in row.group(1)
    for fmt in ("json", "csv", "graphml", "gexf", "mermaid"):
        assert f"/models/milford-hqi/export?format={fmt}" in row.group(1)


def test_a_model_page_has_map_findings_metrics_and_strength(editor: TestClient) -> None:
    page = editor.get("/models/milford-hqi")
    assert page.status_code == 200
    assert 'id="toc-network"' in page.text and 'id="toc-map-data"' in page.text
    assert '<script src="/assets/vis-network-9.1.2.min.js"></script>' in page.text
    assert 'data-code="TOC101"' in page.text and 'href="#focus=laptops"' in page.text
    assert "Initiatives with a chain to students" in page.text
    assert "Evidence strength of each initiative" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]


def test_findings_filter_on_the_server_too(editor: TestClient) -> None:
    page = editor.get("/models/milford-hqi?severity=error").text
    rows = re.findall(r"<tr data-severity=\"(\w+)\"[^>]*?( hidden)?>", page)
    assert rows and all((sev == "error") != bool(hidden) for sev, hidden in rows)


def test_another_workspace_sees_no_model(client: TestClient, tokens: Any) -> None:
    _store(client, tokens.editor, demo_document())
    _sign_in(client, tokens.other)
    assert "milford-hqi" not in client.get("/models").text
    assert client.get("/models/milford-hqi").status_code == 404


def test_vis_network_is_served_by_toc(client: TestClient) -> None:
    response = client.get("/assets/vis-network-9.1.2.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "vis-network" in response.text[:200]


# -- escaping -------------------------------------------------------------------------------------
def test_every_page_shows_hostile_text_as_text(client: TestClient, tokens: Any) -> None:
    _store(client, tokens.editor, hostile_document())
    _sign_in(client, tokens.editor)
    pages = [
        "/models",
        "/models/hostile",
        "/models/hostile/nodes/grant/edit",
        "/models/hostile/links/grant-%3Epractice/edit",
        "/models/hostile/links/new",
        "/models/hostile/nodes/new",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text)
    model_page = client.get("/models/hostile").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in model_page
    # The map's data block gives the text back exactly.
    block = re.search(
        r'<script type="application/json" id="toc-map-data">(.*?)</script>', model_page, re.S
    )
    assert block is not None
    assert json.loads(block.group(1))["details"]["nodes"]["grant"]["form"] == PAYLOAD
    # And the self-contained map of the API.
    api_map = client.get(
        "/api/v1/models/hostile/map", headers={"Authorization": f"Bearer {tokens.viewer}"}
    )
    assert_inert(api_map.text)


def test_a_rejected_form_echoes_hostile_input_escaped(editor: TestClient) -> None:
    csrf = _csrf(editor.get("/models/milford-hqi/nodes/new").text)
    response = editor.post(
        "/models/milford-hqi/nodes",
        data={
            "csrf": csrf,
            "version": "1",
            "id": "Not A Slug",
            "title": PAYLOAD,
            "level": "teacher",
            "kind": "change",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert_inert(response.text)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in response.text


# -- CSRF and roles -------------------------------------------------------------------------------
NEW_LINK = {
    "from": "laptops",
    "to": "students-talk",
    "because": "Devices let students share their reasoning with the class",
    "evidence": "Device study (2021) | 3 | https://example.org/study | small sample",
    "assumptions": "Wifi works\nTeachers use the devices for talk",
    "type": "leads_to",
    "polarity": "+",
    "id": "",
}


@pytest.mark.parametrize("csrf", [None, "", "0" * 64])
def test_a_post_without_the_session_csrf_token_is_refused(
    editor: TestClient, tokens: Any, csrf: str | None
) -> None:
    data = {**NEW_LINK, "version": "1"}
    if csrf is not None:
        data["csrf"] = csrf
    response = editor.post("/models/milford-hqi/links", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert _version(editor, tokens.editor) == 1


def test_another_sessions_csrf_token_is_refused(client: TestClient, tokens: Any) -> None:
    _store(client, tokens.editor, demo_document())
    _sign_in(client, tokens.admin)
    admin_csrf = _csrf(client.get("/models/milford-hqi").text)
    client.cookies.clear()  # a link would ask before switching (test_signin_confirm.py)
    _sign_in(client, tokens.editor)
    response = client.post(
        "/models/milford-hqi/links", data={**NEW_LINK, "version": "1", "csrf": admin_csrf}
    )
    assert response.status_code == 403


def test_viewers_see_no_forms_and_their_posts_get_403(client: TestClient, tokens: Any) -> None:
    _store(client, tokens.editor, demo_document())
    _sign_in(client, tokens.viewer)
    page = client.get("/models/milford-hqi").text
    assert "/nodes/new" not in page and "/links/new" not in page and "/delete" not in page
    assert 'action="/models/import"' not in client.get("/models").text
    assert client.get("/models/milford-hqi/nodes/new").status_code == 403
    csrf = _csrf(page)  # the sign-out form's: a valid token of this session
    for url, data in [
        ("/models/milford-hqi/links", {**NEW_LINK, "version": "1"}),
        (
            "/models/milford-hqi/nodes/laptops",
            {"title": "x", "level": "system", "kind": "initiative"},
        ),
        ("/models/milford-hqi/nodes/laptops/delete", {"version": "1"}),
        ("/models/milford-hqi/links/coaching-%3Eelicit/delete", {}),
        ("/models/import", {}),
    ]:
        response = client.post(url, data={**data, "csrf": csrf}, follow_redirects=False)
        assert response.status_code == 403, url
    assert _version(client, tokens.editor) == 1


def test_posting_signed_out_is_refused(client: TestClient, tokens: Any) -> None:
    _store(client, tokens.editor, demo_document())
    response = client.post("/models/milford-hqi/links", data=NEW_LINK, follow_redirects=False)
    assert response.status_code == 401


# -- forms ----------------------------------------------------------------------------------------
def test_adding_a_link_through_the_form_clears_a_finding(editor: TestClient, tokens: Any) -> None:
    assert ("TOC101", "laptops") in _check(editor, tokens.editor)
    form = editor.get("/models/milford-hqi/links/new?source=laptops")
    assert '<option value="laptops" selected>' in form.text
    response = editor.post(
        "/models/milford-hqi/links",
        data={**NEW_LINK, "version": "1", "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("#focus=laptops-%3Estudents-talk")
    assert ("TOC101", "laptops") not in _check(editor, tokens.editor)
    link = editor.get(
        "/api/v1/models/milford-hqi/links/laptops-%3Estudents-talk",
        headers={"Authorization": f"Bearer {tokens.editor}"},
    ).json()
    assert link["evidence"] == [
        {
            "citation": "Device study (2021)",
            "tier": 3,
            "url": "https://example.org/study",
            "note": "small sample",
        }
    ]
    assert link["assumptions"] == ["Wifi works", "Teachers use the devices for talk"]


def test_editing_a_node_keeps_what_the_form_shows(editor: TestClient, tokens: Any) -> None:
    form = editor.get("/models/milford-hqi/nodes/hqi-live/edit").text
    assert "Educators attending | count" in form
    response = editor.post(
        "/models/milford-hqi/nodes/hqi-live",
        data={
            "csrf": _csrf(form),
            "version": "1",
            "title": "HQI Live! week",
            "level": "system",
            "kind": "initiative",
            "status": "active",
            "form": "Live lessons",
            "function": "",
            "indicators": "Educators attending | count\nChange in questioning | change",
            "tags": "pd, hqi",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    node = editor.get(
        "/api/v1/models/milford-hqi/nodes/hqi-live",
        headers={"Authorization": f"Bearer {tokens.editor}"},
    ).json()
    assert node["form"] == "Live lessons" and "function" not in node
    assert node["indicators"][1] == {"name": "Change in questioning", "measures": "change"}
    assert node["tags"] == ["pd", "hqi"]


def test_errors_are_shown_beside_their_fields(editor: TestClient) -> None:
    csrf = _csrf(editor.get("/models/milford-hqi/links/new").text)
    response = editor.post(
        "/models/milford-hqi/links",
        data={**NEW_LINK, "evidence": "A study | 7", "csrf": csrf, "version": "1"},
    )
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">(.*?)</div>', response.text, re.S)
    assert field is not None and 'name="evidence"' in field.group(1)
    assert "line 1: the tier is 1, 2, 3 or 4" in field.group(1)
    # A problem the domain finds lands beside its field too: a dangling end.
    response = editor.post(
        "/models/milford-hqi/links",
        data={**NEW_LINK, "to": "nowhere", "csrf": csrf, "version": "1"},
    )
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">(.*?)</div>', response.text, re.S)
    assert field is not None and 'name="to"' in field.group(1)


@pytest.mark.parametrize("number", ["\u00b2", "\u2460", "-1"])
def test_numbers_that_are_not_digits_are_form_errors(editor: TestClient, number: str) -> None:
    """`²` passes `str.isdigit` but not `int`: a tier or version of it is refused, not a crash."""
    csrf = _csrf(editor.get("/models/milford-hqi/links/new").text)
    response = editor.post(
        "/models/milford-hqi/links",
        data={**NEW_LINK, "evidence": f"A study | {number}", "csrf": csrf, "version": "1"},
    )
    assert response.status_code == 400
    assert "line 1: the tier is 1, 2, 3 or 4" in response.text
    response = editor.post(
        "/models/milford-hqi/links", data={**NEW_LINK, "csrf": csrf, "version": number}
    )
    assert response.status_code == 400
    assert "The form lost the model&#39;s version" in response.text
    response = editor.post(
        "/models/milford-hqi/links/hqi-live-%3Eteachers-plan/delete",
        data={"csrf": csrf, "version": number},
    )
    assert response.status_code == 400
    assert "Nothing was deleted" in response.text


def test_a_stale_version_shows_the_conflict_and_changes_nothing(
    editor: TestClient, tokens: Any
) -> None:
    form = editor.get("/models/milford-hqi/nodes/laptops/edit").text
    assert 'name="version" value="1"' in form
    # Someone else changes the model meanwhile.
    editor.patch(
        "/api/v1/models/milford-hqi/nodes/laptops",
        json={"title": "Laptops for every student"},
        headers={"Authorization": f"Bearer {tokens.admin}"},
    )
    response = editor.post(
        "/models/milford-hqi/nodes/laptops",
        data={
            "csrf": _csrf(form),
            "version": "1",
            "title": "Mine",
            "level": "system",
            "kind": "initiative",
            "status": "active",
        },
    )
    assert response.status_code == 409
    assert "Not saved: someone changed this model" in response.text
    assert "Laptops for every student" in response.text  # the stored value, beside "Mine"
    assert 'name="version" value="2"' in response.text
    node = editor.get(
        "/api/v1/models/milford-hqi/nodes/laptops",
        headers={"Authorization": f"Bearer {tokens.editor}"},
    ).json()
    assert node["title"] == "Laptops for every student"


def test_a_stale_delete_deletes_nothing(editor: TestClient, tokens: Any) -> None:
    csrf = _csrf(editor.get("/models/milford-hqi").text)
    editor.patch(
        "/api/v1/models/milford-hqi/nodes/laptops",
        json={"title": "Changed"},
        headers={"Authorization": f"Bearer {tokens.admin}"},
    )
    response = editor.post(
        "/models/milford-hqi/nodes/laptops/delete", data={"csrf": csrf, "version": "1"}
    )
    assert response.status_code == 409
    assert ("TOC101", "laptops") in _check(editor, tokens.editor)


def test_deleting_a_link(editor: TestClient, tokens: Any) -> None:
    csrf = _csrf(editor.get("/models/milford-hqi").text)
    response = editor.post(
        "/models/milford-hqi/links/coaching-%3Eelicit/delete",
        data={"csrf": csrf, "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert ("TOC101", "coaching") in _check(editor, tokens.editor)


# -- import and export ----------------------------------------------------------------------------
def test_import_a_json_file_and_export_it(editor: TestClient) -> None:
    csrf = _csrf(editor.get("/models").text)
    document = demo_document() | {"id": "second", "title": "Second"}
    response = editor.post(
        "/models/import",
        data={"csrf": csrf, "format": ""},
        files={"file": ("second.json", json.dumps(document).encode(), "application/json")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    exported = editor.get("/models/second/export?format=json")
    assert exported.status_code == 200
    assert 'filename="second.json"' in exported.headers["content-disposition"]
    assert json.loads(exported.text)["title"] == "Second"


def test_import_lists_every_problem_of_a_rejected_file(editor: TestClient) -> None:
    csrf = _csrf(editor.get("/models").text)
    bad = {
        "id": "bad",
        "title": "Bad",
        "nodes": [{"id": "a", "level": "district", "kind": "initiative", "title": PAYLOAD}],
        "links": [{"from": "a", "to": "b"}],
    }
    response = editor.post(
        "/models/import",
        data={"csrf": csrf},
        files={"file": ("bad.json", json.dumps(bad).encode(), "application/json")},
    )
    assert response.status_code == 400
    assert "nodes[0].level" in response.text and "links[0].to" in response.text
    assert_inert(response.text)


def test_export_as_a_csv_zip(editor: TestClient) -> None:
    response = editor.get("/models/milford-hqi/export?format=csv")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {"links.csv", "nodes.csv"} <= set(names)


def test_a_form_without_its_version_writes_nothing(editor: TestClient, tokens: Any) -> None:
    csrf = _csrf(editor.get("/models/milford-hqi/links/new").text)
    response = editor.post("/models/milford-hqi/links", data={**NEW_LINK, "csrf": csrf})
    assert response.status_code == 400
    assert "lost the model&#39;s version" in response.text
    response = editor.post("/models/milford-hqi/nodes/laptops/delete", data={"csrf": csrf})
    assert response.status_code == 400
    assert _version(editor, tokens.editor) == 1


def test_the_home_page_sends_you_where_you_belong(client: TestClient, tokens: Any) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    _sign_in(client, tokens.viewer)
    assert client.get("/", follow_redirects=False).headers["location"] == "/models"
