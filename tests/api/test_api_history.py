"""History, diff, restore and observations through the API (SPEC §4, §5), on both stores."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.auth import create_token

M = "/api/v1/models/milford-hqi"


def _stored(client: TestClient, auth: Any, document: dict[str, Any]) -> None:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201


def test_every_write_keeps_its_version_with_who_and_when(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    client.patch(f"{M}/nodes/shared-model", json={"title": "Shared"}, headers=auth.editor)
    client.post(
        f"{M}/nodes",
        json={"id": "coach", "level": "teacher", "kind": "change", "title": "Coaching"},
        headers=auth.editor,
    )
    client.delete(f"{M}/links/shared-model-%3Emath-reasoning", headers=auth.editor)
    answer = client.get(f"{M}/versions", headers=auth.viewer)
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [v["version"] for v in items] == [4, 3, 2, 1]
    assert {v["by"] for v in items} == {"editor"}
    assert [(v["nodes"], v["links"]) for v in items] == [(4, 1), (4, 2), (3, 2), (3, 2)]
    assert set(items[0]["findings"]) == {"error", "warning", "info"}
    assert datetime.datetime.fromisoformat(items[0]["at"]).year >= 2024
    # Each version reads back as it was, whole.
    first = client.get(f"{M}/versions/1", headers=auth.viewer)
    assert first.headers["ETag"] == '"1"'
    assert first.json()["version"] == 1
    assert first.json()["nodes"][1]["title"] == document["nodes"][1]["title"]
    second = client.get(f"{M}/versions/2", headers=auth.viewer).json()
    assert second["nodes"][1]["title"] == "Shared"
    assert client.get(f"{M}/versions/9", headers=auth.viewer).status_code == 404


def test_the_history_pages_like_the_models_listing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    for n in range(4):
        client.patch(f"{M}/nodes/shared-model", json={"title": f"t{n}"}, headers=auth.editor)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{M}/versions", params=params, headers=auth.viewer).json()
        seen += [v["version"] for v in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1]
    bad = client.get(f"{M}/versions", params={"cursor": "nonsense"}, headers=auth.viewer)
    assert bad.status_code == 422


def test_a_token_name_is_the_author(
    client: TestClient, app: Any, auth: Any, document: dict[str, Any]
) -> None:
    with Session(app.state.engine) as session:
        named = create_token(session, "w1", "editor", name="Ana (data office)")
    _stored(client, auth, document)
    client.patch(
        f"{M}/nodes/shared-model",
        json={"title": "x"},
        headers={"Authorization": f"Bearer {named}"},
    )
    items = client.get(f"{M}/versions", headers=auth.viewer).json()["items"]
    assert [v["by"] for v in items] == ["Ana (data office)", "editor"]


def test_diff_of_two_versions_has_the_spec_shape(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    client.patch(
        f"{M}/links/shared-model-%3Emath-reasoning",
        json={"because": "Students hear reasoning modelled"},
        headers=auth.editor,
    )
    client.patch(f"{M}/nodes/hqi-live", json={"title": "HQI week"}, headers=auth.editor)
    diff = client.get(f"{M}/diff", params={"from": 1}, headers=auth.viewer).json()
    assert diff["from"] == 1 and diff["to"] == 3
    assert diff["nodes"]["changed"]["hqi-live"]["title"] == ["HQI Live! week", "HQI week"]
    assert diff["links"]["changed"]["shared-model->math-reasoning"]["because"][1] == (
        "Students hear reasoning modelled"
    )
    assert "TOC103" in [f["code"] for f in diff["findings"]["resolved"]]
    assert "TOC103" not in [f["code"] for f in diff["findings"]["new"]]
    same = client.get(f"{M}/diff", params={"from": 2, "to": 2}, headers=auth.viewer).json()
    assert same["nodes"] == {"added": [], "removed": [], "changed": {}}
    assert client.get(f"{M}/diff", params={"from": 7}, headers=auth.viewer).status_code == 404
    assert client.get(f"{M}/diff", headers=auth.viewer).status_code == 422


def test_restore_writes_a_new_version_equal_to_the_old_one(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    client.delete(f"{M}/nodes/math-reasoning", headers=auth.editor)
    answer = client.post(f"{M}/versions/1/restore", headers={**auth.editor, "If-Match": '"2"'})
    assert answer.status_code == 200
    assert answer.headers["ETag"] == '"3"'
    now = client.get(M, headers=auth.viewer).json()
    old = client.get(f"{M}/versions/1", headers=auth.viewer).json()
    now.pop("version"), old.pop("version")
    assert now == old
    assert [
        v["version"] for v in client.get(f"{M}/versions", headers=auth.viewer).json()["items"]
    ] == [3, 2, 1]


def test_restore_with_a_stale_if_match_is_412_and_changes_nothing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    client.delete(f"{M}/nodes/math-reasoning", headers=auth.editor)
    answer = client.post(f"{M}/versions/1/restore", headers={**auth.editor, "If-Match": '"1"'})
    assert answer.status_code == 412
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get(M, headers=auth.viewer).json()["version"] == 2
    assert len(client.get(f"{M}/versions", headers=auth.viewer).json()["items"]) == 2


def test_history_keeps_to_workspaces_and_roles(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    for path in ("/versions", "/versions/1", "/diff?from=1"):
        assert client.get(M + path, headers=auth.other).status_code == 404
        assert client.get(M + path).status_code == 401
    assert client.post(f"{M}/versions/1/restore", headers=auth.other).status_code == 404
    assert client.post(f"{M}/versions/1/restore", headers=auth.viewer).status_code == 403
    rows = [
        {"node": "hqi-live", "indicator": "Educators attending", "date": "2026-01-05", "value": 3}
    ]
    assert client.post(f"{M}/observations", json=rows, headers=auth.viewer).status_code == 403
    assert client.post(f"{M}/observations", json=rows, headers=auth.other).status_code == 404


def test_deleting_a_model_deletes_its_history(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    client.patch(f"{M}/nodes/shared-model", json={"title": "x"}, headers=auth.editor)
    assert client.delete(M, headers=auth.editor).status_code == 204
    _stored(client, auth, document)
    items = client.get(f"{M}/versions", headers=auth.viewer).json()["items"]
    assert [v["version"] for v in items] == [1]


def test_observations_as_json_or_csv_each_make_one_version(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    rows = [
        {"node": "hqi-live", "indicator": "Educators attending", "date": "2026-01-05", "value": 30},
        {"node": "hqi-live", "indicator": "Educators attending", "date": "2026-02-05", "value": 42},
    ]
    answer = client.post(f"{M}/observations", json=rows, headers={**auth.editor, "If-Match": '"1"'})
    assert answer.status_code == 200 and answer.headers["ETag"] == '"2"'
    csv = "node,indicator,date,value,note\nhqi-live,Educators attending,2026-02-05,45,recount\n"
    answer = client.post(
        f"{M}/observations",
        content=csv.encode(),
        headers={**auth.editor, "Content-Type": "text/csv"},
    )
    assert answer.status_code == 200 and answer.headers["ETag"] == '"3"'
    indicator = client.get(M, headers=auth.viewer).json()["nodes"][0]["indicators"][0]
    assert indicator["observations"] == [
        {"date": "2026-01-05", "value": 30},
        {"date": "2026-02-05", "value": 45, "note": "recount"},
    ]
    stale = client.post(f"{M}/observations", json=rows, headers={**auth.editor, "If-Match": '"1"'})
    assert stale.status_code == 412


def test_observations_are_rejected_whole_with_every_problem_listed(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    rows = [
        {"node": "hqi-live", "indicator": "Educators attending", "date": "2026-01-05", "value": 3},
        {"node": "nowhere", "indicator": "x", "date": "2026-01-05", "value": 3},
        {"node": "hqi-live", "indicator": "Nothing like it", "date": "2026-13-01", "value": "a"},
    ]
    answer = client.post(f"{M}/observations", json=rows, headers=auth.editor)
    assert answer.status_code == 422
    paths = sorted(e["path"] for e in answer.json()["errors"])
    assert paths == ["[1].node", "[2].date", "[2].indicator", "[2].value"]
    assert client.get(M, headers=auth.viewer).json()["version"] == 1
    assert len(client.get(f"{M}/versions", headers=auth.viewer).json()["items"]) == 1
    csv = "node,indicator,date,value\nhqi-live,Educators attending,yesterday,many\n"
    answer = client.post(
        f"{M}/observations", content=csv, headers={**auth.editor, "Content-Type": "text/csv"}
    )
    assert answer.status_code == 422
    assert sorted(e["path"] for e in answer.json()["errors"]) == ["row 2.date", "row 2.value"]
    odd = client.post(
        f"{M}/observations", content=b"x", headers={**auth.editor, "Content-Type": "image/png"}
    )
    assert odd.status_code == 415


def test_the_check_report_does_not_outlive_its_day(
    client: TestClient, auth: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached report (route and fast path alike) is for one day: the next day checks again."""
    import services.clock

    document["nodes"][0]["indicators"] = [
        {
            "name": "Educators attending",
            "cadence": "monthly",
            "observations": [{"date": "2026-01-01", "value": 30}],
        }
    ]
    _stored(client, auth, document)
    monkeypatch.setattr(services.clock, "today", lambda: datetime.date(2026, 1, 20))
    first = client.get(f"{M}/check", headers=auth.viewer).json()
    assert first["as_of"] == "2026-01-20"
    assert "TOC701" not in {f["code"] for f in first["findings"]}
    again = client.get(f"{M}/check", headers=auth.viewer).json()  # from the cache
    assert again == first
    monkeypatch.setattr(services.clock, "today", lambda: datetime.date(2026, 3, 1))
    later = client.get(f"{M}/check", headers=auth.viewer).json()
    assert later["as_of"] == "2026-03-01"
    assert "TOC701" in {f["code"] for f in later["findings"]}
    assert client.get(f"{M}/check", headers=auth.viewer).json() == later


def test_concurrent_writers_each_leave_exactly_one_version(
    live_server: Any, document: dict[str, Any]
) -> None:
    with Session(live_server.app.state.engine) as session:
        token = create_token(session, "w1", "editor")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as setup:
        assert setup.post("/api/v1/models", json=document).status_code == 201
    writers, writes = 6, 8
    succeeded: list[int] = []
    lock = threading.Lock()
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as client:
                for write in range(writes):
                    if write % 2:
                        answer = client.patch(
                            f"{M}/nodes/shared-model", json={"title": f"w{number}-{write}"}
                        )
                    else:
                        answer = client.post(
                            f"{M}/observations",
                            json=[
                                {
                                    "node": "hqi-live",
                                    "indicator": "Educators attending",
                                    "date": f"2026-01-{write + 1:02d}",
                                    "value": number,
                                }
                            ],
                        )
                    assert answer.status_code == 200, answer.text
                    with lock:
                        succeeded.append(int(answer.headers["ETag"].strip('"')))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    total = 1 + writers * writes
    assert sorted(succeeded) == list(range(2, total + 1))
    with httpx.Client(base_url=live_server.url, headers=headers) as client:
        versions: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 500}
            if cursor:
                params["cursor"] = cursor
            page = client.get(f"{M}/versions", params=params).json()
            versions += [v["version"] for v in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert versions == list(range(total, 0, -1))
        # The version each write answered holds that write's change.
        last = client.get(f"{M}/versions/{total}").json()
        assert last == {**client.get(M).json(), "version": total}
