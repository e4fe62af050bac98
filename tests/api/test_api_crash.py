"""A server killed with SIGKILL in the middle of a large import leaves the store as it was."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

NODES = 40_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(database: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """`toc serve` on `database`; returns the process and the admin token it printed."""
    env = {
        **os.environ,
        "TOC_DATABASE_URL": f"sqlite:///{database}",
        "TOC_MAX_BODY_BYTES": str(100 * 1024 * 1024),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from app.cli import main; raise SystemExit(main())",
            "serve",
            "--port",
            str(port),
        ],
        cwd=database.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    token = None
    deadline = time.monotonic() + 60
    while token is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if "/login?token=" in line:
            token = line.strip().split("/login?token=", 1)[1]
    assert token, "toc serve printed no login URL"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process, token
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("toc serve did not come up")


def _large_document() -> bytes:
    nodes = [{"id": "init", "level": "system", "kind": "initiative", "title": "Initiative"}]
    nodes += [
        {
            "id": f"n{i}",
            "level": "teacher",
            "kind": "change",
            "title": f"Change number {i}",
            "description": "x" * 100,
        }
        for i in range(NODES)
    ]
    links = [{"from": "init", "to": f"n{i}", "because": "y" * 50} for i in range(NODES)]
    return json.dumps({"id": "huge", "title": "Huge", "nodes": nodes, "links": links}).encode()


def _snapshot(base: str, headers: dict[str, str]) -> dict[str, Any]:
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        listing = client.get("/api/v1/models").json()
        for item in listing["items"]:
            item.pop("updated_at")
        kept = client.get("/api/v1/models/kept")
        return {
            "list": listing,
            "kept": kept.json(),
            "etag": kept.headers["ETag"],
            "huge": client.get("/api/v1/models/huge").status_code,
        }


def test_sigkill_during_a_large_import_leaves_the_store_as_before(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    database = tmp_path / "toc.db"
    wal = tmp_path / "toc.db-wal"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    payload = _large_document()

    process, token = _start(database, port)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            assert client.post("/api/v1/models", json=dict(document, id="kept")).status_code == 201
            assert (
                client.patch(
                    "/api/v1/models/kept/nodes/shared-model", json={"title": "Edited"}
                ).status_code
                == 200
            )
        before = _snapshot(base, headers)
        assert before["etag"] == '"2"' and before["huge"] == 404
        wal_before = wal.stat().st_size if wal.exists() else 0

        outcome: dict[str, Any] = {}

        def send() -> None:
            try:
                outcome["status"] = httpx.post(
                    f"{base}/api/v1/models/import?format=json",
                    content=payload,
                    headers=headers,
                    timeout=300,
                ).status_code
            except httpx.TransportError as error:
                outcome["error"] = error

        sender = threading.Thread(target=send)
        sender.start()
        # Kill once the import's transaction is writing: uncommitted pages spill into the WAL.
        deadline = time.monotonic() + 120
        mid_write = False
        while time.monotonic() < deadline and sender.is_alive():
            if wal.exists() and wal.stat().st_size > wal_before + 2_000_000:
                mid_write = True
                break
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        sender.join(timeout=60)
        assert "status" not in outcome, f"the import finished before the kill: {outcome}"
        assert mid_write, "the import never started writing"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    process, token = _start(database, port)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        after = _snapshot(base, headers)
        assert after == before
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            # The store still takes writes, the same import included.
            assert (
                client.post(
                    "/api/v1/models/import?format=json", content=payload, timeout=300
                ).status_code
                == 201
            )
    finally:
        process.terminate()
        process.wait(timeout=30)

    import sqlite3

    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
