"""The pages honour a token limited to some models (SPEC §4): a district signed in reads the
state's plan and its neighbour's, and is refused, with a page saying why, any form that
would change them."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from webtest_support import demo_document, sign_in

from services.auth import create_token

STATE, NORTH, SOUTH = "state-plan", "north-district", "south-district"


@pytest.fixture
def district(client: TestClient, tokens: Any) -> dict[str, str]:
    document = demo_document()
    for model_id in (STATE, NORTH, SOUTH):
        model = copy.deepcopy(document)
        model["id"] = model_id
        stored = client.post(
            "/api/v1/models", json=model, headers={"Authorization": f"Bearer {tokens.editor}"}
        )
        assert stored.status_code == 201, stored.text
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        token = create_token(session, "w1", "editor", "North district", models=[NORTH])
    assert sign_in(client, token).status_code == 303
    node = document["nodes"][0]["id"]
    return {"node": node}


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_district_edits_its_own_plan(client: TestClient, district: dict[str, str]) -> None:
    form = client.get(f"/models/{NORTH}/nodes/{district['node']}/edit")
    assert form.status_code == 200


@pytest.mark.parametrize("model_id", [STATE, SOUTH])
def test_a_district_reads_but_cannot_edit_the_state_or_a_neighbour(
    client: TestClient, district: dict[str, str], model_id: str
) -> None:
    page = client.get(f"/models/{model_id}")
    assert page.status_code == 200
    assert f"/models/{model_id}/nodes/{district['node']}/edit" not in page.text
    form = client.get(f"/models/{model_id}/nodes/{district['node']}/edit")
    assert form.status_code == 403
    assert f"can read &#39;{model_id}&#39; but not change it" in form.text
    assert NORTH in form.text
    csrf = _csrf(client.get("/models").text)
    saved = client.post(
        f"/models/{model_id}/nodes/{district['node']}", data={"csrf": csrf, "title": "Ours now"}
    )
    assert saved.status_code == 403
    deleted = client.post(
        f"/models/{model_id}/nodes/{district['node']}/delete", data={"csrf": csrf}
    )
    assert deleted.status_code == 403
    assert "Ours now" not in client.get(f"/models/{model_id}").text


def test_a_district_imports_no_model(client: TestClient, district: dict[str, str]) -> None:
    csrf = _csrf(client.get("/models").text)
    answer = client.post("/models/import", data={"csrf": csrf})
    assert answer.status_code == 403
    assert "cannot create or import models" in answer.text
