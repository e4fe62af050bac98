"""The hostile inputs of issue 14 sent to a live server: status, time and the server's memory.

    python bench/hostile.py [--database-url URL]

Starts uvicorn with the app (default settings: 10 MB bodies, the documented limits) in a
process of its own on 127.0.0.1, then sends each input (the same ones the tests send, from
`tests/api/test_api_hostile.py`) to `POST /api/v1/check?format=…` with a viewer token. For
each it prints the status, the wall time, and the server's peak memory growth: the peak RSS
(`VmHWM`) is reset through `/proc/PID/clear_refs` before the request and read after it,
against the RSS before. Each input is sent once first to warm the server up (imports,
validators); a healthy `GET /healthz` is timed alongside, for scale.

Prints figures; asserts nothing (timings never belong in tests). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "api"))

from sqlmodel import Session  # noqa: E402
from test_api_hostile import HOSTILE  # noqa: E402

from services.auth import create_token  # noqa: E402
from services.db import make_engine, run_migrations  # noqa: E402

SERVER = (
    "import sys, uvicorn\n"
    "from services.config import Settings\n"
    "from app.main import create_app\n"
    "uvicorn.run(create_app(Settings(database_url=sys.argv[1])), host='127.0.0.1',"
    " port=int(sys.argv[2]), log_level='warning')\n"
)


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="toc-hostile-")
    url = args.database_url or f"sqlite:///{folder}/toc.db"
    engine = make_engine(url)
    run_migrations(engine)
    with Session(engine) as session:
        viewer = create_token(session, "bench", "viewer")
    engine.dispose()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(port)], cwd=ROOT, env={**os.environ}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {viewer}"}
        print(f"{'input':44} {'sent':>9} {'status':>6} {'time s':>7} {'peak growth MB':>15}")
        with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
            # Warm up: the first check imports the catalogue and builds the validators.
            for fmt, data in HOSTILE.values():
                client.post(f"/api/v1/check?format={fmt}", content=data)
            rows = [("GET /healthz (for scale)", "", b"")] + [
                (name, fmt, data) for name, (fmt, data) in HOSTILE.items()
            ]
            for name, fmt, data in rows:
                Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset VmHWM
                before = _status_kb(server.pid, "VmRSS")
                started = time.perf_counter()
                if fmt:
                    answer = client.post(f"/api/v1/check?format={fmt}", content=data)
                else:
                    answer = client.get("/healthz")
                elapsed = time.perf_counter() - started
                growth = (_status_kb(server.pid, "VmHWM") - before) / 1024
                sent = f"{len(data) / 1024:.0f} KB" if data else "-"
                print(f"{name:44} {sent:>9} {answer.status_code:>6} {elapsed:7.2f} {growth:15.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
