"""Pages that failed for real users (issue 18): comparing versions whose findings differ, the
history's version links, a model whose numbers are past a float's range."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from webtest_support import demo_document, sign_in


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signed_in(client: TestClient, tokens: Any, document: dict[str, Any]) -> TestClient:
    response = client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
    assert response.status_code == 201, response.text
    assert sign_in(client, tokens.editor).status_code == 303
    return client


def _link_laptops(client: TestClient, tokens: Any) -> None:
    link = {"from": "laptops", "to": "students-talk", "because": "Devices carry the talk"}
    response = client.post(
        "/api/v1/models/milford-hqi/links",
        json=link,
        headers={**_bearer(tokens.editor), "If-Match": '"1"'},
    )
    assert response.status_code in (200, 201), response.text


def test_comparing_versions_whose_findings_differ_names_each_finding(
    client: TestClient, tokens: Any
) -> None:
    _signed_in(client, tokens, demo_document())
    _link_laptops(client, tokens)  # resolves laptops' TOC101
    page = client.get("/models/milford-hqi/compare?old=1&new=2")
    assert page.status_code == 200
    resolved = page.text.split('id="findings-resolved"')[1].split("<h2")[0]
    assert "TOC101" in resolved and "<code>laptops</code>" in resolved


def test_the_history_links_each_version_to_a_page_the_session_opens(
    client: TestClient, tokens: Any
) -> None:
    _signed_in(client, tokens, demo_document())
    _link_laptops(client, tokens)
    history = client.get("/models/milford-hqi/history").text
    links = re.findall(r'href="([^"]*versions/\d+)"', history)
    assert links and not any(link.startswith("/api/") for link in links)
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert "&#34;format&#34;: &#34;toc/1&#34;" in page.text
    assert 'href="/models/milford-hqi/compare?old=1&amp;new=2"' in client.get(links[0]).text


def test_a_model_with_numbers_past_a_float_opens_for_everybody(
    client: TestClient, tokens: Any
) -> None:
    document = demo_document()
    node = next(n for n in document["nodes"] if n.get("indicators"))
    node["indicators"][0] |= {
        "target": 10**400,
        "baseline": 0,
        "observations": [{"date": "2026-01-05", "value": 10**400 - 1}],
    }
    _signed_in(client, tokens, document)
    page = client.get("/models/milford-hqi")
    assert page.status_code == 200
    assert client.get("/models/milford-hqi?colour=progress").status_code == 200
