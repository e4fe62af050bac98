"""A server killed with SIGKILL in the middle of writes leaves a version before or after, whole.

`toc serve` on SQLite takes a stream of node PATCHes into a 2,000-node model (each a row, a
version and a delta); it is killed while they come. Reopened, the store is at a version
whose history entry exists, and every version of the history reads back whole and valid.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from services import history, models
from services.db import make_engine
from tests.api.test_api_crash import _free_port, _start
from toc.document import parse_document


def test_sigkill_during_writes_leaves_a_whole_version_and_history(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    database = tmp_path / "toc.db"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process, token = _start(database, port)
    headers = {"Authorization": f"Bearer {token}"}
    document["nodes"] += [
        {"id": f"n{i}", "level": "teacher", "kind": "change", "title": f"Change {i}"}
        for i in range(2000)
    ]
    answered: list[int] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            round_ = 0
            while not stop.is_set():
                round_ += 1
                for i in range(0, 2000, 400):
                    try:
                        answer = client.patch(
                            f"/api/v1/models/{document['id']}/nodes/n{i}",
                            json={"title": f"Change {i}, round {round_}"},
                        )
                    except httpx.TransportError:
                        return
                    answered.append(answer.status_code)

    try:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            assert client.post("/api/v1/models", json=document).status_code == 201
        writer = threading.Thread(target=write)
        writer.start()
        deadline = time.monotonic() + 60
        while len(answered) < 25 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        stop.set()
        writer.join(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert answered and set(answered) == {200}

    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            workspace = session.connection().exec_driver_sql("SELECT id FROM workspace").scalar()
            assert workspace is not None
            current, version = models.get_document(session, workspace, document["id"])
            listed, _ = history.list_versions(session, workspace, document["id"])
            assert listed[0].version == version >= len(answered) + 1
            assert [v.version for v in listed] == list(range(version, 0, -1))
            for entry in listed:
                whole = history.version_document(session, workspace, document["id"], entry.version)
                parse_document({k: v for k, v in whole.items() if k != "version"})
                assert len(whole["nodes"]) == entry.nodes
            kept = history.version_document(session, workspace, document["id"], version)
            assert kept == current
    finally:
        engine.dispose()
