"""Every API test runs on SQLite and on PostgreSQL, each on a database of its own."""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, fresh_database_url: Callable[[str], str]) -> str:
    return fresh_database_url(request.param)


MILFORD = {
    "format": "toc/1",
    "id": "milford-hqi",
    "title": "Milford: a shared picture of high-quality instruction",
    "nodes": [
        {
            "id": "hqi-live",
            "level": "system",
            "kind": "initiative",
            "title": "HQI Live! week",
            "form": "Educators observe live lessons and debrief together",
            "function": "Builds a shared mental model of high-quality instruction",
            "indicators": [{"name": "Educators attending", "measures": "count"}],
        },
        {
            "id": "shared-model",
            "level": "teacher",
            "kind": "change",
            "title": "Teachers share a model of eliciting evidence of student thinking",
        },
        {
            "id": "math-reasoning",
            "level": "student",
            "kind": "outcome",
            "title": "Students explain and justify mathematical reasoning",
        },
    ],
    "links": [
        {
            "from": "hqi-live",
            "to": "shared-model",
            "because": "Enacted experience shifts mental models more than persuasion does",
            "evidence": [{"citation": "Newmann et al. (2001)", "tier": 3}],
            "assumptions": ["Observed teachers volunteer"],
        },
        {"from": "shared-model", "to": "math-reasoning"},
    ],
}


@pytest.fixture
def document() -> dict[str, Any]:
    """A small valid toc/1 document (SPEC §2's example), fresh for each test."""
    return copy.deepcopy(MILFORD)


@dataclass
class LiveServer:
    """A real uvicorn server on a free port, serving the test's app from a thread."""

    url: str
    app: FastAPI


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
