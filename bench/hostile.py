"""The hostile inputs of issue 14 sent to a live server: status, time and the server's memory.

    python bench/hostile.py [--database-url URL]

Starts uvicorn with the app (default settings: 10 MB bodies, the documented limits) in a
process of its own on 127.0.0.1, then sends each input (the same ones the tests send, from
`tests/api/test_api_hostile.py`) to `POST /api/v1/check?format=…` with a viewer token. For
each it prints the status, the wall time, and the server's peak memory growth: the peak RSS
(`VmHWM`) is reset through `/proc/PID/clear_refs` before the request and read after it,
against the RSS before. Each input is sent once first to warm the server up (imports,
validators); a healthy `GET /healthz` is timed alongside, for scale.

Then the observations of issue 18: `POST …/observations` with 100,000 rows (100 indicators
× 1,000 dates) against the time the same body takes to read and validate row by row in
process (target: at most 2×), and a PATCH in another workspace sent while it runs (target: it
waits no longer than that).

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
from toc.model import Observation  # noqa: E402

INDICATORS, DATES = 100, 1_000
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


def _observations_model(model_id: str) -> dict[str, object]:
    nodes: list[dict[str, object]] = [
        {
            "id": f"change-{n}",
            "level": "teacher",
            "kind": "change",
            "title": f"Change {n}",
            "indicators": [{"id": "share", "name": "Share", "measures": "change"}],
        }
        for n in range(INDICATORS)
    ]
    return {"format": "toc/1", "id": model_id, "title": "Observations bench", "nodes": nodes}


def _observations_body() -> bytes:
    import datetime
    import json

    start = datetime.date(2020, 1, 1)
    rows = [
        {
            "node": f"change-{n}",
            "indicator": "share",
            "date": (start + datetime.timedelta(days=d)).isoformat(),
            "value": round(0.1 + d / 2000, 4),
        }
        for n in range(INDICATORS)
        for d in range(DATES)
    ]
    return json.dumps(rows).encode()


def _row_by_row(body: bytes) -> float:
    """The floor: parse the body, and validate each row in process — its node and indicator
    looked up, its date and value validated as an observation."""
    import json

    known = {(f"change-{n}", "share") for n in range(INDICATORS)}
    started = time.perf_counter()
    for row in json.loads(body):
        assert (row["node"], row["indicator"]) in known
        Observation.model_validate({"date": row["date"], "value": row["value"]})
    return time.perf_counter() - started


def bench_observations(base: str, editor: str, other: str) -> None:
    import threading

    body = _observations_body()
    floor = min(_row_by_row(body) for _ in range(3))
    mine = {"Authorization": f"Bearer {editor}"}
    theirs = {"Authorization": f"Bearer {other}"}
    run = f"{time.time_ns():x}"
    with httpx.Client(base_url=base, timeout=600) as client:
        for round_ in range(2):  # the first round warms the server up
            # Ids of this run's own: a PostgreSQL database outlives a run.
            model_id = f"observed-{run}-{round_}"
            created = client.post(
                "/api/v1/models", json=_observations_model(model_id), headers=mine
            )
            created.raise_for_status()
            neighbour = client.post(
                "/api/v1/models",
                json=_observations_model(f"neighbour-{run}-{round_}"),
                headers=theirs,
            )
            neighbour.raise_for_status()
            waits: list[float] = []
            done = threading.Event()

            def other_writer(
                round_: int = round_,
                done: threading.Event = done,
                waits: list[float] = waits,
            ) -> None:
                with httpx.Client(base_url=base, timeout=600) as writer:
                    time.sleep(0.05)
                    while not done.is_set():
                        began = time.perf_counter()
                        writer.patch(
                            f"/api/v1/models/neighbour-{run}-{round_}/nodes/change-0",
                            json={"title": f"Renamed {len(waits)}"},
                            headers=theirs,
                        ).raise_for_status()
                        waits.append(time.perf_counter() - began)
                        time.sleep(0.05)

            thread = threading.Thread(target=other_writer)
            thread.start()
            started = time.perf_counter()
            answer = client.post(
                f"/api/v1/models/{model_id}/observations",
                content=body,
                headers={**mine, "Content-Type": "application/json"},
            )
            elapsed = time.perf_counter() - started
            done.set()
            thread.join()
            # The new version is checked in the background (services/reports.py), a whole
            # model's work: wait for it, so that the measured round does not share the server
            # with the warm-up's check.
            client.get(f"/api/v1/models/{model_id}/check", headers=mine).raise_for_status()
        print()
        print(
            f"POST observations: {INDICATORS} indicators x {DATES} dates = "
            f"{INDICATORS * DATES:,} rows, {len(body) / 1e6:.1f} MB"
        )
        print(f"  read and validate row by row in process (floor): {floor:7.2f} s")
        print(
            f"  POST …/observations: status {answer.status_code}       {elapsed:7.2f} s"
            f"  = {elapsed / floor:.2f}x the floor (target <= 2x)"
        )
        longest = max(waits) if waits else float("nan")
        print(
            f"  another workspace's PATCH during it: {len(waits)} writes, longest "
            f"{longest:.3f} s = {longest / floor:.2f}x the floor (target <= 1x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--observations-only", action="store_true", help="only the observations figures"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="toc-hostile-")
    url = args.database_url or f"sqlite:///{folder}/toc.db"
    engine = make_engine(url)
    run_migrations(engine)
    with Session(engine) as session:
        viewer = create_token(session, "bench", "viewer")
        editor = create_token(session, "bench", "editor")
        other = create_token(session, "bench-neighbour", "editor")
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
            hostile = {} if args.observations_only else HOSTILE
            for fmt, data in hostile.values():
                client.post(f"/api/v1/check?format={fmt}", content=data)
            rows = [("GET /healthz (for scale)", "", b"")] + [
                (name, fmt, data) for name, (fmt, data) in hostile.items()
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
        bench_observations(base, editor, other)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
