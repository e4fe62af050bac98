"""A crawl of the pages: everything reachable from the models list, following links, as a viewer
and as an editor, on every example and on models with numbers past a float's range, hostile text
and 30+ versions, answers without a 5xx and without a traceback in the log."""

from __future__ import annotations

import logging
import re
from collections import Counter, deque
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from formtest_support import example_documents, hostile_text_document, huge_numbers_document
from webtest_support import hostile_document, sign_in

VERSIONS = 32
# Links a visit must not follow: signing out ends the crawl; the map and report files are large
# and covered by their own tests, but are fetched once per model anyway (see `_skip`).
_HREF = re.compile(r'href="([^"]*)"')
_PER_PATH = 100  # distinct query strings visited per path (filters and sorts repeat a page)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _many_versions_document() -> dict[str, Any]:
    document = example_documents()[1]
    document["id"] = "many-versions"
    document["title"] = "Many versions"
    return document


@pytest.fixture
def stored(app: FastAPI, tokens: Any) -> FastAPI:
    with TestClient(app) as client:
        documents = [
            *example_documents(),
            huge_numbers_document(),
            hostile_text_document(),
            hostile_document(),
            _many_versions_document(),
        ]
        for document in documents:
            response = client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
            assert response.status_code == 201, (document["id"], response.text[:500])
        many = _many_versions_document()
        # Version 2 drops a link, so that comparing across it changes the findings too.
        link = many["links"][0]
        key = link.get("id") or f"{link['from']}->{link['to']}"
        response = client.delete(
            f"/api/v1/models/many-versions/links/{key.replace('>', '%3E')}",
            headers={**_bearer(tokens.editor), "If-Match": '"1"'},
        )
        assert response.status_code in (200, 204), response.text[:500]
        node = many["nodes"][0]["id"]
        for version in range(2, VERSIONS):
            response = client.patch(
                f"/api/v1/models/many-versions/nodes/{node}",
                json={"title": f"Title of version {version + 1} ‮ 😀 <b>"},
                headers={**_bearer(tokens.editor), "If-Match": f'"{version}"'},
            )
            assert response.status_code == 200, response.text[:500]
    return app


def _links(html: str) -> list[str]:
    found = []
    for href in _HREF.findall(html):
        url = unescape(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, or a fragment of this page
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _skip(url: str) -> bool:
    return url.startswith(("/static/", "/logout", "/login", "/api/"))


def _crawl(app: FastAPI, token: str) -> dict[str, int]:
    """Every page reachable from /models: {url: status}."""
    seen: dict[str, int] = {}
    per_path: Counter[str] = Counter()
    with TestClient(app, raise_server_exceptions=False) as client:
        assert sign_in(client, token).status_code == 303
        queue = deque(["/models"])
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            path = url.partition("?")[0]
            if "?" in url:
                per_path[path] += 1
                if per_path[path] > _PER_PATH:
                    continue
            response = client.get(url, follow_redirects=False)
            seen[url] = response.status_code
            if "text/html" in response.headers.get("content-type", ""):
                queue.extend(u for u in _links(response.text) if u not in seen and not _skip(u))
    return seen


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_every_page_reachable_from_the_models_list_answers(
    stored: FastAPI, tokens: Any, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    seen = _crawl(stored, getattr(tokens, role))
    failed = {url: status for url, status in seen.items() if status >= 500}
    assert not failed
    tracebacks = [
        record.getMessage()
        for record in caplog.records
        if record.exc_info or "Traceback" in record.getMessage()
    ]
    assert not tracebacks
    # The crawl reached every model, its history, a version page of the long one, its forms.
    for model_id in ("state-portfolio", "huge-numbers", "hostile-text", "hostile", "many-versions"):
        assert seen.get(f"/models/{model_id}") == 200, model_id
        assert seen.get(f"/models/{model_id}/history") == 200, model_id
    assert seen.get(f"/models/many-versions/versions/{VERSIONS}") == 200
    assert seen.get("/models/many-versions/compare?old=1&new=2") == 200
    edit_pages = [url for url in seen if url.endswith("/edit")]
    if role == "editor":
        assert len(edit_pages) > 100 and all(seen[url] == 200 for url in edit_pages)
    else:
        assert not edit_pages
