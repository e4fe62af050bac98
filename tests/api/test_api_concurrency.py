"""No update is ever lost: 8 clients × 25 writes of one model through a real server."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.auth import create_token

CLIENTS, WRITES = 8, 25
M = "/api/v1/models/milford-hqi"


@pytest.mark.parametrize("conditional", [True, False], ids=["if-match", "unconditional"])
def test_concurrent_writers_all_land_and_the_version_rises_by_exactly_their_number(
    live_server: Any, document: dict[str, Any], conditional: bool
) -> None:
    with Session(live_server.app.state.engine) as session:
        token = create_token(session, "w1", "editor")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as setup:
        assert setup.post("/api/v1/models", json=document).status_code == 201

    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as client:
                for write in range(WRITES):
                    extra = {}
                    if conditional:
                        extra["If-Match"] = client.get(M).headers["ETag"]
                    for attempt in range(1, 10_000):
                        answer = client.patch(
                            f"{M}/nodes/shared-model",
                            json={"title": f"writer {number} write {write}"},
                            headers=extra,
                        )
                        with lock:
                            statuses[answer.status_code] += 1
                        if answer.status_code != 412:
                            break
                        # A 412 names the current version: retry on it, after a little jitter.
                        extra["If-Match"] = answer.headers["ETag"]
                        time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))
        except BaseException as error:  # surfaced below, with the thread's traceback
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures
    assert statuses[200] == CLIENTS * WRITES
    assert set(statuses) <= {200, 412}, statuses
    if not conditional:
        assert statuses[412] == 0
    with httpx.Client(base_url=live_server.url, headers=headers) as client:
        final = client.get(M)
    assert final.json()["version"] == 1 + CLIENTS * WRITES
    assert final.headers["ETag"] == f'"{1 + CLIENTS * WRITES}"'


def test_checks_read_while_the_model_changes_always_match_the_version_they_name(
    live_server: Any, document: dict[str, Any]
) -> None:
    """Readers of `GET .../check` (cached or fresh) while a writer toggles a `because`.

    The link `shared-model->math-reasoning` starts with no `because` (TOC103 at version 1);
    each write sets or clears it, so TOC103 is in the report exactly at odd versions. A
    report served under the wrong ETag, or a stale one, breaks that.
    """
    with Session(live_server.app.state.engine) as session:
        editor = create_token(session, "w1", "editor")
        viewer = create_token(session, "w1", "viewer")
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {editor}"}, timeout=60
    ) as writer:
        assert writer.post("/api/v1/models", json=document).status_code == 201
        done = threading.Event()
        seen: list[tuple[int, bool]] = []
        failures: list[BaseException] = []

        def reader() -> None:
            try:
                with httpx.Client(
                    base_url=live_server.url,
                    headers={"Authorization": f"Bearer {viewer}"},
                    timeout=60,
                ) as client:
                    while not done.is_set():
                        answer = client.get(f"{M}/check")
                        assert answer.status_code == 200, answer.text
                        version = int(answer.headers["ETag"].strip('"'))
                        codes = {finding["code"] for finding in answer.json()["findings"]}
                        seen.append((version, "TOC103" in codes))
            except BaseException as error:
                failures.append(error)

        readers = [threading.Thread(target=reader) for _ in range(4)]
        for thread in readers:
            thread.start()
        try:
            for write in range(30):
                because = (
                    "Shared language lets teachers press for reasons" if write % 2 == 0 else None
                )
                answer = writer.patch(
                    f"{M}/links/shared-model-%3Emath-reasoning", json={"because": because}
                )
                assert answer.status_code == 200, answer.text
                time.sleep(0.01)
        finally:
            done.set()
            for thread in readers:
                thread.join()
        final = writer.get(f"{M}/check")

    assert not failures, failures
    assert len({version for version, _ in seen}) > 5  # the readers did see the model change
    wrong = [(version, flagged) for version, flagged in seen if flagged != (version % 2 == 1)]
    assert wrong == []
    assert final.headers["ETag"] == '"31"'
    assert "TOC103" in {finding["code"] for finding in final.json()["findings"]}
