"""Benchmark of the toc service, each figure beside the same work done directly in the same run.

    python bench/api.py [--database-url URL] [--nodes 10000] [--check-nodes 1000] [--seconds 3]

1. Importing a 10k-node model: the service's store (`models.create_model`) and the whole
   HTTP import (`POST /models/import`: read, validate, store), against a bare `executemany`
   of the same rows into the same tables (target: store ≤ 3× bare).
2. `GET /models/{id}/check` of a stored 1k-node model just after a write (the write's check
   runs in the background: the GET waits for it or finds it done) and cached, against
   `toc.check` called directly.
3. Throughput of cached `GET check` on one uvicorn worker, as a ratio of a trivial FastAPI
   endpoint on one uvicorn worker, under the same load (issue 19's target ≥ 1.0 on SQLite
   and PostgreSQL). `--throughput-only` runs 2 and 3.
4. PATCH of one node title, with history, at 100, 1,000 and 10,000 nodes (target: the
   10,000-node PATCH ≤ 2× the 100-node one), and a batch of 100 edits into the 1,000-node
   model (target ≤ 3× one PATCH; the batch route comes with `rest`: skipped while absent).
   `--patch-only` runs just this.
5. A planning tool's sync: a batch of 100 node and link edits (40 node titles, 30 new nodes,
   30 new links; `POST …/changes`, one version) into a stored 1k-node model, against a
   single node PATCH of the same model (target ≤ 3×).
6. A `304` (`If-None-Match` naming the current ETag) against the cached `GET check` it stands
   for, median latency on the same uvicorn worker (target ≤ 1.1×). `--rest-only` runs 5 and 6.

Prints figures and ratios; asserts nothing (timings never belong in tests).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.main import create_app  # noqa: E402
from services import models, reports  # noqa: E402
from services.auth import create_token, ensure_workspace  # noqa: E402
from services.clock import today  # noqa: E402
from services.config import Settings  # noqa: E402
from services.db import make_engine, run_migrations  # noqa: E402
from services.tables import StoredLink, StoredModel, StoredNode  # noqa: E402
from toc.document import parse_document  # noqa: E402
from toc.model import TheoryOfChange  # noqa: E402
from toc.report import check  # noqa: E402


def synthetic(nodes: int, model_id: str = "bench") -> dict[str, Any]:
    """A model shaped like a statewide portfolio: initiatives → changes → outcomes.

    Mostly well argued, as a maintained theory is: every 10th step lacks a `because`, every
    7th its assumptions, every 5th indicator leaves `measures` to be inferred.
    """
    initiatives = max(1, nodes // 50)
    outcomes = max(1, nodes // 20)
    changes = nodes - initiatives - outcomes
    doc_nodes: list[dict[str, Any]] = []
    for i in range(initiatives):
        doc_nodes.append(
            {
                "id": f"i{i}",
                "level": "system",
                "kind": "initiative",
                "title": f"Initiative {i}",
                "form": "Sessions held",
                "function": "Builds shared practice",
                "indicators": [{"name": "Number of teachers trained", "measures": "count"}],
            }
        )
    for c in range(changes):
        indicator: dict[str, Any] = {"name": "Change in questioning"}
        if c % 5:
            indicator["measures"] = "change"
        doc_nodes.append(
            {
                "id": f"c{c}",
                "level": "teacher",
                "kind": "change",
                "title": f"Change {c}",
                "description": "A change in practice",
                "indicators": [indicator],
            }
        )
    for o in range(outcomes):
        doc_nodes.append(
            {
                "id": f"o{o}",
                "level": "student",
                "kind": "outcome",
                "title": f"Outcome {o}",
                "indicators": [{"name": "State assessment", "measures": "outcome"}],
            }
        )
    links: list[dict[str, Any]] = []
    for c in range(changes):
        first: dict[str, Any] = {
            "from": f"i{c % initiatives}",
            "to": f"c{c}",
            "evidence": [{"citation": "Kraft (2018)", "tier": 2}],
        }
        if c % 10:
            first["because"] = "Rehearsal with feedback builds the move"
        if c % 7:
            first["assumptions"] = ["Time is protected"]
        links.append(first)
        links.append(
            {
                "from": f"c{c}",
                "to": f"o{c % outcomes}",
                "because": "Practice changes what students do",
                "evidence": [{"citation": "Smith (2020)", "tier": 3}],
                "assumptions": ["Students attend"],
            }
        )
    return {
        "format": "toc/1",
        "id": model_id,
        "title": "Benchmark",
        "nodes": doc_nodes,
        "links": links,
    }


def best(runs: int, work: Callable[[], Any], setup: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def fresh_url(base: str | None, folder: Path, name: str) -> str:
    if base is not None:
        return base
    return f"sqlite:///{folder / name}.db"


def bench_import(args: argparse.Namespace, folder: Path) -> None:
    document = synthetic(args.nodes)
    model = parse_document(document)
    payload = json.dumps(document).encode()
    print(f"\n1. import of a {len(model.nodes)}-node, {len(model.links)}-link model")

    counter = iter(range(10_000))

    def new_store() -> tuple[Any, int]:
        url = fresh_url(args.database_url, folder, f"import{next(counter)}")
        engine = make_engine(url)
        run_migrations(engine)
        with Session(engine) as session:
            workspace_id = ensure_workspace(session, f"w{next(counter)}")
        return engine, workspace_id

    # The same rows the service writes, prepared beforehand: only executemany is timed.
    documents = model.to_document()
    node_rows = [
        {
            "model_id": 0,
            "position": i,
            "node_id": n.id,
            "level": n.level.value,
            "kind": n.kind.value,
            "status": n.status.value,
            "data": json.dumps(d),
        }
        for i, (n, d) in enumerate(zip(model.nodes, documents["nodes"], strict=True))
    ]
    link_rows = [
        {
            "model_id": 0,
            "position": i,
            "link_key": link.key,
            "source": link.source,
            "target": link.target,
            "type": link.type.value,
            "data": json.dumps(d),
        }
        for i, (link, d) in enumerate(zip(model.links, documents["links"], strict=True))
    ]
    state: dict[str, Any] = {}

    def setup() -> None:
        # A stored model is checked after its write, in the background: not during a timing.
        reports.settle(600)
        state["engine"], state["workspace"] = new_store()

    def bare() -> None:
        engine = state["engine"]
        with engine.begin() as connection:
            model_pk = connection.execute(
                insert(StoredModel).values(
                    workspace_id=state["workspace"],
                    slug="bench",
                    title="Benchmark",
                    checks="{}",
                    version=1,
                    created_at=_now(),
                    updated_at=_now(),
                )
            ).inserted_primary_key[0]
            for row in node_rows:
                row["model_id"] = model_pk
            for row in link_rows:
                row["model_id"] = model_pk
            connection.execute(insert(StoredNode), node_rows)
            connection.execute(insert(StoredLink), link_rows)

    def stored() -> None:
        with Session(state["engine"]) as session:
            models.create_model(session, state["workspace"], model)

    def http_import() -> None:
        state["client"].post(
            "/api/v1/models/import", content=payload, headers=state["headers"]
        ).raise_for_status()

    def http_setup() -> None:
        reports.settle(600)
        if "client" in state:
            state["client"].__exit__(None, None, None)
        url = fresh_url(args.database_url, folder, f"http{next(counter)}")
        app = create_app(Settings(database_url=url, max_body_bytes=200 * 1024 * 1024))
        client = TestClient(app)
        client.__enter__()
        with Session(app.state.engine) as session:
            token = create_token(session, f"w{next(counter)}", "editor")
        state["client"], state["headers"] = client, {"Authorization": f"Bearer {token}"}

    parse_time = best(args.runs, lambda: parse_document(json.loads(payload)))
    bare_time = best(args.runs, bare, setup)
    store_time = best(args.runs, stored, setup)
    http_time = best(args.runs, http_import, http_setup)
    state["client"].__exit__(None, None, None)
    print(f"   bare executemany of the rows      {bare_time * 1000:8.1f} ms")
    print(
        f"   models.create_model (store)       {store_time * 1000:8.1f} ms"
        f"   ratio {store_time / bare_time:5.2f}× bare  (target ≤ 3×)"
    )
    print(f"   parse_document alone (toc core)   {parse_time * 1000:8.1f} ms")
    print(
        f"   POST /models/import (HTTP, whole) {http_time * 1000:8.1f} ms"
        f"   ratio {http_time / bare_time:5.2f}× bare,"
        f" {http_time / (bare_time + parse_time):5.2f}× (bare + parse)"
    )


def _now() -> Any:
    from services.tables import utcnow

    return utcnow()


def bench_check(args: argparse.Namespace, folder: Path) -> tuple[str, str]:
    document = synthetic(args.check_nodes, "checked")
    model = parse_document(document)
    print(f"\n2. GET check of a stored {len(model.nodes)}-node model")
    direct = best(args.runs, lambda: check(model, as_of=today()))
    url = fresh_url(args.database_url, folder, "check")
    app = create_app(Settings(database_url=url))
    colds: list[float] = []
    warms: list[float] = []
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            token = create_token(session, "bench", "editor")
        headers = {"Authorization": f"Bearer {token}"}
        client.post("/api/v1/models", json=document, headers=headers).raise_for_status()
        for run in range(args.runs):
            # A write makes a new version (it must change something): its check starts after
            # the commit, in the background; a GET right after it waits for that check (or
            # finds it done).
            client.patch(
                "/api/v1/models/checked/nodes/o0",
                json={"title": f"Outcome, run {run}"},
                headers=headers,
            ).raise_for_status()
            start = time.perf_counter()
            client.get("/api/v1/models/checked/check", headers=headers).raise_for_status()
            colds.append(time.perf_counter() - start)
            for _ in range(20):
                start = time.perf_counter()
                client.get("/api/v1/models/checked/check", headers=headers).raise_for_status()
                warms.append(time.perf_counter() - start)
    cold, warm = min(colds), statistics.median(warms)
    report = check(model, as_of=today()).to_dict()
    print(
        f"   report: {len(report['findings'])} findings, {len(report['inferred'])} inferred,"
        f" {len(json.dumps(report)) / 1024:.0f} KiB"
    )
    print(f"   toc.check directly                {direct * 1000:8.1f} ms")
    print(
        f"   GET check just after a write      {cold * 1000:8.1f} ms"
        f"   ratio {cold / direct:5.2f}× direct"
    )
    print(
        f"   GET check, cached (median)        {warm * 1000:8.1f} ms"
        f"   {direct / warm:6.1f}× faster than checking"
    )
    return url, token


def bench_patch(args: argparse.Namespace, folder: Path) -> None:
    """PATCH of one node title (with history) at 100, 1,000 and 10,000 nodes; a batch."""
    sizes = [int(n) for n in args.patch_sizes.split(",")]
    print(f"\n4. PATCH of one node title, with history ({args.patches} each, median)")
    url = fresh_url(args.database_url, folder, "patch")
    app = create_app(Settings(database_url=url, max_body_bytes=200 * 1024 * 1024))
    medians: dict[int, float] = {}
    cpu: dict[int, float] = {}
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            token = create_token(session, "bench", "editor")
        headers = {"Authorization": f"Bearer {token}"}
        for size in sizes:
            model_id = f"patched-{size}"
            client.post("/api/v1/models", json=synthetic(size, model_id), headers=headers)
            reports.settle(600)
            timings, cpus = [], []
            for round_ in range(-3, args.patches):  # three rounds to warm up, not counted
                # Each write's report is computed after it, in the background, on this same
                # machine: let it finish, so that it is not counted in the next write.
                reports.settle(600)
                start, start_cpu = time.perf_counter(), time.process_time()
                client.patch(
                    f"/api/v1/models/{model_id}/nodes/o0",
                    json={"title": f"Outcome {round_}"},
                    headers=headers,
                ).raise_for_status()
                if round_ >= 0:
                    timings.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - start_cpu)
            medians[size] = statistics.median(timings)
            cpu[size] = statistics.median(cpus)
            print(
                f"   {size:>6,} nodes                      {medians[size] * 1000:8.2f} ms"
                f"   (CPU of this process {cpu[size] * 1000:6.2f} ms)"
            )
        first, last = sizes[0], sizes[-1]
        print(
            f"   ratio {last:,} / {first:,} nodes          {medians[last] / medians[first]:8.2f}×"
            f"   (CPU {cpu[last] / cpu[first]:4.2f}×; target ≤ 2×)"
        )
        probe = client.post("/api/v1/models/patched-1000/changes", json={}, headers=headers)
        if 1000 in medians and probe.status_code not in (404, 405):
            # A sync: 100 edits (50 node titles, 50 links' because) as one batch.
            changes: list[dict[str, Any]] = [
                {"op": "patch", "node": f"c{i}", "fields": {"title": f"Synced {i}"}}
                for i in range(50)
            ] + [
                {"op": "patch", "link": f"i{i % 20}->c{i}", "fields": {"because": f"Why {i}"}}
                for i in range(50, 100)
            ]
            timings = []
            for round_ in range(args.patches):
                reports.settle(600)
                for change in changes:
                    if "node" in change:
                        change["fields"]["title"] = f"Synced {round_} {change['node']}"
                    else:
                        change["fields"]["because"] = f"Why {round_} {change['link']}"
                start = time.perf_counter()
                client.post(
                    "/api/v1/models/patched-1000/changes",
                    json={"changes": changes},
                    headers=headers,
                ).raise_for_status()
                timings.append(time.perf_counter() - start)
            batch = statistics.median(timings)
            print(
                f"   batch of 100 edits, 1,000 nodes   {batch * 1000:8.2f} ms"
                f"   {batch / medians[1000]:5.2f}× one PATCH (target ≤ 3×)"
            )
        elif 1000 in medians:
            print("   batch of 100 edits: no POST …/changes route in this tree yet, skipped")
    reports.settle(600)


def bench_batch(args: argparse.Namespace, folder: Path) -> None:
    document = synthetic(args.check_nodes, "synced")
    print(f"\n5. a batch of 100 node and link edits into a {len(document['nodes'])}-node model")
    url = fresh_url(args.database_url, folder, "batch")
    app = create_app(Settings(database_url=url))
    singles: list[float] = []
    batches: list[float] = []
    changes_of = [c["id"] for c in document["nodes"] if c["id"].startswith("c")]
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            token = create_token(session, "bench", "editor")
        headers = {"Authorization": f"Bearer {token}"}
        client.post("/api/v1/models", json=document, headers=headers).raise_for_status()
        for round_ in range(args.patches):
            # As in section 4: each write's report is computed after it, in the background;
            # let it finish, so that it is not counted in the next write.
            reports.settle(600)
            start = time.perf_counter()
            client.patch(
                "/api/v1/models/synced/nodes/o0",
                json={"title": f"Outcome {round_}"},
                headers=headers,
            ).raise_for_status()
            singles.append(time.perf_counter() - start)
            edits: list[dict[str, Any]] = []
            for k in range(40):  # 40 patched nodes, 30 new nodes, 30 new links
                edits.append(
                    {
                        "op": "patch",
                        "node": changes_of[(round_ * 40 + k) % len(changes_of)],
                        "fields": {"title": f"Change r{round_} k{k}"},
                    }
                )
            for k in range(30):
                node = f"n{round_}x{k}"
                edits.append(
                    {
                        "op": "add",
                        "node": {"id": node, "level": "teacher", "kind": "change", "title": node},
                    }
                )
                edits.append({"op": "add", "link": {"from": node, "to": f"o{k % 5}"}})
            reports.settle(600)
            start = time.perf_counter()
            answer = client.post(
                "/api/v1/models/synced/changes", json={"changes": edits}, headers=headers
            )
            answer.raise_for_status()
            batches.append(time.perf_counter() - start)
    single, batch = statistics.median(singles), statistics.median(batches)
    print(f"   single node PATCH (median)        {single * 1000:8.1f} ms")
    print(
        f"   batch of 100 edits (median)       {batch * 1000:8.1f} ms"
        f"   ratio {batch / single:5.2f}× one PATCH (target ≤ 3×)"
    )


def _latencies(port: int, path: str, headers: dict[str, str], count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    found = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        found.append(time.perf_counter() - start)
    connection.close()
    return found


def bench_not_modified(args: argparse.Namespace, url: str, token: str) -> None:
    print("\n6. 304 against the cached GET check, one uvicorn worker, median latency")
    env = {**os.environ, "TOC_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    port = _free_port()
    server = _serve(
        "import uvicorn; from app.main import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')",
        env,
        port,
    )
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/models/checked/check"
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        tag = response.getheader("ETag") or ""
        connection.close()
        conditional = {**headers, "If-None-Match": tag}
        gets: list[float] = []
        not_modified: list[float] = []
        for _ in range(args.rounds * 4):  # interleaved, so both see the same machine
            gets += _latencies(port, path, headers, 50)
            not_modified += _latencies(port, path, conditional, 50)
    finally:
        server.terminate()
        server.wait(timeout=10)
    get, nm = statistics.median(gets), statistics.median(not_modified)
    print(f"   cached GET check (median)         {get * 1000:8.2f} ms")
    print(
        f"   304 Not Modified (median)         {nm * 1000:8.2f} ms"
        f"   ratio {nm / get:5.2f}× the cached GET (target ≤ 1.1×)"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


TRIVIAL_APP = """
import uvicorn
from fastapi import FastAPI, Response
app = FastAPI()
same = open({payload!r}, "rb").read()
@app.get("/ping")
async def ping():
    return {{"ok": True}}
@app.get("/same")
async def same_payload():
    return Response(same, media_type="application/json")
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning")
"""


def _serve(code: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start")


def _load(port: int, path: str, headers: dict[str, str], seconds: float, threads: int) -> float:
    """Requests per second, from `threads` keep-alive connections for `seconds`."""
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def hammer(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            counts[slot] += 1
        connection.close()

    workers = [threading.Thread(target=hammer, args=(n,)) for n in range(threads)]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - start)


def bench_throughput(args: argparse.Namespace, url: str, token: str) -> None:
    reports.settle(600)  # no check of this process's writes competes with the load
    print(
        f"\n3. throughput, one uvicorn worker each, {args.threads} keep-alive clients,"
        f" {args.seconds:g} s"
    )
    env = {**os.environ, "TOC_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    ours_port, trivial_port = _free_port(), _free_port()
    ours = _serve(
        "import uvicorn; from app.main import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={ours_port}, log_level='warning')",
        env,
        ours_port,
    )
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/models/checked/check"
    payload = Path(tempfile.mkdtemp()) / "report.json"
    connection = http.client.HTTPConnection("127.0.0.1", ours_port, timeout=30)
    connection.request("GET", path, headers=headers)
    payload.write_bytes(connection.getresponse().read())
    connection.close()
    trivial = _serve(TRIVIAL_APP.format(port=trivial_port, payload=str(payload)), env, trivial_port)
    try:
        _load(ours_port, path, headers, 0.5, args.threads)  # warm up (and fill the cache)
        _load(trivial_port, "/ping", {}, 0.5, args.threads)
        # Interleaved rounds, best of each: other load on the machine hits all three alike.
        checked = ping = same = 0.0
        for _ in range(args.rounds):
            slice_ = args.seconds / args.rounds
            checked = max(checked, _load(ours_port, path, headers, slice_, args.threads))
            ping = max(ping, _load(trivial_port, "/ping", {}, slice_, args.threads))
            same = max(same, _load(trivial_port, "/same", {}, slice_, args.threads))
    finally:
        for process in (ours, trivial):
            process.terminate()
            process.wait(timeout=10)
    size = payload.stat().st_size / 1024
    print(f"   trivial FastAPI endpoint          {ping:8.0f} req/s")
    print(f"   trivial, answering the report     {same:8.0f} req/s   ({size:.0f} KiB of bytes)")
    print(
        f"   cached GET check                  {checked:8.0f} req/s"
        f"   ratio {checked / ping:5.2f}  (target ≥ 1.0);"
        f" {checked / same:5.2f} of the trivial endpoint sending the same bytes"
    )


@contextmanager
def _scratch(args: argparse.Namespace) -> Iterator[None]:
    """On PostgreSQL, work in a schema of our own, dropped at the end."""
    if not args.database_url or not args.database_url.startswith("postgresql"):
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"toc_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(args.database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(args.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    args.database_url = url.render_as_string(hide_password=False)
    try:
        yield
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: fresh SQLite files in a temp folder")
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--check-nodes", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--patches", type=int, default=15, help="PATCHes per model size")
    parser.add_argument("--patch-sizes", default="100,1000,10000", help="node counts (section 4)")
    parser.add_argument("--patch-only", action="store_true", help="run section 4 alone")
    parser.add_argument("--rest-only", action="store_true", help="run sections 5 and 6 alone")
    parser.add_argument("--throughput-only", action="store_true", help="run sections 2 and 3 alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, _scratch(args):
        print(f"toc service benchmark ({args.database_url or 'SQLite files'})")
        if args.rest_only:
            bench_batch(args, Path(folder))
            url, token = bench_check(args, Path(folder))
            bench_not_modified(args, url, token)
            return
        if args.throughput_only:
            url, token = bench_check(args, Path(folder))
            bench_throughput(args, url, token)
            return
        bench_patch(args, Path(folder))
        if args.patch_only:
            return
        bench_import(args, Path(folder))
        url, token = bench_check(args, Path(folder))
        bench_throughput(args, url, token)
        bench_batch(args, Path(folder))
        bench_not_modified(args, url, token)


if __name__ == "__main__":
    main()


__all__ = ["synthetic", "TheoryOfChange"]
