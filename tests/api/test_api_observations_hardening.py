"""Observations under real use (issue #18): a big merge stalls no other workspace's writer,
week dates and integers past float range are a 422, never a wedged model or a 500."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import httpx
import pytest
from sqlmodel import Session

import services.observations as observation_service
from services import items, store
from services.auth import create_token

M = "/api/v1/models/milford-hqi"


def _with_indicator(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    document["nodes"][1]["indicators"] = [{"id": "share", "name": "Share", "measures": "change"}]
    return document


def test_a_merge_in_progress_does_not_hold_other_workspaces_writers(
    live_server: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(live_server.app.state.engine) as session:
        mine = {"Authorization": f"Bearer {create_token(session, 'w1', 'editor')}"}
        theirs = {"Authorization": f"Bearer {create_token(session, 'w2', 'editor')}"}
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        assert client.post(
            "/api/v1/models", json=_with_indicator(document), headers=mine
        ).is_success
        assert client.post("/api/v1/models", json=document, headers=theirs).is_success

    merging, other_done = threading.Event(), threading.Event()
    real_merge = observation_service.merge_observations_into_nodes

    def slow_merge(*args: Any) -> Any:
        merging.set()
        other_done.wait(timeout=15)  # a long merge: it lasts until the other write is done
        return real_merge(*args)

    monkeypatch.setattr(observation_service, "merge_observations_into_nodes", slow_merge)
    answers: dict[str, httpx.Response] = {}

    def post_observations() -> None:
        with httpx.Client(base_url=live_server.url, timeout=60) as client:
            answers["mine"] = client.post(
                f"{M}/observations",
                json=[
                    {
                        "node": "shared-model",
                        "indicator": "share",
                        "date": "2026-03-01",
                        "value": 0.4,
                    }
                ],
                headers=mine,
            )

    thread = threading.Thread(target=post_observations)
    thread.start()
    assert merging.wait(timeout=15)
    began = time.monotonic()
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        other = client.patch(f"{M}/nodes/shared-model", json={"title": "Theirs"}, headers=theirs)
    waited = time.monotonic() - began
    other_done.set()
    thread.join(timeout=60)
    assert other.status_code == 200 and waited < 5, (other.status_code, waited)
    assert answers["mine"].status_code == 200, answers["mine"].text
    assert answers["mine"].json()["version"] == 2


def test_a_write_to_the_same_model_during_the_merge_is_kept_and_merged_again(
    client: Any, auth: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        client.post(
            "/api/v1/models", json=_with_indicator(document), headers=auth.editor
        ).status_code
        == 201
    )
    real_merge = observation_service.merge_observations_into_nodes
    calls: list[int] = []

    def merge_while_someone_writes(model: Any, rows: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # someone else writes the model between our read and our write
            with Session(client.app.state.engine) as session:
                w1 = store.workspace_id(session, "w1")
                assert w1 is not None
                items.patch_item(
                    session, w1, "milford-hqi", items.NODE, "hqi-live", {"title": "Renamed"}
                )
        return real_merge(model, rows)

    monkeypatch.setattr(
        observation_service, "merge_observations_into_nodes", merge_while_someone_writes
    )
    answer = client.post(
        f"{M}/observations",
        json=[{"node": "shared-model", "indicator": "share", "date": "2026-03-01", "value": 1}],
        headers=auth.editor,
    )
    assert answer.status_code == 200, answer.text
    stored = client.get(M, headers=auth.editor).json()
    assert stored["version"] == 3 and len(calls) == 2
    assert stored["nodes"][0]["title"] == "Renamed"  # the other write is not lost
    assert stored["nodes"][1]["indicators"][0]["observations"] == [
        {"date": "2026-03-01", "value": 1}
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "where"),
    [
        (
            '[{"node":"shared-model","indicator":"share","date":"2026-03-01","value":1'
            + "0" * 400
            + "}]",
            "application/json",
            "[0].value",
        ),
        (
            "node,indicator,date,value\nshared-model,share,2026-03-01,1" + "0" * 400 + "\n",
            "text/csv",
            "row 2.value",
        ),
        (
            '[{"node":"shared-model","indicator":"share","date":"2020-W01-3","value":1}]',
            "application/json",
            "[0].date",
        ),
        ("node,indicator,date,value\nshared-model,share,20200101,1\n", "text/csv", "row 2.date"),
        (
            '[{"node":"shared-model","indicator":"share","date":"2026-03-01","value":1,'
            '"note":"lone \\udc00 surrogate"}]',
            "application/json",
            "$",
        ),
    ],
    ids=["huge-json", "huge-csv", "week-date", "compact-date", "lone-surrogate"],
)
def test_a_huge_integer_or_a_week_date_is_a_422_and_nothing_is_stored(
    client: Any, auth: Any, document: dict[str, Any], body: str, content_type: str, where: str
) -> None:
    assert (
        client.post(
            "/api/v1/models", json=_with_indicator(document), headers=auth.editor
        ).status_code
        == 201
    )
    answer = client.post(
        f"{M}/observations",
        content=body.encode(),
        headers={**auth.editor, "Content-Type": content_type},
    )
    assert answer.status_code == 422, answer.text
    assert [error["path"] for error in answer.json()["errors"]] == [where]
    assert client.get(M, headers=auth.editor).json()["version"] == 1
