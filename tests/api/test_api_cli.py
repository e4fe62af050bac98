"""`toc token create` and `toc serve` as a user runs them, and the migrations they apply."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.serve import example_files

TOC = [sys.executable, "-c", "from app.cli import main; raise SystemExit(main())"]


def _toc(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOC_DATABASE_URL": database_url}
    return subprocess.run(TOC + args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_token_create_prints_the_token_alone_and_it_works(
    database_url: str, tmp_path: Path, client: TestClient
) -> None:
    done = _toc(
        ["token", "create", "--workspace", "planning", "--role", "viewer"], database_url, tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    token = lines[0]
    assert token.startswith("toc_") and " " not in token
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/models", headers=headers).status_code == 200
    write = client.post("/api/v1/models", json={"id": "m", "title": "M"}, headers=headers)
    assert write.status_code == 403


def test_token_create_refuses_a_bad_workspace_name(database_url: str, tmp_path: Path) -> None:
    done = _toc(
        ["token", "create", "--workspace", "Bad Name", "--role", "admin"], database_url, tmp_path
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "not a workspace name" in done.stderr


def test_serve_prints_a_login_url_and_demo_loads_the_examples(
    database_url: str, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    examples = [p.stem for p in example_files()]  # the example portfolio's districts too
    for _run in range(2):  # the second run skips the examples already there
        env = {**os.environ, "TOC_DATABASE_URL": database_url}
        process = subprocess.Popen(
            TOC + ["serve", "--port", str(port), "--demo"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            token = None
            for line in process.stdout:
                if f"http://127.0.0.1:{port}/login?token=" in line:
                    token = line.strip().rsplit("token=", 1)[1]
                    break
            assert token
            headers = {"Authorization": f"Bearer {token}"}
            deadline = time.monotonic() + 30
            while True:
                try:
                    listing = httpx.get(f"http://127.0.0.1:{port}/api/v1/models", headers=headers)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
            assert listing.status_code == 200
            ids = [item["id"] for item in listing.json()["items"]]
            assert len(ids) == len(examples) and all(
                item["version"] == 1 for item in listing.json()["items"]
            )
            # The token is an admin's of the workspace `default`.
            made = httpx.post(
                f"http://127.0.0.1:{port}/api/v1/tokens", json={"role": "viewer"}, headers=headers
            )
            assert made.status_code == 201 and made.json()["workspace"] == "default"
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_migrations_build_exactly_the_tables_of_the_code(client: TestClient) -> None:
    engine: Any = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_token_create_with_a_name_is_the_author_of_its_writes(
    database_url: str, tmp_path: Path, client: TestClient
) -> None:
    done = _toc(
        ["token", "create", "--workspace", "w1", "--role", "editor", "--name", "Data office"],
        database_url,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    headers = {"Authorization": f"Bearer {done.stdout.strip()}"}
    created = client.post("/api/v1/models", json={"id": "m", "title": "M"}, headers=headers)
    assert created.status_code == 201
    items = client.get("/api/v1/models/m/versions", headers=headers).json()["items"]
    assert [v["by"] for v in items] == ["Data office"]
