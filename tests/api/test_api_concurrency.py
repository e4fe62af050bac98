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

from api.auth import create_token

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
