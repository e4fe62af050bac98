"""A new model from the pages, a model's settings, and a node whose id is made from its title."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from formtest_support import HOSTILE, example_documents, submitted
from webtest_support import sign_in


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _sign_in(client: TestClient, token: str) -> None:
    assert sign_in(client, token).status_code == 303


def _document(client: TestClient, token: str, model_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/models/{model_id}", headers=_bearer(token))
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def test_a_new_model_is_linked_from_the_list_and_gets_an_id_from_its_title(
    client: TestClient, tokens: Any
) -> None:
    _sign_in(client, tokens.editor)
    assert 'href="/new-model"' in client.get("/models").text
    created = []
    for _ in range(2):
        action, fields = submitted(client.get("/new-model").text, "new-model-form")
        fields |= {"title": "Literacy Plan 2026–27", "description": HOSTILE}
        response = client.post(action, data=fields, follow_redirects=False)
        assert response.status_code == 303, response.text
        created.append(response.headers["location"].split("?")[0])
    assert created == ["/models/literacy-plan-2026-27", "/models/literacy-plan-2026-27-2"]
    document = _document(client, tokens.editor, "literacy-plan-2026-27")
    assert document["title"] == "Literacy Plan 2026–27"
    assert document["description"] == HOSTILE
    assert document["nodes"] == [] and document["links"] == []


def test_a_new_model_with_a_taken_or_bad_id_is_refused_beside_it(
    client: TestClient, tokens: Any
) -> None:
    _sign_in(client, tokens.editor)
    action, fields = submitted(client.get("/new-model").text, "new-model-form")
    response = client.post(action, data=fields | {"title": "x", "id": "Not A Slug"})
    assert response.status_code == 400 and 'id="f-id-error"' in response.text
    client.post(action, data=fields | {"title": "x", "id": "plan"})
    response = client.post(action, data=fields | {"title": "y", "id": "plan"})
    assert response.status_code == 409 and 'id="f-id-error"' in response.text
    assert _document(client, tokens.editor, "plan")["title"] == "x"


def test_a_viewer_gets_no_new_model_form(client: TestClient, tokens: Any) -> None:
    _sign_in(client, tokens.viewer)
    assert 'href="/new-model"' not in client.get("/models").text
    assert client.get("/new-model").status_code == 403


def test_settings_saved_untouched_change_nothing_and_edits_are_kept(
    client: TestClient, tokens: Any
) -> None:
    document = example_documents()[0]
    document |= {"checks": {"TOC302": "off"}, "scope": "district", "designations": ["TSI"]}
    model_id = document["id"]
    response = client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
    assert response.status_code == 201, response.text
    _sign_in(client, tokens.editor)
    before = _document(client, tokens.editor, model_id)
    page = client.get(f"/models/{model_id}")
    assert f'href="/models/{model_id}/settings"' in page.text
    action, fields = submitted(client.get(f"/models/{model_id}/settings").text, "settings-form")
    assert fields["checks"] == "TOC302: off" and fields["scope"] == "district"
    assert client.post(action, data=fields, follow_redirects=False).status_code == 303
    assert _document(client, tokens.editor, model_id) == before
    fields |= {"currency": "EUR", "org": "0601234", "checks": "TOC302: off\r\ntoc101: info"}
    assert client.post(action, data=fields, follow_redirects=False).status_code == 303
    after = _document(client, tokens.editor, model_id)
    assert (after["currency"], after["org"]) == ("EUR", "0601234")
    assert after["checks"] == {"TOC302": "off", "TOC101": "info"}
    assert after["nodes"] == before["nodes"] and after["scope"] == "district"
    response = client.post(action, data=fields | {"currency": "euros", "version": "99"})
    assert response.status_code in (400, 409)


def test_a_node_added_without_an_id_gets_one_from_its_title(
    client: TestClient, tokens: Any
) -> None:
    document = example_documents()[0]
    model_id = document["id"]
    client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
    _sign_in(client, tokens.editor)
    ids = []
    for _ in range(2):
        action, fields = submitted(client.get(f"/models/{model_id}/nodes/new").text, "node-form")
        fields |= {"title": "Family Math Nights!", "id": ""}
        response = client.post(action, data=fields, follow_redirects=False)
        assert response.status_code == 303, response.text
        ids.append(response.headers["location"].rsplit("#focus=", 1)[1])
    assert ids == ["family-math-nights", "family-math-nights-2"]


def test_the_form_shows_the_measure_toc_infers(client: TestClient, tokens: Any) -> None:
    document = example_documents()[0]
    node = document["nodes"][0]
    node["indicators"] = [{"name": "Number of teachers trained"}]
    client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
    _sign_in(client, tokens.editor)
    page = client.get(f"/models/{document['id']}/nodes/{node['id']}/edit").text
    assert 'data-inferred="count"' in page


def test_the_node_form_offers_the_other_models_nodes_to_carry_out(
    client: TestClient, tokens: Any
) -> None:
    district, state = example_documents()[0], example_documents()[-1]
    state["nodes"][1]["status"] = "retired"
    for document in (district, state):
        response = client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
        assert response.status_code == 201, response.text
    _sign_in(client, tokens.editor)
    node = district["nodes"][0]["id"]
    page = client.get(f"/models/{district['id']}/nodes/{node}/edit").text
    offered = set(re.findall(r'<option value="([^"]+:[^"]+)">', page))
    kept = [n for n in state["nodes"] if n.get("status") != "retired"]
    assert offered == {f"{state['id']}:{n['id']}" for n in kept}
