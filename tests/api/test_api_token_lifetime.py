"""The admin token `toc serve` prints lives as long as the server; tokens never reach its log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from services import auth

TOC = [sys.executable, "-c", "from app.cli import main; raise SystemExit(main())"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_token_ends_with_the_server_and_never_reaches_the_access_log(
    database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {**os.environ, "TOC_DATABASE_URL": database_url}
    log = tmp_path / "server.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            TOC + ["serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            token = next(
                line.strip().rsplit("token=", 1)[1]
                for line in process.stdout
                if f"127.0.0.1:{port}/login?token=" in line
            )
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    signed_in = httpx.get(f"{base}/login?token={token}", follow_redirects=False)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
            assert signed_in.status_code == 303
            cookies = {auth.SESSION_COOKIE: token}
            assert httpx.get(f"{base}/models", cookies=cookies).status_code == 200
            headers = {"Authorization": f"Bearer {token}"}
            assert (
                httpx.get(f"{base}/api/v1/models?token={token}", headers=headers).status_code == 200
            )
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops it
            process.wait(timeout=30)
        assert process.stdout is not None
        written = log.read_text() + process.stdout.read()  # uvicorn logs access to stdout
    assert "GET /login?token=[redacted]" in written  # the access log was written...
    assert token not in written  # ...without the token
    listed = subprocess.run(
        TOC + ["token", "list"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert [(row[2], row[-1]) for row in rows] == [("admin", "revoked")]
    assert token not in listed.stdout


def test_a_crashed_server_token_is_swept_by_the_next_start(client: TestClient) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its pid now names no process
    host = socket.gethostname()
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        dead = auth.create_token(
            session, "default", "admin", server_process=f"{host}:{finished.pid}"
        )
        alive = auth.create_token(
            session, "default", "admin", server_process=f"{host}:{os.getppid()}"
        )
        assert auth.sweep_process_tokens(session) == 1
        assert auth.principal_for_token(session, dead) is None
        assert auth.principal_for_token(session, alive) is not None
